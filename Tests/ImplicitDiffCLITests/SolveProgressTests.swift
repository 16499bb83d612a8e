import Foundation
import Synchronization
import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// `--progress`: solvers report (iteration, residual) to a task-local watcher; the printer
// shows them at most once per interval. A Bratu problem takes several Newton iterations.

final class EventLog: Sendable {
    let events = Mutex<[SolverProgressEvent]>([])
    func append(_ e: SolverProgressEvent) { events.withLock { $0.append(e) } }
    var all: [SolverProgressEvent] { events.withLock { $0 } }
}

@Suite("CLI: --progress for long solves")
struct SolveProgressTests {
    static let bratu = #"{"problem": "equations", "data": {"family": "bratu", "lambda": 3, "n": 200}}"#

    @Test("a watcher receives the Newton iterations with decreasing residuals; none outside the scope")
    func newtonReports() {
        let log = EventLog()
        let (_, code) = SolverProgress.observing({ log.append($0) }) { CLIRunner().run(Self.bratu) }
        #expect(code == 0)
        let events = log.all
        #expect(events.count >= 3 && events.allSatisfy { $0.solver == "newton" })
        #expect(events.map(\.iteration) == Array(0..<events.count))
        #expect(events.last!.residual < events.first!.residual * 1e-6)
        let before = log.all.count
        _ = CLIRunner().run(Self.bratu)
        #expect(log.all.count == before)
    }

    @Test("the printer writes at most one line per interval, with iteration, residual, stage and elapsed time")
    func printerThrottles() throws {
        let lines = Mutex<[String]>([])
        let printer = SolveProgressPrinter(interval: 0.05) { line in lines.withLock { $0.append(line) } }
        printer.observe(SolverProgressEvent(solver: "sinkhorn", iteration: 1, residual: 0.5))
        #expect(lines.withLock { $0.isEmpty })  // nothing before the first interval
        Thread.sleep(forTimeInterval: 0.06)
        for k in 2...100 { printer.observe(SolverProgressEvent(solver: "sinkhorn", iteration: k, residual: 3.2e-7, stage: "eps 0.05")) }
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        #expect(written.first?.hasPrefix("sinkhorn: iteration 2, residual 3.2e-07 (eps 0.05), ") == true, "\(written)")
    }

    @Test("the tool accepts --progress (a fast solve prints no progress line)")
    func toolFlag() throws {
        let (out, err, code) = try runTool(["solve", "-", "--progress"], input: Self.bratu)
        #expect(code == 0, "\(err)")
        #expect(out.contains("\"converged\""))
        #expect(!err.contains("newton: iteration"))
    }

    @Test("--progress-interval 0 prints every report; a negative interval is invalid input (exit 2)")
    func everyReport() throws {
        let (out, err, code) = try runTool(["solve", "-", "--progress", "--progress-interval", "0"], input: Self.bratu)
        #expect(code == 0, "\(err)")
        #expect(out.contains("\"converged\""))
        let lines = err.split(separator: "\n").filter { $0.contains("newton: iteration") }
        #expect(lines.count >= 3, "\(err)")
        #expect(lines.first?.contains("newton: iteration 0,") == true, "\(err)")
        let (bad, _, badCode) = try runTool(["solve", "-", "--progress", "--progress-interval", "-1"], input: Self.bratu)
        #expect(badCode == 2)
        #expect(bad.contains("--progress-interval"))
    }
}

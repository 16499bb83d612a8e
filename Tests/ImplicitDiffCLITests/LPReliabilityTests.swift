import Foundation
import Testing
@testable import ImplicitDiffCLI

// Issue 13 for the `lp` kind end to end: no abort and nothing but the JSON on standard
// output (the built executable, run as a process), honest exit codes for problems GLPK
// got wrong, `stats.certificate`, model paths that are not regular files, and
// `lp_smoothing` never differentiating an answer that failed its check.

/// The document's output object and exit code, in-process.
private func solveLP(_ document: String) -> (JSONObject, Int32) {
    let (out, code) = CLIRunner().run(document)
    guard case let .object(o)? = try? JSON.parse(out) else {
        Issue.record("output is not a JSON object: \(out)")
        return (JSONObject([:]), code)
    }
    return (o, code)
}

private func kind(_ o: JSONObject) -> String? {
    guard case let .object(e)? = o["error"], case let .string(k)? = e["kind"] else { return nil }
    return k
}

private func text(_ o: JSONObject) -> String {
    guard case let .object(e)? = o["error"], case let .string(m)? = e["message"] else { return "" }
    return m
}

/// `stats.certificate` as `(name, value)` pairs, in order.
private func certificate(_ o: JSONObject) -> [(String, Double)] {
    guard case let .object(stats)? = o["stats"], case let .object(c)? = stats["certificate"] else { return [] }
    return c.keys.compactMap { key in
        if case let .number(v)? = c[key] { return (key, v) }
        return nil
    }
}

@Suite("CLI kind lp: reliability")
struct LPReliabilityCLITests {
    static let crash = #"{"problem":"lp","data":{"c":[1,1],"G":[[1e200,1]],"h":[1]}}"#
    static let unbounded = #"{"problem":"lp","data":{"c":[1,1e7],"G":[[0,-1]],"h":[0]}}"#

    /// The executable: `G = [[1e200, 1]]` aborted it (exit 134) with GLPK's
    /// "glp_set_sjj: invalid scale factor" on standard output. Now: exit 2, and standard
    /// output is exactly one JSON object.
    @Test func noAbortAndOnlyJSONOnStandardOutput() throws {
        for (document, exit, expectedKind) in [(Self.crash, Int32(2), "invalid_input"), (Self.unbounded, 3, "unbounded")] {
            let r = try runTool(["solve", "-", "--quiet"], input: document)
            #expect(r.code == exit, "stdout: \(r.stdout) stderr: \(r.stderr)")
            #expect(!r.stdout.contains("glp_") && !r.stdout.contains("Error detected"), "GLPK text on stdout: \(r.stdout)")
            guard case let .object(o) = try JSON.parse(r.stdout) else {
                Issue.record("stdout is not one JSON object: \(r.stdout)")
                continue
            }
            #expect(kind(o) == expectedKind, "\(r.stdout)")
        }
    }

    @Test func coefficientOutsideGLPKsRangeIsInvalidInputNamingTheEntry() {
        let (o, code) = solveLP(Self.crash)
        #expect(code == 2 && kind(o) == "invalid_input")
        #expect(text(o).contains("G[0, 0]"))
    }

    /// `min z1 + 1e7 z2, z2 >= 0` was "optimal" at z = 0; with one entry of 1e-200 another
    /// LP was "optimal" with a non-zero dual residual and `lp_smoothing` differentiated it.
    @Test func wrongOptimaAreNotReported() {
        let (u, uc) = solveLP(Self.unbounded)
        #expect(uc == 3 && kind(u) == "unbounded", "\(u)")
        let smoothed = #"{"problem":"lp","data":{"c":[1,1e7],"G":[[0,-1]],"h":[0]},"derivative":{"vjp":{"z":[1,0]}},"options":{"lp_smoothing":0.1}}"#
        let (s, sc) = solveLP(smoothed)
        #expect(sc == 3 && kind(s) == "unbounded" && s["vjp"] == nil)
        let tiny = #"{"problem":"lp","data":{"c":[-1,-1],"G":[[1e-200,1],[1,-1]],"h":[1,0]},"derivative":{"vjp":{"z":[1,0]}},"options":{"lp_smoothing":0.1}}"#
        let (t, tc) = solveLP(tiny)
        #expect(tc == 2 && kind(t) == "invalid_input" && t["vjp"] == nil)
    }

    /// `stats.certificate` carries the four figures of the check, for JSON data and for a
    /// model file.
    @Test func statsCertificate() throws {
        let (o, code) = solveLP(#"{"problem":"lp","data":{"c":[-1,-1],"G":[[1e-90,1],[1,-1]],"h":[1,0]}}"#)
        #expect(code == 0)
        let figures = certificate(o)
        #expect(figures.map(\.0) == ["primal", "dual", "complementarity", "gap"])
        #expect(figures.allSatisfy { $0.1 >= 0 && $0.1 < 1e-12 }, "\(figures)")

        let model = """
        NAME WYNDOR
        ROWS
         N PROFIT
         L PLANT1
         L PLANT2
         L PLANT3
        COLUMNS
         DOORS PROFIT -3 PLANT1 1
         DOORS PLANT3 3
         WINDOWS PROFIT -5 PLANT2 2
         WINDOWS PLANT3 2
        RHS
         RHS PLANT1 4 PLANT2 12
         RHS PLANT3 18
        ENDATA

        """
        let path = NSTemporaryDirectory() + "implicitdiff-lp-cli-\(UUID().uuidString).mps"
        try model.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (m, mc) = solveLP(#"{"problem":"lp","data":{"mps":"\#(path)"}}"#)
        #expect(mc == 0, "\(m)")
        #expect(certificate(m).count == 4 && certificate(m).allSatisfy { $0.1 < 1e-12 })
    }

    /// A model path that is a FIFO blocked forever; now exit 2 at once.
    @Test func fifoModelPathIsInvalidInput() throws {
        let path = NSTemporaryDirectory() + "implicitdiff-lp-cli-\(UUID().uuidString).mps"
        try #require(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let done = DispatchSemaphore(value: 0)
        let box = OutputBox()
        Thread {
            box.set(CLIRunner().run(#"{"problem":"lp","data":{"mps":"\#(path)"}}"#))
            done.signal()
        }.start()
        if done.wait(timeout: .now() + 20) == .timedOut {
            let fd = open(path, O_WRONLY | O_NONBLOCK)   // unblock the reader
            if fd >= 0 { close(fd) }
            Issue.record("a FIFO model path blocked")
            _ = done.wait(timeout: .now() + 5)
        }
        let (out, code) = box.get() ?? ("", -1)
        #expect(code == 2 && out.contains("invalid_input") && out.contains("FIFO"), "\(out)")
    }
}

/// The CLI's output, set on one thread and read on another.
private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (String, Int32)?
    func set(_ v: (output: String, exitCode: Int32)) { lock.lock(); value = (v.output, v.exitCode); lock.unlock() }
    func get() -> (String, Int32)? { lock.lock(); defer { lock.unlock() }; return value }
}

import Foundation
import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

/// Runs `lines` through a batch with `jobs` workers; returns the result lines.
func runBatch(_ lines: [String], jobs: Int, includeOutputs: Bool = true) -> (lines: [String], summary: BatchRunner.Summary) {
    var iterator = lines.makeIterator()
    var out: [String] = []
    let batch = BatchRunner(jobs: jobs, runner: CLIRunner(includeOutputs: includeOutputs))
    let summary = batch.run(nextLine: { iterator.next() }, write: { out.append($0) })
    return (out, summary)
}

/// A result line without its timings (which differ from run to run).
func withoutTimings(_ line: String) throws -> JSON {
    guard case var .object(o) = try JSON.parse(line) else { return .null }
    if case var .object(stats)? = o["stats"] {
        stats.entries.removeAll { $0.key == "forward_seconds" || $0.key == "derivative_seconds" }
        o.entries = o.entries.map { $0.key == "stats" ? ($0.key, .object(stats)) : $0 }
    }
    return .object(o)
}

@Suite("CLI: implicitdiff batch")
struct BatchRunnerTests {
    /// A mixed batch: every kind's samples, a malformed line, an infeasible LP, a bad
    /// request, ids of several JSON types, and blank lines.
    static func mixedLines() -> [String] {
        var lines: [String] = []
        var k = 0
        for kind in ProblemKinds.all {
            for seed: UInt64 in 1...3 {
                guard let data = kind.sample(seed: seed) else { continue }
                let id: JSON = k % 3 == 0 ? .string("p\(k)") : (k % 3 == 1 ? .number(Double(k * 10)) : .array([.number(Double(k))]))
                let doc = JSON.object(JSONObject([("id", id), ("problem", .string(kind.name)), ("data", .object(data))]))
                lines.append(doc.serialized())
                k += 1
            }
        }
        lines.insert("{not json", at: 3)
        lines.insert("", at: 5)
        lines.insert(#"{"id": "infeasible", "problem": "lp", "data": {"c": [1], "G": [[1], [-1]], "h": [-1, -1]}}"#, at: 7)
        lines.insert(#"{"problem": "ridge", "data": {"X": [[1]], "y": [1], "lambda": 1}, "derivative": {"vjp": {"nope": 1}}}"#, at: 9)
        lines.append("   ")
        return lines
    }

    @Test("one result per problem line, in input order, with its id or line number; errors carry the exit code")
    func orderIdsAndErrors() throws {
        let lines = Self.mixedLines()
        let (out, summary) = runBatch(lines, jobs: 3)
        let problemLines = lines.enumerated().filter { !$0.element.allSatisfy(\.isWhitespace) }
        #expect(out.count == problemLines.count)
        #expect(summary.problems == problemLines.count)
        #expect(summary.failures == 3)
        for ((lineNumber, input), output) in zip(problemLines, out) {
            let result = try JSON.parse(output)
            let expectedID: JSON
            if case let .object(o)? = try? JSON.parse(input), let id = o["id"] { expectedID = id } else { expectedID = .number(Double(lineNumber)) }
            #expect(field(result, "id") == expectedID, "line \(lineNumber)")
            if input == "{not json" {
                #expect(errorKind(result) == "invalid_input")
                #expect(field(result, "exit") == .number(2))
            } else if input.contains("infeasible") {
                #expect(errorKind(result) == "infeasible")
                #expect(field(result, "exit") == .number(3))
            } else if input.contains("nope") {
                #expect(field(result, "exit") == .number(2))
            } else {
                #expect(field(result, "status") != nil, "line \(lineNumber): \(output.prefix(200))")
                #expect(field(result, "exit") == nil)
            }
        }
    }

    @Test("results do not depend on the number of workers (bit for bit, timings aside)")
    func independentOfJobs() throws {
        var lines: [String] = []
        for kind in ProblemKinds.all {
            for seed: UInt64 in 1...2 {
                guard let data = kind.sample(seed: seed) else { continue }
                lines.append(JSON.object(JSONObject([("problem", .string(kind.name)), ("data", .object(data))])).serialized())
            }
        }
        let one = try runBatch(lines, jobs: 1).lines.map(withoutTimings)
        let three = try runBatch(lines, jobs: 3).lines.map(withoutTimings)
        #expect(one == three)
        // and a batch line gives what `solve` gives for the same document
        let single = try withoutTimings(CLIRunner().run(lines[0]).output)
        guard case var .object(o) = one[0] else { Issue.record("not an object"); return }
        o.entries.removeFirst()
        #expect(JSON.object(o) == single)
    }

    @Test("a long batch streams: results are written before the input ends, with bounded look-ahead")
    func streams() {
        let doc = #"{"problem": "ridge", "data": {"X": [[1, 2], [3, 4], [5, 7]], "y": [1, 0, 2], "lambda": 0.5}}"#
        var read = 0, maxAhead = 0, written = 0
        let batch = BatchRunner(jobs: 2, runner: CLIRunner())
        let summary = batch.run(nextLine: { () -> String? in
            guard read < 500 else { return nil }
            read += 1
            maxAhead = max(maxAhead, read - written)
            return doc
        }, write: { _ in written += 1 })
        #expect(summary.problems == 500)
        #expect(written == 500)
        #expect(maxAhead <= 4 * 2 + 1, "read \(maxAhead) lines ahead of the output")
    }
}

@Suite("Core: ConcurrentBatch")
struct ConcurrentBatchTests {
    @Test("map keeps input order, isolates failures, and runs at most `jobs` at once")
    func mapOrderAndFailures() {
        struct Odd: Error {}
        let running = Counter()
        let results = ConcurrentBatch.map(Array(0..<200), jobs: 3) { i -> Int in
            running.enter()
            defer { running.leave() }
            if i % 7 == 3 { throw Odd() }
            return i * i
        }
        #expect(results.count == 200)
        for (i, r) in results.enumerated() {
            switch r {
            case let .success(v): #expect(i % 7 != 3 && v == i * i)
            case .failure: #expect(i % 7 == 3)
            }
        }
        #expect(running.peak <= 3)
        #expect(running.peak >= 1)
    }
}

/// Counts concurrent entries and remembers the peak.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private(set) var peak = 0
    func enter() { lock.lock(); now += 1; peak = max(peak, now); lock.unlock() }
    func leave() { lock.lock(); now -= 1; lock.unlock() }
}

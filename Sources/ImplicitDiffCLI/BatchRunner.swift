import Glibc
import ImplicitDiff

/// `implicitdiff batch`: JSON Lines in, one result line per problem line out, in input
/// order, streamed, with `jobs` problems running at once (spec/cli-json.md,
/// "`implicitdiff batch`").
///
/// * A problem line is the `solve` document plus an optional `"id"` of any JSON type; the
///   result line carries that `id` (the 0-based line number when there is none) first,
///   then the `solve` result, or `{"id", "error": {"kind", "message"}, "exit": E}` with
///   the exit code `solve` would have used. Blank lines are skipped (they still count in
///   the line numbers).
/// * Memory holds at most `4 * jobs` problems and results at once, whatever the length
///   of the batch.
/// * Results do not depend on `jobs`: each problem runs alone on one worker thread, with
///   single-threaded BLAS (``ConcurrentBatch``).
public struct BatchRunner {
    /// Problems solved at once.
    public var jobs: Int
    /// Solve options shared by every line (`--no-outputs`; the folder that relative model
    /// paths resolve against).
    public var runner: CLIRunner

    /// The number of cores: the default `--jobs`.
    public static var defaultJobs: Int { ConcurrentBatch.defaultJobs }

    public init(jobs: Int = ConcurrentBatch.defaultJobs, runner: CLIRunner = CLIRunner()) {
        self.jobs = jobs
        self.runner = runner
    }

    /// What a batch did.
    public struct Summary: Sendable, Equatable {
        /// Problem lines read (blank lines excluded).
        public var problems = 0
        /// Lines whose result is an error.
        public var failures = 0
    }

    /// Runs every line from `nextLine` (nil at the end), handing each result line to
    /// `write` in input order; `progress` sees the running summary after each result.
    @discardableResult
    public func run(nextLine: () -> String?, write: (String) -> Void,
                    progress: ((Summary) -> Void)? = nil) -> Summary {
        run(nextLine: { nextLine().map { Array($0.utf8) } },
            write: { write(String(decoding: $0, as: UTF8.self)) }, progress: progress)
    }

    /// The same on UTF-8 bytes: lines as read (``LineReader/nextBytes()``), result lines
    /// without their newline.
    @discardableResult
    public func run(nextLine: () -> [UInt8]?, write: ([UInt8]) -> Void,
                    progress: ((Summary) -> Void)? = nil) -> Summary {
        var lineNumber = -1
        var summary = Summary()
        let runner = self.runner
        ConcurrentBatch.forEach(
            jobs: jobs, window: 4 * max(jobs, 1),
            next: { () -> (Int, [UInt8])? in
                while let line = nextLine() {
                    lineNumber += 1
                    if !line.allSatisfy(Self.isWhitespace) { return (lineNumber, line) }
                }
                return nil
            },
            body: { item in Self.resultLine(item.1, lineNumber: item.0, runner: runner) },
            emit: { _, result in
                summary.problems += 1
                if result.failed { summary.failures += 1 }
                write(result.line)
                progress?(summary)
            })
        return summary
    }

    /// The result line of one problem line, and whether it is an error.
    static func resultLine(_ text: [UInt8], lineNumber: Int, runner: CLIRunner) -> (line: [UInt8], failed: Bool) {
        var id = JSON.number(Double(lineNumber))
        let output: JSON, code: Int32
        do {
            var doc = try JSON.parse(bytes: text)
            if case var .object(top) = doc, let given = top["id"] {
                id = given
                top.entries.removeAll { $0.key == "id" }
                doc = .object(top)
            }
            (output, code) = runner.run(document: doc)
        } catch let e as JSONSyntaxError {
            (output, code) = (CLIError.invalidInput(e.description).json, 2)
        } catch {
            (output, code) = (CLIError.invalidInput("\(error)").json, 2)
        }
        guard case let .object(result) = output else { return (output.serializedBytes(), true) }
        var entries: [(key: String, value: JSON)] = [("id", id)]
        entries += result.entries
        if code != 0 { entries.append(("exit", .number(Double(code)))) }
        return (JSON.object(JSONObject(entries)).serializedBytes(), code != 0)
    }

    /// JSON's whitespace (and the `\r` of a Windows line end).
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}

import Foundation
import Testing
@testable import ImplicitDiffCLI

/// Runs the built `implicitdiff` executable (beside the test bundle in `.build/<config>`)
/// with `arguments` and `input` on standard input.
func runTool(_ arguments: [String], input: String = "") throws -> (stdout: String, stderr: String, code: Int32) {
    let tool = toolURL()
    let process = Process()
    process.executableURL = tool
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self), process.terminationStatus)
}

/// `.build/<config>/implicitdiff`: the test bundle lives in the same folder.
func toolURL() -> URL {
    var dir = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("implicitdiff")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir.deleteLastPathComponent()
        let debug = dir.appendingPathComponent("debug/implicitdiff")
        if FileManager.default.isExecutableFile(atPath: debug.path) { return debug }
    }
    return URL(fileURLWithPath: ".build/debug/implicitdiff")
}

@Suite("CLI: the executable's arguments, usage errors and --out")
struct ToolProcessTests {
    @Test("the executable is built beside the tests (scripts/test.sh builds every product)")
    func executableExists() {
        #expect(FileManager.default.isExecutableFile(atPath: toolURL().path), "no implicitdiff at \(toolURL().path)")
    }

    @Test("--version prints the package version")
    func version() throws {
        let r = try runTool(["--version"])
        #expect(r.code == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ToolVersion.current)
    }

    @Test("usage errors are the contract's JSON error with exit 2, usage text on standard error",
          arguments: [
            (["solve", "--repeat", "abc", "x.json"], "--repeat"),
            (["solve"], "<problem>"),
            (["--bogus"], "--bogus"),
            (["solve", "-", "--no-such-flag"], "--no-such-flag"),
          ])
    func usageErrors(arguments: [String], mentions: String) throws {
        let r = try runTool(arguments)
        #expect(r.code == 2, "\(arguments)")
        let json = try JSON.parse(r.stdout)
        #expect(errorKind(json) == "invalid_input")
        guard case let .string(message)? = field(json, "error", "message") else {
            Issue.record("no message in \(r.stdout)"); return
        }
        #expect(message.contains(mentions), "\(message)")
        #expect(r.stderr.contains("Usage"), "usage text on standard error")
    }

    @Test("schema KIND prints that kind's schema; an unknown kind is exit 2")
    func schema() throws {
        let r = try runTool(["schema", "lp"])
        #expect(r.code == 0)
        guard case let .array(kinds)? = field(try JSON.parse(r.stdout), "kinds") else { Issue.record("\(r.stdout)"); return }
        #expect(kinds.count == 1)
        #expect(field(kinds.first, "kind") == .string("lp"))
        let bad = try runTool(["schema", "nope"])
        #expect(bad.code == 2)
        #expect(errorKind(try JSON.parse(bad.stdout)) == "invalid_input")
    }

    @Test("with --out, an error is written to the file and to standard output")
    func errorToOutFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("implicitdiff-out-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let doc = #"{"problem": "ridge", "data": {"X": [[1]], "y": [1], "lambda": -1}}"#
        let r = try runTool(["solve", "-", "--out", path, "--quiet"], input: doc)
        #expect(r.code == 2)
        #expect(errorKind(try JSON.parse(r.stdout)) == "invalid_input")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(errorKind(try JSON.parse(written)) == "invalid_input")
    }

    @Test("a result with --out goes to the file only; standard output stays empty")
    func resultToOutFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("implicitdiff-out-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let doc = #"{"problem": "ridge", "data": {"X": [[1, 2], [3, 4], [5, 7]], "y": [1, 0, 2], "lambda": 0.5}}"#
        let r = try runTool(["solve", "-", "--out", path, "--quiet"], input: doc)
        #expect(r.code == 0)
        #expect(r.stdout.isEmpty)
        #expect(field(try JSON.parse(try String(contentsOfFile: path, encoding: .utf8)), "status") == .string("optimal"))
    }
}

@Suite("CLI: derivative requests are checked before the forward solve")
struct EarlyRequestCheckTests {
    /// An infeasible LP (z <= -1 and -z <= -1): solving would be exit 3, so exit 2 proves
    /// that the names were checked first.
    static let infeasibleLP = #""problem": "lp", "data": {"c": [1], "G": [[1], [-1]], "h": [-1, -1]}"#

    @Test("unknown names are exit 2 even when the solve would fail", arguments: [
        #"{"vjp": {"nope": [1]}}"#,
        #"{"jvp": {"Q": [1]}}"#,
        #"{"jacobian": {"of": "z", "wrt": "rhs"}}"#,
    ])
    func unknownNamesBeforeSolve(request: String) {
        let (json, code) = run("{" + Self.infeasibleLP + #", "derivative": "# + request + "}")
        #expect(code == 2)
        #expect(errorKind(json) == "invalid_input")
    }

    @Test("the same infeasible LP with a valid request is exit 3 (the check is not over-eager)")
    func validRequestReachesTheSolve() {
        let (json, code) = run("{" + Self.infeasibleLP + #", "derivative": {"vjp": {"value": 1}}}"#)
        #expect(code == 3)
        #expect(errorKind(json) == "infeasible")
    }

    @Test("every kind's signature names what its solved problem reports", arguments: ProblemKinds.all.map { $0.name })
    func signatureMatchesSolvedProblem(kindName: String) throws {
        guard let kind = ProblemKinds.named(kindName) else { Issue.record("no kind \(kindName)"); return }
        for seed: UInt64 in 1...2 {
            guard let data = kind.sample(seed: seed), let signature = kind.signature(for: data) else {
                Issue.record("\(kindName): no sample or no signature"); return
            }
            let solved = try kind.solve(data, options: ProblemOptions())
            #expect(signature.outputs == solved.outputs.map(\.name), "\(kindName) #\(seed)")
            #expect(signature.parameters == solved.parameterShapes.map(\.name), "\(kindName) #\(seed)")
        }
    }
}

import ArgumentParser
import Foundation
import Testing
@testable import implicitdiff

/// `SolveInvocation(commonArguments:)` reads some `solve` command lines without
/// ArgumentParser; whatever it accepts must mean exactly what ArgumentParser makes of it.
@Suite struct SolveInvocationTests {
    /// Words valid and invalid in a `solve` command line: paths, `-`, every flag and
    /// option of `solve` (with and without values, `=` forms), help, a short flag, `--`,
    /// an unknown flag, an empty word and another subcommand's name.
    static let alphabet = [
        "p.json", "q.json", "-", "--out", "o.json", "--quiet", "--no-outputs", "--progress",
        "--repeat", "3", "--out=o.json", "--progress-interval", "--help", "-h", "--", "--bogus", "", "kinds",
    ]

    /// Every word sequence of length `0...maxLength` over `alphabet`.
    static func commandLines(maxLength: Int) -> [[String]] {
        var all: [[String]] = [[]]
        var level: [[String]] = [[]]
        for _ in 0..<maxLength {
            level = level.flatMap { line in alphabet.map { line + [$0] } }
            all += level
        }
        return all
    }

    /// What ArgumentParser makes of `solve` + `words`: the invocation, or nil when it
    /// refuses the line or parses it as something else than `solve`.
    static func parsed(_ arguments: [String]) -> SolveInvocation? {
        guard let command = try? ImplicitDiffTool.parseAsRoot(arguments) else { return nil }
        return (command as? Solve)?.invocation
    }

    @Test func everyAcceptedLineMeansWhatArgumentParserParses() {
        var accepted = 0
        for words in Self.commandLines(maxLength: 4) {
            let arguments = ["solve"] + words
            guard let fast = SolveInvocation(commonArguments: arguments) else { continue }
            accepted += 1
            #expect(Self.parsed(arguments) == fast, "\(arguments)")
        }
        // Not vacuous: the accepted lines include every flag combination around one path.
        #expect(accepted > 300)
    }

    @Test func theShapesScriptsUseTakeTheFastPath() throws {
        let lines: [[String]] = [
            ["solve", "p.json"],
            ["solve", "-"],
            ["solve", "p.json", "--out", "r.json", "--quiet"],
            ["solve", "--quiet", "--no-outputs", "--out", "r.json", "dir/p.json"],
            ["solve", "p.json", "--progress"],
            ["solve", "--out", "r.json", "--progress", "--no-outputs", "--quiet", "p.json"],
        ]
        for arguments in lines {
            let fast = try #require(SolveInvocation(commonArguments: arguments), "\(arguments)")
            #expect(Self.parsed(arguments) == fast, "\(arguments)")
        }
        let full = try #require(SolveInvocation(commonArguments: lines[5]))
        #expect(full == SolveInvocation(problem: "p.json", out: "r.json", repetitions: 1, includeOutputs: false,
                                        quiet: true, progress: true, progressInterval: 1))
    }

    /// The problem's folder (where relative model paths are looked up) is the one
    /// Foundation's URL gives.
    @Test func problemFolderAsURLGivesIt() {
        let cwd = FileManager.default.currentDirectoryPath
        for path in ["p.json", "dir/p.json", "dir/sub/p.json", "/p.json", "/abs/dir/p.json", "./p.json",
                     "../up/p.json", "dir//p.json", "/abs/dir/", "a b/p q.json", "/a/./b/../c/p.json", "/abs//dir/p.json", "sub/./x/../p.json"] {
            let url = URL(fileURLWithPath: path)
            #expect(SolveInvocation.folder(of: path, in: cwd) == url.deletingLastPathComponent().path, "\(path)")
        }
    }

    @Test func otherLinesAreLeftToArgumentParser() {
        let lines: [[String]] = [
            [], ["solve"], ["--help"], ["--version"], ["kinds"], ["batch", "p.jsonl"],
            ["solve", "p.json", "--help"], ["solve", "-h"], ["solve", "p.json", "--repeat", "3"],
            ["solve", "p.json", "--out=r.json"], ["solve", "p.json", "--quiet", "--quiet"],
            ["solve", "p.json", "q.json"], ["solve", "p.json", "--out"], ["solve", "p.json", "--out", "-"],
            ["solve", "--", "p.json"], ["solve", "-x.json"], ["solve", ""], ["solve", "p.json", "--progress-interval", "0"],
            ["solve", "p.json", "--out", "a", "--out", "b"],
        ]
        for arguments in lines {
            #expect(SolveInvocation(commonArguments: arguments) == nil, "\(arguments)")
        }
    }
}

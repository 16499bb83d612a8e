import Glibc
import ImplicitDiffCLI

/// One `implicitdiff solve` run: what its arguments ask for, and the run itself.
///
/// ``Solve`` (the ArgumentParser command, which defines the command line, its help and its
/// errors) makes one from its parsed options. ``init(commonArguments:)`` makes one without
/// the parser for the invocations scripts repeat once per problem: ArgumentParser's first
/// use costs about 13 M instructions (1.2 ms, more than the rest of a small LP request:
/// type metadata instantiated by mangled name and some 70 protocol-conformance scans
/// over the binary's 5 700 records), paid by every process.
struct SolveInvocation: Equatable {
    /// The problem file, or `-` for standard input.
    var problem: String
    /// `--out`: where the result goes instead of standard output.
    var out: String?
    /// `--repeat N`.
    var repetitions: Int = 1
    /// Not `--no-outputs`.
    var includeOutputs: Bool = true
    /// `--quiet`.
    var quiet: Bool = false
    /// `--progress`.
    var progress: Bool = false
    /// `--progress-interval S`.
    var progressInterval: Double = 1

    /// The invocation `arguments` (the command line without the program name) ask for,
    /// when they have this shape: `solve`, then in any order one problem path and at most
    /// one each of `--out PATH`, `--quiet`, `--no-outputs` and `--progress`, where no path
    /// starts with `-` but a problem path that is `-` itself (standard input). `nil` for
    /// any other command line (help, `--repeat`, `--out=PATH`, a repeated flag, a typo,
    /// another subcommand), which the caller gives to ArgumentParser. A test checks, over
    /// every command line of up to four words from an alphabet of valid and invalid
    /// words, that whatever this accepts ArgumentParser parses to the same invocation.
    init?(commonArguments arguments: [String]) {
        guard arguments.first == "solve" else { return nil }
        var problem: String?
        var index = arguments.index(after: arguments.startIndex)
        while index < arguments.endIndex {
            let word = arguments[index]
            switch word {
            case "--quiet":
                guard !quiet else { return nil }
                quiet = true
            case "--no-outputs":
                guard includeOutputs else { return nil }
                includeOutputs = false
            case "--progress":
                guard !progress else { return nil }
                progress = true
            case "--out":
                index += 1
                guard out == nil, index < arguments.endIndex, Self.isPath(arguments[index]) else { return nil }
                out = arguments[index]
            default:
                guard problem == nil, Self.isPath(word) || word == "-" else { return nil }
                problem = word
            }
            index += 1
        }
        guard let problem else { return nil }
        self.problem = problem
    }

    init(problem: String, out: String?, repetitions: Int, includeOutputs: Bool, quiet: Bool,
         progress: Bool, progressInterval: Double) {
        self.problem = problem
        self.out = out
        self.repetitions = repetitions
        self.includeOutputs = includeOutputs
        self.quiet = quiet
        self.progress = progress
        self.progressInterval = progressInterval
    }

    /// A word that can only be a value: not empty, no leading `-`.
    private static func isPath(_ word: String) -> Bool {
        guard let first = word.utf8.first else { return false }
        return first != UInt8(ascii: "-")
    }

    /// Reads the problem, solves and differentiates it, writes the result, and exits with
    /// the contract's exit code.
    func run() -> Never {
        let text: String
        var base = FileDescriptorIO.currentDirectory
        let log: (@Sendable (String) -> Void)? = quiet ? nil : { @Sendable message in
            FileDescriptorIO.writeStandardError("implicitdiff: " + message + "\n")
        }
        if problem == "-" {
            guard let bytes = FileDescriptorIO.readAll(STDIN_FILENO) else {
                emit(CLIError.invalidInput("cannot read standard input: \(String(cString: strerror(errno)))").json.serialized(), code: 2)
            }
            text = String(decoding: bytes, as: UTF8.self)
        } else {
            guard let bytes = FileDescriptorIO.readAll(path: problem) else {
                emit(CLIError.invalidInput("cannot read the problem file '\(problem)': \(String(cString: strerror(errno)))").json.serialized(), code: 2)
            }
            text = String(decoding: bytes, as: UTF8.self)
            base = Self.folder(of: problem, in: base)
        }
        guard repetitions >= 1 else {
            emit(CLIError.invalidInput("--repeat must be at least 1").json.serialized(), code: 2)
        }
        guard progressInterval >= 0, progressInterval.isFinite else {
            emit(CLIError.invalidInput("--progress-interval must be a finite number of seconds >= 0").json.serialized(), code: 2)
        }
        let runner = CLIRunner(repetitions: repetitions, includeOutputs: includeOutputs, baseDirectory: base, log: log)
        let (output, code): (String, Int32)
        if progress, !quiet, let log {
            let printer = SolveProgressPrinter(interval: progressInterval, write: log)
            (output, code) = printer.watching { runner.run(text) }
        } else {
            (output, code) = runner.run(text)
        }
        if code != 0 { log?(output) }
        emit(output, code: code)
    }

    /// The absolute path of the folder that holds `path`, as
    /// `URL(fileURLWithPath:).deletingLastPathComponent().path` gives it (a relative path is
    /// taken relative to `currentDirectory`, with its `.` and `..` resolved by name; an
    /// absolute one is kept as written), without Foundation's URL parsing (0.6 M
    /// instructions at first use).
    static func folder(of path: String, in currentDirectory: String) -> String {
        if path.hasPrefix("/") {
            var folder = Substring(path)
            while folder.hasSuffix("/") { folder.removeLast() }
            folder = folder[..<(folder.lastIndex(of: "/") ?? folder.startIndex)]
            return folder.isEmpty ? "/" : String(folder)
        }
        var names: [Substring] = []
        for name in (currentDirectory + "/" + path).split(separator: "/") {
            switch name {
            case ".": continue
            case "..": if !names.isEmpty { names.removeLast() }
            default: names.append(name)
            }
        }
        if !names.isEmpty { names.removeLast() }
        return "/" + names.joined(separator: "/")
    }

    /// Writes the result (or error) document to `--out` when given, and to standard output
    /// unless it is a result written to `--out`: an error goes to both.
    func emit(_ output: String, code: Int32) -> Never {
        if let out {
            let descriptor = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            let written = descriptor >= 0 && FileDescriptorIO.writeAll(Array((output + "\n").utf8), to: descriptor)
            let failure = errno
            if descriptor >= 0 { close(descriptor) }
            guard written else {
                let e = CLIError.invalidInput("cannot write '\(out)': \(String(cString: strerror(failure)))")
                print(e.json.serialized())
                Glibc.exit(2)
            }
            if code != 0 { print(output) }
        } else {
            print(output)
        }
        Glibc.exit(code)
    }
}

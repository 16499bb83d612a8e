import ArgumentParser
import Glibc
import ImplicitDiffCLI
import _ImplicitDiffKernels

/// `implicitdiff`: JSON problem in, solution and derivatives out (see the README).
@main
struct ImplicitDiffTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "implicitdiff",
        abstract: "Solve a problem from JSON and differentiate its solution by the implicit function theorem.",
        version: ToolVersion.current,
        subcommands: [Solve.self, BatchCommand.self, Kinds.self, Schema.self, GradCheck.self])

    /// Parses the arguments, then runs the command. A usage error (unknown flag, missing
    /// file argument, `--repeat abc`) is the contract's JSON error on standard output with
    /// exit 2, and the usage text on standard error; `--help` and `--version` print as usual.
    static func main() {
        // `solve FILE [--out PATH] [--quiet] [--no-outputs] [--progress]` runs without the
        // parser's first-use cost; everything else is ArgumentParser's (SolveInvocation).
        if let invocation = SolveInvocation(commonArguments: Array(CommandLine.arguments.dropFirst())) {
            invocation.run()
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            var message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            FileDescriptorIO.writeStandardError(fullMessage(for: error) + "\n")
            print(CLIError.invalidInput("usage: \(message) (see implicitdiff --help)").json.serialized())
            Glibc.exit(2)
        }
        do { try command.run() } catch { exit(withError: error) }
    }
}

struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve PROBLEM.json (or - for standard input); the result JSON goes to standard output.")

    @Argument(help: "The problem file, or - for standard input.")
    var problem: String

    @Option(name: .long, help: "Write the result to this file instead of standard output.")
    var out: String?

    @Option(name: .long, help: "Solve and differentiate N times; report the minimum times.")
    var `repeat`: Int = 1

    @Flag(name: .long, help: "Leave the outputs out of the result (derivatives and stats stay).")
    var noOutputs = false

    @Flag(name: .long, help: "No progress messages on standard error.")
    var quiet = false

    @Flag(name: .long, help: "Show the solver's iteration, residual and elapsed time on standard error (once a second during long solves).")
    var progress = false

    @Option(name: .long, help: "With --progress: at most one line per this many seconds (0: every iteration).")
    var progressInterval: Double = 1

    /// What the parsed options ask for.
    var invocation: SolveInvocation {
        SolveInvocation(problem: problem, out: out, repetitions: self.repeat, includeOutputs: !noOutputs,
                        quiet: quiet, progress: progress, progressInterval: progressInterval)
    }

    func run() throws { invocation.run() }
}

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Solve every problem of a JSON Lines file (or - for standard input), several at once; one result line per problem, in input order.")

    @Argument(help: "The JSON Lines file, or - for standard input.")
    var problems: String

    @Option(name: .long, help: "Write the result lines to this file instead of standard output.")
    var out: String?

    @Option(name: .long, help: "Problems solved at once (default: the number of cores).")
    var jobs: Int = BatchRunner.defaultJobs

    @Flag(name: .long, help: "Leave the outputs out of every result (derivatives and stats stay).")
    var noOutputs = false

    @Flag(name: .long, help: "Show progress on standard error (done, failures, rate).")
    var progress = false

    @Flag(name: .long, help: "No messages on standard error.")
    var quiet = false

    func run() throws {
        func fail(_ message: String) -> Never {
            print(CLIError.invalidInput(message).json.serialized())
            Glibc.exit(2)
        }
        guard jobs >= 1 else { fail("--jobs must be at least 1") }
        let input: Int32
        var base = FileDescriptorIO.currentDirectory
        var total: Int?
        if problems == "-" {
            input = STDIN_FILENO
        } else {
            guard let descriptor = FileDescriptorIO.openForReading(problems) else {
                fail("cannot read the batch file '\(problems)': \(String(cString: strerror(errno)))")
            }
            input = descriptor
            base = SolveInvocation.folder(of: problems, in: base)
            if progress, !quiet { total = BatchProgress.countProblemLines(path: problems) }
        }
        let output: Int32
        if let out {
            guard let descriptor = FileDescriptorIO.createForWriting(out) else {
                fail("cannot write '\(out)': \(String(cString: strerror(errno)))")
            }
            output = descriptor
        } else {
            output = STDOUT_FILENO
        }
        let reader = LineReader(fileDescriptor: input)
        let batch = BatchRunner(jobs: jobs, runner: CLIRunner(includeOutputs: !noOutputs, baseDirectory: base))
        let meter = progress && !quiet ? BatchProgress(total: total) : nil
        let summary = batch.run(nextLine: reader.nextBytes,
                                write: { line in
                                    var bytes = line
                                    bytes.append(UInt8(ascii: "\n"))
                                    FileDescriptorIO.writeAll(bytes, to: output)
                                },
                                progress: meter.map { m in { m.update($0) } })
        meter?.finish(summary)
        if output != STDOUT_FILENO { fsync(output) }
        Glibc.exit(summary.failures == 0 ? 0 : 1)
    }
}

struct Kinds: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinds", abstract: "List the problem kinds this build knows.")
    func run() { for k in ProblemKinds.all { print(k.name) } }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "The data fields, outputs, parameters and options of each kind (or of KIND), as JSON.")

    @Argument(help: "Only this problem kind.")
    var kind: String?

    func run() throws {
        var kinds = ProblemKinds.all
        if let kind {
            guard let k = ProblemKinds.named(kind) else {
                let known = ProblemKinds.all.map { $0.name }.joined(separator: ", ")
                print(CLIError.invalidInput("unknown problem kind '\(kind)' (known: \(known))").json.serialized())
                throw ExitCode(2)
            }
            kinds = [k]
        }
        print(KindSchema.document(kinds).serialized())
    }
}

struct GradCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Check every kind's implicit derivatives against finite differences on sample problems.")

    @Option(name: .long, help: "Only this problem kind.")
    var kind: String?

    @Option(name: .long, help: "Seeds to try (problems are random but reproducible).")
    var seeds: Int = 3

    func run() throws {
        let kinds = ProblemKinds.all.filter { kind == nil || $0.name == kind }
        print("| kind | parameter | forward vs finite differences (worst output) | adjoint identity | |")
        print("|---|---|---|---|---|")
        var failures = 0
        for k in kinds {
            for seed in 1...UInt64(max(seeds, 1)) {
                for row in GradientCheck().run(kind: k, seed: seed) {
                    if !row.passed { failures += 1 }
                    let fwd = row.forwardError.isNaN ? "-" : cFormatted(row.forwardError, "%.1e") + " (\(row.worstOutput))"
                    let adj = row.adjointError.isNaN ? "-" : cFormatted(row.adjointError, "%.1e")
                    print("| \(row.kind) #\(seed) | \(row.parameter) | \(fwd) | \(adj) | \(row.passed ? "ok" : "FAIL \(row.note)") |")
                }
            }
        }
        print("")
        print(failures == 0 ? "all derivative checks passed" : "\(failures) derivative checks failed")
        if failures > 0 { throw ExitCode(1) }
    }
}

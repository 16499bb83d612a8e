import ImplicitDiff

/// Runs one problem document end to end: parse, solve, differentiate, serialise.
/// Never traps on bad input: every failure becomes the contract's error document.
public struct CLIRunner: Sendable {
    /// `--repeat N`: solve and differentiate N times, report the minimum times.
    public var repetitions: Int = 1
    /// `--no-outputs`: leave `outputs` out of the result.
    public var includeOutputs: Bool = true
    /// The folder of the problem file (for relative model paths).
    public var baseDirectory: String = "."
    /// Progress messages (standard error in the tool); `nil` for silence.
    public var log: (@Sendable (String) -> Void)?

    public init(repetitions: Int = 1, includeOutputs: Bool = true, baseDirectory: String = ".",
                log: (@Sendable (String) -> Void)? = nil) {
        self.repetitions = repetitions
        self.includeOutputs = includeOutputs
        self.baseDirectory = baseDirectory
        self.log = log
    }

    /// The result document (or error document) and the exit code.
    public func run(_ text: String) -> (output: String, exitCode: Int32) {
        do {
            return (try result(text).serialized(), 0)
        } catch let e as CLIError {
            return (e.json.serialized(), e.exitCode)
        } catch {
            let e = CLIError.invalidInput("\(error)")
            return (e.json.serialized(), e.exitCode)
        }
    }

    static let topLevelKeys: Set<String> = ["problem", "data", "derivative", "options", "description", "comment"]
    static let commonOptionKeys: Set<String> = ["tol", "linear_solver", "linear_tol", "max_iter"]

    /// The result document, or the error document and its exit code, of a parsed problem
    /// document (the `batch` command's lines).
    public func run(document: JSON) -> (output: JSON, exitCode: Int32) {
        do {
            return (try result(document: document), 0)
        } catch let e as CLIError {
            return (e.json, e.exitCode)
        } catch {
            let e = CLIError.invalidInput("\(error)")
            return (e.json, e.exitCode)
        }
    }

    /// The result document; throws ``CLIError``.
    public func result(_ text: String) throws -> JSON {
        let doc: JSON
        do { doc = try JSON.parse(text) } catch let e as JSONSyntaxError {
            throw CLIError.invalidInput(e.description)
        }
        return try result(document: doc)
    }

    /// The result document of a parsed problem document; throws ``CLIError``.
    public func result(document doc: JSON) throws -> JSON {
        guard case let .object(top) = doc else { throw CLIError.invalidInput("the problem document must be a JSON object") }
        try top.rejectUnknownKeys(Self.topLevelKeys, in: "the problem document")
        let name = try top.string("problem")
        guard let kind = ProblemKinds.named(name) else {
            throw CLIError.invalidInput("unknown problem kind '\(name)' (known: \(ProblemKinds.all.map { $0.name }.joined(separator: ", ")))")
        }
        guard case let .object(data)? = top["data"] else { throw CLIError.invalidInput("missing object 'data'") }
        let options = try parseOptions(top["options"], kind: kind)
        let request = try top["derivative"].map(DerivativeRequest.parse)
        if let request, let signature = kind.signature(for: data) {
            try request.checkNames(against: signature)
        }

        var forwardTime = Double.infinity, derivativeTime = Double.infinity
        var solved: (any SolvedProblem)?
        var derivative: (DerivativeValue, LinearSolveReport)?
        let clock = ContinuousClock()
        let solve = try kind.prepare(data, options: options)
        for rep in 0..<max(repetitions, 1) {
            let t0 = clock.now
            let s = try solve()
            let t1 = clock.now
            forwardTime = min(forwardTime, seconds(t1 - t0))
            if rep == 0 { log?("\(name): solved, status \(s.status), \(s.forwardIterations) iterations") }
            if let request {
                let checked = try request.validate(against: s)
                let t2 = clock.now
                derivative = try checked.evaluate(on: s)
                derivativeTime = min(derivativeTime, seconds(clock.now - t2))
            }
            solved = s
        }
        guard let problem = solved else { throw CLIError.invalidInput("nothing was solved") }

        var entries: [(key: String, value: JSON)] = [("status", .string(problem.status))]
        if includeOutputs {
            for o in problem.outputs where !o.value.isFinite {
                throw CLIError.notConverged("output '\(o.name)' has non-finite entries")
            }
            entries.append(("outputs", .object(JSONObject(problem.outputs.map { ($0.name, $0.value.json) }))))
        }
        if let request, let (value, _) = derivative {
            guard value.isFinite else {
                throw CLIError.notDifferentiable("the derivative has non-finite entries")
            }
            entries.append((request.resultKey, value.json))
        }
        let report = derivative?.1
        var stats: [(key: String, value: JSON)] = [
            ("forward_seconds", .number(forwardTime)),
            ("derivative_seconds", .number(request == nil ? 0 : derivativeTime)),
            ("forward_iterations", .number(Double(problem.forwardIterations))),
            ("linear_solver", .string(report?.method ?? "none")),
            ("linear_iterations", .number(Double(report?.iterations ?? 0))),
            ("linear_residual", .number(report.map { $0.relativeResidual.isFinite ? $0.relativeResidual : -1 } ?? 0)),
        ]
        let certificate = problem.certificate
        if let bad = certificate.first(where: { !$0.value.isFinite }) {
            throw CLIError.notConverged("the check of the returned answer gave a non-finite '\(bad.name)'")
        }
        if !certificate.isEmpty {
            stats.append(("certificate", .object(JSONObject(certificate.map { ($0.name, JSON.number($0.value)) }))))
        }
        entries.append(("stats", .object(JSONObject(stats))))
        return .object(JSONObject(entries))
    }

    func parseOptions(_ json: JSON?, kind: any ProblemKind.Type) throws -> ProblemOptions {
        var options = ProblemOptions(baseDirectory: baseDirectory)
        options.includeOutputs = includeOutputs
        guard let json, json != .null else { return options }
        guard case let .object(o) = json else { throw CLIError.invalidInput("'options' must be an object") }
        try o.rejectUnknownKeys(Self.commonOptionKeys.union(kind.optionKeys), in: "'options' of \(kind.name)")
        options.raw = o
        if let tol = try o.optionalScalar("tol") {
            guard tol > 0 else { throw CLIError.invalidInput("'tol' must be positive") }
            options.tol = tol
        }
        if let lt = try o.optionalScalar("linear_tol") {
            guard lt > 0 else { throw CLIError.invalidInput("'linear_tol' must be positive") }
            options.implicit.linearTolerance = lt
        }
        if o.has("max_iter") {
            let m = try o.integer("max_iter")
            guard m > 0 else { throw CLIError.invalidInput("'max_iter' must be a positive integer") }
            options.maxIter = m
        }
        if o.has("linear_solver") {
            let s = try o.string("linear_solver")
            guard let choice = LinearSolverChoice(rawValue: s) else {
                throw CLIError.invalidInput("unknown linear_solver '\(s)' (one of: \(LinearSolverChoice.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            options.implicit.linearSolver = choice
        }
        return options
    }

    func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}

import ImplicitDiff

/// What to differentiate (the `derivative` object of the input).
public enum DerivativeRequest: Equatable {
    case vjp(JSONObject)
    case jvp(JSONObject)
    case jacobian(of: String, wrt: String)

    /// Parses the `derivative` object: exactly one of `vjp`, `jvp`, `jacobian`.
    public static func parse(_ json: JSON) throws -> DerivativeRequest {
        guard case let .object(o) = json else { throw CLIError.invalidInput("'derivative' must be an object") }
        let modes = o.keys.filter { ["vjp", "jvp", "jacobian"].contains($0) }
        try o.rejectUnknownKeys(["vjp", "jvp", "jacobian"], in: "'derivative'")
        guard modes.count == 1 else {
            throw CLIError.invalidInput("'derivative' must hold exactly one of vjp, jvp, jacobian (got \(modes.count))")
        }
        switch modes[0] {
        case "vjp":
            guard case let .object(c) = o["vjp"]! else { throw CLIError.invalidInput("'vjp' must map output names to cotangents") }
            return .vjp(c)
        case "jvp":
            guard case let .object(t) = o["jvp"]! else { throw CLIError.invalidInput("'jvp' must map parameter names to tangents") }
            return .jvp(t)
        default:
            guard case let .object(j) = o["jacobian"]! else { throw CLIError.invalidInput("'jacobian' must be {\"of\": OUTPUT, \"wrt\": PARAM}") }
            try j.rejectUnknownKeys(["of", "wrt"], in: "'jacobian'")
            return .jacobian(of: try j.string("of"), wrt: try j.string("wrt"))
        }
    }

    /// The key of the result that holds the derivative.
    public var resultKey: String {
        switch self {
        case .vjp: return "vjp"
        case .jvp: return "jvp"
        case .jacobian: return "jacobian"
        }
    }

    /// Checks the names of the request against the kind's outputs and parameters before
    /// anything is solved (shapes are checked after the solve, by ``validate(against:)``).
    public func checkNames(against signature: KindSignature) throws {
        func outputs() -> String { signature.outputs.joined(separator: ", ") }
        func parameters() -> String { signature.parameters.joined(separator: ", ") }
        switch self {
        case let .vjp(c):
            for name in c.keys where !signature.outputs.contains(name) {
                throw CLIError.invalidInput("unknown output '\(name)' in vjp (outputs: \(outputs()))")
            }
        case let .jvp(t):
            for name in t.keys where !signature.parameters.contains(name) {
                throw CLIError.invalidInput("unknown parameter '\(name)' in jvp (parameters: \(parameters()))")
            }
        case let .jacobian(of, wrt):
            guard signature.outputs.contains(of) else {
                throw CLIError.invalidInput("unknown output '\(of)' in jacobian (outputs: \(outputs()))")
            }
            guard signature.parameters.contains(wrt) else {
                throw CLIError.invalidInput("unknown parameter '\(wrt)' in jacobian (parameters: \(parameters()))")
            }
        }
    }

    /// Checks names and shapes against the solved problem (before any timing).
    public func validate(against problem: any SolvedProblem) throws -> CheckedDerivativeRequest {
        let outputShapes = problem.outputShapes
        let paramShapes = Dictionary(uniqueKeysWithValues: problem.parameterShapes.map { ($0.name, $0.shape) })
        switch self {
        case let .vjp(c):
            var cot = [String: Tensor]()
            for (name, value) in c.entries {
                guard let shape = outputShapes[name] else {
                    throw CLIError.invalidInput("unknown output '\(name)' in vjp (outputs: \(problem.outputs.map(\.name).joined(separator: ", ")))")
                }
                cot[name] = try JSONObject.tensor(value, "vjp.\(name)", shape: shape)
            }
            return .vjp(cot)
        case let .jvp(t):
            var tan = [String: Tensor]()
            for (name, value) in t.entries {
                guard let shape = paramShapes[name] else {
                    throw CLIError.invalidInput("unknown parameter '\(name)' in jvp (parameters: \(problem.parameterShapes.map(\.name).joined(separator: ", ")))")
                }
                tan[name] = try JSONObject.tensor(value, "jvp.\(name)", shape: shape)
            }
            return .jvp(tan)
        case let .jacobian(of, wrt):
            guard outputShapes[of] != nil else { throw CLIError.invalidInput("unknown output '\(of)' in jacobian") }
            guard paramShapes[wrt] != nil else { throw CLIError.invalidInput("unknown parameter '\(wrt)' in jacobian") }
            return .jacobian(of: of, wrt: wrt)
        }
    }
}

/// A derivative request whose names and shapes have been checked.
public enum CheckedDerivativeRequest {
    case vjp([String: Tensor])
    case jvp([String: Tensor])
    case jacobian(of: String, wrt: String)

    /// Computes the derivative (timed by the runner) and the linear-solve report.
    public func evaluate(on problem: any SolvedProblem) throws -> (DerivativeValue, LinearSolveReport) {
        do {
            switch self {
            case let .vjp(c):
                let (g, r) = try problem.vjp(c)
                return (.named(problem.parameterShapes.map { ($0.name, g[$0.name] ?? .zeros($0.shape)) }), r)
            case let .jvp(t):
                let (d, r) = try problem.jvp(t)
                return (.named(problem.outputs.map { ($0.name, d[$0.name] ?? .zeros($0.value.shape)) }), r)
            case let .jacobian(of, wrt):
                let (m, r) = try problem.jacobian(of: of, wrt: wrt)
                return (.matrix(m), r)
            }
        } catch {
            throw CLIError.fromDerivative(error)
        }
    }
}

/// A computed derivative, before serialisation (which is not timed).
public enum DerivativeValue {
    /// Gradients by parameter (vjp) or directional derivatives by output (jvp), in order.
    case named([(String, Tensor)])
    /// A dense Jacobian.
    case matrix(Matrix)

    /// Whether every entry is finite.
    public var isFinite: Bool {
        switch self {
        case let .named(items): return items.allSatisfy { $0.1.isFinite }
        case let .matrix(m): return m.isFinite
        }
    }

    /// The JSON of the result's derivative field.
    public var json: JSON {
        switch self {
        case let .named(items): return .object(JSONObject(items.map { ($0.0, $0.1.json) }))
        case let .matrix(m): return Tensor(m).json
        }
    }
}

extension Tensor {
    /// Nested arrays of the tensor's shape.
    public var json: JSON {
        switch shape.count {
        case 0: return .number(scalars.first ?? 0)
        case 1: return .array(scalars.map { .number($0) })
        default:
            let r = shape[0], c = shape[1]
            return .array((0..<r).map { i in .array((0..<c).map { .number(scalars[i * c + $0]) }) })
        }
    }

    /// Whether every entry is finite.
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

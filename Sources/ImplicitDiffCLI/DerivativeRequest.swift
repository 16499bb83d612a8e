import ImplicitDiff

/// What to differentiate (the `derivative` object of the input).
///
/// `vjp` and `jvp` may name the parameters wanted (`"wrt": ["c", "b"]`): a `vjp` then
/// returns only those gradients, a `jvp` accepts tangents only on those, and the kind
/// decides differentiability for what was asked (``SolvedProblem/vjp(_:wrt:)``).
public enum DerivativeRequest: Equatable {
    case vjp(JSONObject, wrt: [String]?)
    case jvp(JSONObject, wrt: [String]?)
    case jacobian(of: String, wrt: String)

    /// Parses the `derivative` object: exactly one of `vjp`, `jvp`, `jacobian`, and an
    /// optional `wrt` list with `vjp` or `jvp`.
    public static func parse(_ json: JSON) throws -> DerivativeRequest {
        guard case let .object(o) = json else { throw CLIError.invalidInput("'derivative' must be an object") }
        let modes = o.keys.filter { ["vjp", "jvp", "jacobian"].contains($0) }
        try o.rejectUnknownKeys(["vjp", "jvp", "jacobian", "wrt"], in: "'derivative'")
        guard modes.count == 1 else {
            throw CLIError.invalidInput("'derivative' must hold exactly one of vjp, jvp, jacobian (got \(modes.count))")
        }
        let wrt = try parseWrt(o["wrt"])
        switch modes[0] {
        case "vjp":
            guard case let .object(c) = o["vjp"]! else { throw CLIError.invalidInput("'vjp' must map output names to cotangents") }
            return .vjp(c, wrt: wrt)
        case "jvp":
            guard case let .object(t) = o["jvp"]! else { throw CLIError.invalidInput("'jvp' must map parameter names to tangents") }
            if let wrt {
                for name in t.keys where !wrt.contains(name) {
                    throw CLIError.invalidInput("jvp has a tangent for '\(name)', which is not in 'wrt' (\(wrt.joined(separator: ", ")))")
                }
            }
            return .jvp(t, wrt: wrt)
        default:
            guard wrt == nil else {
                throw CLIError.invalidInput("'wrt' goes with vjp or jvp; a jacobian names its parameter inside: {\"jacobian\": {\"of\": OUTPUT, \"wrt\": PARAM}}")
            }
            guard case let .object(j) = o["jacobian"]! else { throw CLIError.invalidInput("'jacobian' must be {\"of\": OUTPUT, \"wrt\": PARAM}") }
            try j.rejectUnknownKeys(["of", "wrt"], in: "'jacobian'")
            return .jacobian(of: try j.string("of"), wrt: try j.string("wrt"))
        }
    }

    /// The `wrt` list: a non-empty array of distinct parameter names.
    private static func parseWrt(_ json: JSON?) throws -> [String]? {
        guard let json, json != .null else { return nil }
        guard let items = json.elements else { throw CLIError.invalidInput("'wrt' must be an array of parameter names") }
        var names = [String]()
        for (i, item) in items.enumerated() {
            guard case let .string(name) = item else { throw CLIError.invalidInput("'wrt'[\(i)] must be a parameter name (a string)") }
            guard !names.contains(name) else { throw CLIError.invalidInput("'wrt' names '\(name)' twice") }
            names.append(name)
        }
        guard !names.isEmpty else { throw CLIError.invalidInput("'wrt' must name at least one parameter") }
        return names
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
        func checkWrt(_ wrt: [String]?) throws {
            for name in wrt ?? [] where !signature.parameters.contains(name) {
                throw CLIError.invalidInput("unknown parameter '\(name)' in wrt (parameters: \(parameters()))")
            }
        }
        switch self {
        case let .vjp(c, wrt):
            for name in c.keys where !signature.outputs.contains(name) {
                throw CLIError.invalidInput("unknown output '\(name)' in vjp (outputs: \(outputs()))")
            }
            try checkWrt(wrt)
        case let .jvp(t, wrt):
            for name in t.keys where !signature.parameters.contains(name) {
                throw CLIError.invalidInput("unknown parameter '\(name)' in jvp (parameters: \(parameters()))")
            }
            try checkWrt(wrt)
        case let .jacobian(of, wrt):
            guard signature.outputs.contains(of) else {
                throw CLIError.invalidInput("unknown output '\(of)' in jacobian (outputs: \(outputs()))")
            }
            guard signature.parameters.contains(wrt) else {
                throw CLIError.invalidInput("unknown parameter '\(wrt)' in jacobian (parameters: \(parameters()))")
            }
        }
    }

    /// Checks names and shapes against the solved problem (before any timing). A tangent
    /// for a parameter given in coordinate form is `{"values": [...]}`, one value per
    /// coordinate entry.
    public func validate(against problem: any SolvedProblem) throws -> CheckedDerivativeRequest {
        let outputShapes = problem.outputShapes
        let paramShapes = Dictionary(uniqueKeysWithValues: problem.parameterShapes.map { ($0.name, $0.shape) })
        let layouts = problem.sparseLayouts
        func parameterNames() -> String { problem.parameterShapes.map(\.name).joined(separator: ", ") }
        func checkWrt(_ wrt: [String]?) throws -> Set<String>? {
            guard let wrt else { return nil }
            for name in wrt where paramShapes[name] == nil {
                throw CLIError.invalidInput("unknown parameter '\(name)' in wrt (parameters: \(parameterNames()))")
            }
            return Set(wrt)
        }
        switch self {
        case let .vjp(c, wrt):
            var cot = [String: Tensor]()
            for (name, value) in c.entries {
                guard let shape = outputShapes[name] else {
                    throw CLIError.invalidInput("unknown output '\(name)' in vjp (outputs: \(problem.outputs.map(\.name).joined(separator: ", ")))")
                }
                cot[name] = try JSONObject.tensor(value, "vjp.\(name)", shape: shape)
            }
            return .vjp(cot, wrt: try checkWrt(wrt))
        case let .jvp(t, wrt):
            _ = try checkWrt(wrt)
            var tan = [String: Tensor]()
            for (name, value) in t.entries {
                guard let shape = paramShapes[name] else {
                    throw CLIError.invalidInput("unknown parameter '\(name)' in jvp (parameters: \(parameterNames()))")
                }
                if let layout = layouts[name] {
                    tan[name] = try Self.sparseTangent(value, name: name, layout: layout)
                } else {
                    tan[name] = try JSONObject.tensor(value, "jvp.\(name)", shape: shape)
                }
            }
            return .jvp(tan)
        case let .jacobian(of, wrt):
            guard outputShapes[of] != nil else { throw CLIError.invalidInput("unknown output '\(of)' in jacobian") }
            guard paramShapes[wrt] != nil else { throw CLIError.invalidInput("unknown parameter '\(wrt)' in jacobian") }
            return .jacobian(of: of, wrt: wrt)
        }
    }

    /// `{"values": [...]}` with one finite value per coordinate entry of `layout`.
    static func sparseTangent(_ value: JSON, name: String, layout: SparseLayout) throws -> Tensor {
        guard case let .object(o) = value, let values = o["values"] else {
            throw CLIError.invalidInput("'jvp.\(name)': '\(name)' was given in coordinate form, so its tangent is {\"values\": [...]} with \(layout.entryCount) entries, one per coordinate entry")
        }
        try o.rejectUnknownKeys(["values"], in: "'jvp.\(name)'")
        let t = try JSONObject.tensor(values, "jvp.\(name).values", rank: 1)
        guard t.count == layout.entryCount else {
            throw CLIError.invalidInput("'jvp.\(name).values' has \(t.count) entries but '\(name)' has \(layout.entryCount) coordinate entries")
        }
        return Tensor(layout: layout, values: t.scalars)
    }
}

/// A derivative request whose names and shapes have been checked.
public enum CheckedDerivativeRequest {
    /// Cotangents by output; the parameters asked (`nil`: all).
    case vjp([String: Tensor], wrt: Set<String>?)
    case jvp([String: Tensor])
    case jacobian(of: String, wrt: String)

    /// Computes the derivative (timed by the runner) and the linear-solve report.
    public func evaluate(on problem: any SolvedProblem) throws -> (DerivativeValue, LinearSolveReport) {
        do {
            switch self {
            case let .vjp(c, wrt):
                let (g, r) = try problem.vjp(c, wrt: wrt)
                let layouts = problem.sparseLayouts
                let asked = problem.parameterShapes.filter { wrt?.contains($0.name) ?? true }
                return (.named(asked.map { NamedTensor($0.name, g[$0.name] ?? .zeros($0.shape, layout: layouts[$0.name])) }), r)
            case let .jvp(t):
                let (d, r) = try problem.jvp(t)
                return (.named(problem.outputs.map { NamedTensor($0.name, d[$0.name] ?? .zeros($0.value.shape)) }), r)
            case let .jacobian(of, wrt):
                let (m, r) = try problem.jacobian(of: of, wrt: wrt)
                return (.matrix(m), r)
            }
        } catch {
            throw CLIError.fromDerivative(error)
        }
    }
}

/// A gradient or directional derivative and the parameter or output it belongs to.
/// (A struct, not a tuple: an array of tuples has its type metadata built from its mangled
/// name at first use, 20 k instructions, the cost of a small LP's whole pullback.)
public struct NamedTensor {
    public var name: String
    public var tensor: Tensor

    public init(_ name: String, _ tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}

/// A computed derivative, before serialisation (which is not timed).
public enum DerivativeValue {
    /// Gradients by parameter (vjp) or directional derivatives by output (jvp), in order.
    case named([NamedTensor])
    /// A dense Jacobian.
    case matrix(Matrix)

    /// Whether every entry is finite.
    public var isFinite: Bool {
        switch self {
        case let .named(items): return items.allSatisfy { $0.tensor.isFinite }
        case let .matrix(m): return m.isFinite
        }
    }

    /// The JSON of the result's derivative field.
    public var json: JSON {
        switch self {
        case let .named(items): return .object(JSONObject(items.map { ($0.name, $0.tensor.json) }))
        case let .matrix(m): return Tensor(m).json
        }
    }
}

extension Tensor {
    /// Nested arrays of the tensor's shape, or the coordinate form of a sparse tensor.
    public var json: JSON {
        if let layout { return layout.json(values: scalars) }
        switch shape.count {
        case 0: return .number(scalars.first ?? 0)
        case 1: return scalars.isEmpty ? .array([]) : .numbers(scalars)
        default:
            let r = shape[0], c = shape[1]
            return .array((0..<r).map { i in c == 0 ? .array([]) : .numbers(Array(scalars[(i * c)..<((i + 1) * c)])) })
        }
    }

    /// Whether every entry is finite.
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

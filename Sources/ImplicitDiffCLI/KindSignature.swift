import ImplicitDiff

/// The names a problem kind reads and writes for a given `data` object: its outputs and
/// its differentiable parameters (spec/cli-json.md). Known before anything is solved, so
/// that a `derivative` request naming an unknown output or parameter is refused
/// (exit 2) before the forward solve runs, not after it.
public struct KindSignature: Sendable, Equatable {
    /// Output names, in the order they are written.
    public var outputs: [String]
    /// Differentiable parameter names, in order.
    public var parameters: [String]

    public init(outputs: [String], parameters: [String]) {
        self.outputs = outputs
        self.parameters = parameters
    }
}

extension RidgeKind {
    public static func signature(for data: JSONObject) -> KindSignature? {
        KindSignature(outputs: ["w", "value"], parameters: ["X", "y", "lambda"])
    }
}

extension LassoKind {
    public static func signature(for data: JSONObject) -> KindSignature? {
        KindSignature(outputs: ["w", "value"], parameters: ["X", "y", "lambda"])
    }
}

extension QPKind {
    public static func signature(for data: JSONObject) -> KindSignature? {
        if data.has("qps") { return KindSignature(outputs: ["z", "value", "row_duals"], parameters: ["c", "rhs"]) }
        let bounds = data.has("lb") || data.has("ub")
        return KindSignature(outputs: ["z", "lambda", "mu", "value"] + (bounds ? ["w"] : []),
                             parameters: ["Q", "q", "A", "b", "G", "h"] + (data.has("l") ? ["l"] : []) + (bounds ? ["lb", "ub"] : []))
    }
}

extension LPKind {
    public static func signature(for data: JSONObject) -> KindSignature? {
        if data.has("mps") || data.has("cplex_lp") {
            return KindSignature(outputs: ["z", "value", "row_duals"], parameters: ["c", "rhs"])
        }
        return KindSignature(outputs: ["z", "lambda", "mu", "value"], parameters: ["c", "A", "b", "G", "h"])
    }
}

extension SinkhornKind {
    public static func signature(for data: JSONObject) -> KindSignature? {
        let geometry = data.has("x") || data.has("y") ? ["x", "y"] : ["C"]
        return KindSignature(outputs: ["plan", "cost", "f", "g"], parameters: geometry + ["a", "b", "epsilon"])
    }
}

extension EquationsKind {
    public static func signature(for data: JSONObject) -> KindSignature? {
        guard case let .string(family)? = data["family"] else { return nil }
        switch family {
        case "cubic": return KindSignature(outputs: ["y"], parameters: ["x"])
        case "bratu": return KindSignature(outputs: ["y"], parameters: ["lambda"])
        default: return nil
        }
    }
}

import ImplicitDiff

/// What `implicitdiff schema [KIND]` prints: the data fields, outputs, parameters and
/// options of a problem kind, as JSON (the contract, spec/cli-json.md, machine-readable).
/// The README's field reference is generated from it (`scripts/schema_reference.py`).
public struct KindSchema: Sendable {
    /// One named entry: a data field, an output, a parameter or an option.
    public struct Field: Sendable {
        public var name: String
        /// `"scalar"`, `"vector"`, `"matrix"` (an array of rows), `"integer"`,
        /// `"string"` or `"path"`.
        public var type: String
        /// The shape in the problem's sizes (`"n"`, `"m x n"`), empty for scalars.
        public var shape: String
        /// Whether a data field must be given.
        public var required: Bool
        public var description: String

        public init(_ name: String, _ type: String, _ shape: String, required: Bool = true, _ description: String) {
            self.name = name
            self.type = type
            self.shape = shape
            self.required = required
            self.description = description
        }

        /// A field without a shape (a scalar, a string, a path).
        public init(_ name: String, _ type: String, required: Bool = true, _ description: String) {
            self.init(name, type, "", required: required, description)
        }

        var json: JSON {
            var entries: [(key: String, value: JSON)] = [("name", .string(name)), ("type", .string(type))]
            if !shape.isEmpty { entries.append(("shape", .string(shape))) }
            entries.append(("required", .bool(required)))
            entries.append(("description", .string(description)))
            return .object(JSONObject(entries))
        }
    }

    public var kind: String
    /// The library product that solves it.
    public var module: String
    public var summary: String
    /// `"optimal"` or `"converged"`.
    public var status: String
    public var data: [Field]
    public var outputs: [Field]
    public var parameters: [Field]
    /// The kind's own options (the common ones are in ``commonOptions``).
    public var options: [Field]

    /// Options that every kind reads.
    public static let commonOptions: [Field] = [
        Field("tol", "scalar", required: false, "forward solver tolerance (default: tight, about 1e-10 relative where the solver allows)"),
        Field("max_iter", "integer", required: false, "forward iteration cap; reaching it is exit 3 not_converged"),
        Field("linear_solver", "string", required: false,
              "the implicit system's linear solver: auto (default), direct, cg, minres, gmres, bicgstab, lsqr"),
        Field("linear_tol", "scalar", required: false, "relative tolerance of an iterative derivative solve (default 1e-10)"),
    ]

    public var json: JSON {
        .object(JSONObject([
            ("kind", .string(kind)), ("module", .string(module)), ("summary", .string(summary)),
            ("status", .string(status)),
            ("data", .array(data.map(\.json))), ("outputs", .array(outputs.map(\.json))),
            ("parameters", .array(parameters.map(\.json))),
            ("options", .array((Self.commonOptions + options).map(\.json))),
        ]))
    }

    /// The schema document of `kinds`: `{"version": ..., "kinds": [...]}`.
    public static func document(_ kinds: [any ProblemKind.Type]) -> JSON {
        .object(JSONObject([("version", .string(ToolVersion.current)),
                            ("kinds", .array(kinds.map { $0.schema.json }))]))
    }
}

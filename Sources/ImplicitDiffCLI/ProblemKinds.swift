/// The registry of problem kinds: adding a kind means adding its type here.
public enum ProblemKinds {
    public static let all: [any ProblemKind.Type] = [
        RidgeKind.self,
        QPKind.self,
        LPKind.self,
        SinkhornKind.self,
        EquationsKind.self,
        LassoKind.self,
    ]

    /// The kind named `name`, or `nil`.
    public static func named(_ name: String) -> (any ProblemKind.Type)? {
        all.first { $0.name == name }
    }
}

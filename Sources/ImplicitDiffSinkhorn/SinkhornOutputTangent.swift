/// A cotangent (reverse mode) or a tangent (forward mode) of the outputs of a solved
/// ``SinkhornProblem``: the plan `P`, the potentials `f`, `g` and the cost.
///
/// Empty matrices and vectors (`.zero`) stand for zeros of the right shape. The
/// potentials' tangents follow the reported gauge `sum(g) = 0`, so `sum(dg) = 0` (balanced
/// problems; unbalanced potentials have no gauge).
public struct SinkhornOutputTangent: Sendable, Equatable {
    /// `dP` or `dL/dP` (`n x m`).
    public var plan: Matrix
    /// `df` or `dL/df` (`n`).
    public var f: Vector
    /// `dg` or `dL/dg` (`m`).
    public var g: Vector
    /// `d cost` or `dL/d cost`.
    public var cost: Double

    /// A bundle with the given fields (empty fields are zeros).
    public init(plan: Matrix = .zero, f: Vector = .zero, g: Vector = .zero, cost: Double = 0) {
        self.plan = plan
        self.f = f
        self.g = g
        self.cost = cost
    }

    /// Whether the plan and potential parts are all zero (then a pullback needs no solve).
    public var isCostOnly: Bool {
        plan.scalars.allSatisfy { $0 == 0 } && f.scalars.allSatisfy { $0 == 0 } && g.scalars.allSatisfy { $0 == 0 }
    }
}

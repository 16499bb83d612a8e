/// The constraint structure of a QP solution: which inequalities hold with equality,
/// which are *weakly* active, and which equality rows were dropped as dependent.
///
/// * ``active``: the inequalities imposed as equalities in the final solve (the
///   active set the derivative uses). Every strictly active inequality (`mu_i > 0`,
///   slack 0) is in it, every strictly inactive one (slack > 0, `mu_i = 0`) is not.
/// * ``weaklyActive``: inequalities with both slack ~ 0 and multiplier ~ 0 (thresholds:
///   ``QPSolverOptions/weakActivityTolerance``). They may or may not be in ``active``;
///   at such a point the solution map has a kink and no derivative (see
///   ``QPWeaklyActivePolicy`` for the conventions on offer).
/// * ``dependentEqualities``: rows of `A` linearly dependent on the other rows (and
///   consistent with them); they were left out of the solve and their `lambda_i` is 0.
///   The multipliers are then not unique, and derivatives are refused.
public struct QPActiveSet: Sendable, Equatable {
    /// Active inequality indices (rows of `G`), increasing.
    public let active: [Int]
    /// Weakly active inequality indices, increasing.
    public let weaklyActive: [Int]
    /// Dependent equality rows (rows of `A`), increasing.
    public let dependentEqualities: [Int]
    /// Equality rows in use (rows of `A` not in ``dependentEqualities``), increasing.
    public let equalities: [Int]

    /// An active set with the given index lists (each increasing).
    public init(active: [Int], weaklyActive: [Int] = [], dependentEqualities: [Int] = [], equalities: [Int]) {
        self.active = active
        self.weaklyActive = weaklyActive
        self.dependentEqualities = dependentEqualities
        self.equalities = equalities
    }

    /// Whether every active constraint is strictly active and nothing was dropped.
    public var isNondegenerate: Bool { weaklyActive.isEmpty && dependentEqualities.isEmpty }
}

/// What a derivative does at a weakly active inequality (slack ~ 0 and multiplier ~ 0),
/// where the solution map is only piecewise smooth: its one-sided derivatives differ
/// according to whether a perturbation makes the constraint bind or not.
public enum QPWeaklyActivePolicy: String, Sendable, CaseIterable {
    /// Refuse: throw ``QPError/notDifferentiable(_:)`` naming the constraint (default,
    /// and what the command-line tool does, exit 4).
    case reject
    /// Treat every weakly active inequality as inactive: the derivative of the smooth
    /// piece on which the constraint is free (`dmu_i = 0`).
    case treatAsInactive
    /// Treat every weakly active inequality as active: the derivative of the smooth
    /// piece on which the constraint binds (`G_i dz = dh_i - dG_i z`).
    case treatAsActive

    /// The inequalities treated as active at `set` under this policy (the weakly active
    /// ones kept as the solver classified them for ``reject``, which refuses them where a
    /// derivative is asked).
    public func activeInequalities(_ set: QPActiveSet) -> [Int] {
        switch self {
        case .reject: return set.active
        case .treatAsInactive: return Set(set.active).subtracting(set.weaklyActive).sorted()
        case .treatAsActive: return Set(set.active).union(set.weaklyActive).sorted()
        }
    }
}

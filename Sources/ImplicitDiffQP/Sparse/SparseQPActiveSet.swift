/// The active set of a sparse QP solution: which side of each row and of each variable's
/// bounds holds with equality (the set the polish solved on and the derivative uses), and
/// which constraints are weakly active (slack ~ 0 and multiplier ~ 0: no derivative).
public struct SparseQPActiveSet: Sendable, Equatable, Hashable {
    /// Which side of a constraint binds.
    public enum Side: Int8, Sendable, Hashable {
        /// Neither side binds (row or variable free; its multiplier is 0).
        case inactive
        /// `A_i z = l_i` (or `z_j = lb_j`): multiplier `<= 0`.
        case lower
        /// `A_i z = u_i` (or `z_j = ub_j`): multiplier `>= 0`.
        case upper
        /// An equality row `l_i = u_i` (multiplier of either sign).
        case equality
    }

    /// Side of each row of `A`.
    public let rows: [Side]
    /// Side of each variable's bounds.
    public let bounds: [Side]
    /// Rows whose side binds with a multiplier ~ 0, or inactive rows with slack ~ 0.
    public let weaklyActiveRows: [Int]
    /// Variables whose bound is weakly active.
    public let weaklyActiveBounds: [Int]

    /// An active set from its sides (no weak activity recorded).
    public init(rows: [Side], bounds: [Side], weaklyActiveRows: [Int] = [], weaklyActiveBounds: [Int] = []) {
        self.rows = rows
        self.bounds = bounds
        self.weaklyActiveRows = weaklyActiveRows
        self.weaklyActiveBounds = weaklyActiveBounds
    }

    /// Number of rows imposed as equalities (active sides and equality rows).
    public var activeRowCount: Int { rows.reduce(0) { $0 + ($1 == .inactive ? 0 : 1) } }
    /// Number of variables fixed at a bound.
    public var activeBoundCount: Int { bounds.reduce(0) { $0 + ($1 == .inactive ? 0 : 1) } }
    /// Whether no constraint is weakly active.
    public var isNondegenerate: Bool { weaklyActiveRows.isEmpty && weaklyActiveBounds.isEmpty }
}

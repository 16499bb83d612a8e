import ImplicitDiffCore

/// A gradient or a tangent of the data of a ``SparseQuadraticProgram``: `P` and `A` as
/// values on their stored patterns (the order of ``SparseMatrix/values``: entries outside
/// the pattern are structural zeros of the parameter), the vectors as they are.
///
/// The `P` gradient is the symmetric gradient: entry `(i, j)` holds
/// `(dL/dP_ij + dL/dP_ji) / 2` of the unconstrained matrix (the dense path's convention),
/// and a tangent `dP` is used as given (make it symmetric).
public struct SparseQPParameters: Sendable, Equatable {
    /// Values on the pattern of `P`.
    public var P: [Double]
    /// The linear term's entry.
    public var q: Vector
    /// Values on the pattern of `A`.
    public var A: [Double]
    /// Lower row bounds.
    public var l: Vector
    /// Upper row bounds.
    public var u: Vector
    /// Lower variable bounds.
    public var lb: Vector
    /// Upper variable bounds.
    public var ub: Vector

    /// Zeros shaped like `p`'s data.
    public static func zeros(like p: SparseQuadraticProgram) -> SparseQPParameters {
        let n = p.variableCount, m = p.rowCount
        return SparseQPParameters(P: .init(repeating: 0, count: p.P.nonZeroCount), q: .zeros(n),
                                  A: .init(repeating: 0, count: p.A.nonZeroCount), l: .zeros(m), u: .zeros(m),
                                  lb: .zeros(n), ub: .zeros(n))
    }

    /// Memberwise.
    public init(P: [Double], q: Vector, A: [Double], l: Vector, u: Vector, lb: Vector, ub: Vector) {
        self.P = P
        self.q = q
        self.A = A
        self.l = l
        self.u = u
        self.lb = lb
        self.ub = ub
    }
}

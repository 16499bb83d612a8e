/// LU factorisation of a dense square `A` after scaling each row by its sum of absolute
/// values: `D^-1 A = P L U` with `D = diag(sum_j |a_ij|)` (LAPACK `dgetrf` through the
/// core's `LUFactorization`).
///
/// ```
/// A x = b    <=>  (D^-1 A) x = D^-1 b
/// A' x = b   <=>  x = D^-1 (D^-1 A)^-T b
/// ```
/// Row equilibration leaves the solutions unchanged and makes the singularity test
/// invariant to the scaling of the equations: the reciprocal condition number (`dgecon`)
/// is that of `D^-1 A`, so a system whose equations have very different units (moles and
/// log-concentrations, say) is not declared singular because of the units. This is the
/// factorisation ``NewtonSolver`` uses for dense Jacobians.
///
/// - Throws (construction): `LinearAlgebraError.singular(routine:reciprocalCondition:)`
///   when a row is zero or `D^-1 A` is singular to working precision (reciprocal
///   condition below `n * ulp`); `LinearAlgebraError.nonFinite(_:)` for NaN or infinity.
public struct EquilibratedLUFactorization: ConditionEstimatingFactorization {
    /// The factorisation of `D^-1 A`.
    public let scaled: LUFactorization
    /// `D`: the row sums of `|A|`.
    public let rowScale: Vector

    public var dimension: Int { scaled.dimension }

    /// Factorises `a`.
    public init(_ a: Matrix) throws {
        guard a.rows == a.columns else {
            throw LinearAlgebraError.dimensionMismatch("LU of a \(a.rows) x \(a.columns) matrix")
        }
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("the matrix to factorise") }
        let n = a.rows
        var b = a
        var scale = [Double](repeating: 0, count: n)
        b.scalars.withUnsafeMutableBufferPointer { m in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += abs(m[i * n + j]) }
                scale[i] = s
                if s > 0 {
                    let r = 1 / s
                    for j in 0..<n { m[i * n + j] *= r }
                }
            }
        }
        guard scale.allSatisfy({ $0 > 0 }) else {
            throw LinearAlgebraError.singular(routine: "dgetrf (a zero row)", reciprocalCondition: 0)
        }
        scaled = try LUFactorization(b)
        rowScale = Vector(scale)
    }

    /// Reciprocal 1-norm condition estimate of `D^-1 A`.
    public func reciprocalConditionEstimate() -> Double { scaled.reciprocalCondition }

    public func solve(_ b: Vector) -> Vector { scaled.solve(b / rowScale) }

    public func solveTransposed(_ b: Vector) -> Vector { scaled.solveTransposed(b) / rowScale }

    public func solve(_ b: Matrix) -> Matrix { scaled.solve(scaleRows(b, inverse: true)) }

    public func solveTransposed(_ b: Matrix) -> Matrix { scaleRows(scaled.solveTransposed(b), inverse: true) }

    /// `D^-1 M` (rows divided by `D`).
    func scaleRows(_ m: Matrix, inverse: Bool) -> Matrix {
        var out = m
        for i in 0..<m.rows {
            let r = 1 / rowScale[i]
            for j in 0..<m.columns { out[i, j] *= r }
        }
        return out
    }
}

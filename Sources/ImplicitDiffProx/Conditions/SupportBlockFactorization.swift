/// The factorised matrix `blockdiag(K_S, I)` of a proximal-gradient fixed point whose
/// prox Jacobian is a mask: a Cholesky factorisation of the reduced matrix `K_S` on the
/// support `S`, and the identity on the complement.
///
/// ```
/// K_S = diag((1 - m_S) / (eta m_S)) + H[S, S]
/// ```
/// with `m` the mask (`m_i > 0` exactly on `S`) and `H` the Hessian of the smooth part.
/// For the lasso `m_S = 1` and `K_S = X_S'X_S`; for the elastic net
/// `K_S = X_S'X_S + lambda2 I`. The same factorisation serves the solver's Newton polish
/// and every pullback, pushforward and Jacobian of the derivative.
public struct SupportBlockFactorization: Factorization {
    public let dimension: Int
    /// `S`, increasing.
    public let support: [Int]
    /// The mask values `m_S`.
    public let weights: Vector
    /// The step size `eta` the matrix was formed with.
    public let stepSize: Double
    /// `K_S` itself (`|S| x |S|`), for residual checks.
    public let reducedMatrix: Matrix
    /// Cholesky factorisation of `K_S`.
    public let reduced: CholeskyFactorization

    /// Factorises `K_S`.
    ///
    /// - Throws: `LinearAlgebraError` when `K_S` is not (numerically) positive definite.
    public init(dimension: Int, support: [Int], weights: Vector, stepSize: Double, reducedMatrix: Matrix) throws {
        precondition(support.count == reducedMatrix.rows && weights.count == support.count,
                     "SupportBlockFactorization: support \(support.count), weights \(weights.count), matrix \(reducedMatrix.rows)")
        self.dimension = dimension
        self.support = support
        self.weights = weights
        self.stepSize = stepSize
        self.reducedMatrix = reducedMatrix
        self.reduced = try CholeskyFactorization(reducedMatrix)
    }

    /// `||blockdiag(K_S, I) z - r|| / ||r||`, in `O(|S|^2)` (the identity block is exact).
    public func relativeResidual(solution z: Vector, rightHandSide r: Vector) -> Double {
        let rn = r.norm
        guard rn > 0 else { return z.norm }
        let e = reducedMatrix * gather(z) - gather(r)
        return e.norm / rn
    }

    /// The solution with its residual measured on `K_S` (symmetric: `transposed` is the same solve).
    public func solveMeasuringResidual(_ b: Vector, transposed: Bool) -> (solution: Vector, relativeResidual: Double)? {
        let z = solve(b)
        return (z, relativeResidual(solution: z, rightHandSide: b))
    }

    /// Entries `S` of `v`.
    func gather(_ v: Vector) -> Vector { Vector(support.map { v.scalars[$0] }) }

    public func solve(_ b: Vector) -> Vector {
        precondition(b.count == dimension, "right-hand side of length \(b.count) for order \(dimension)")
        var z = b
        let zs = reduced.solve(gather(b))
        for (a, i) in support.enumerated() { z[i] = zs[a] }
        return z
    }

    /// Same as ``solve(_:)-(Vector)``: the matrix is symmetric.
    public func solveTransposed(_ b: Vector) -> Vector { solve(b) }

    public func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == dimension, "right-hand side with \(b.rows) rows for order \(dimension)")
        let k = b.columns
        var rows = Matrix(rows: support.count, columns: k)
        for (a, i) in support.enumerated() {
            rows.scalars.replaceSubrange((a * k)..<((a + 1) * k), with: b.scalars[(i * k)..<((i + 1) * k)])
        }
        let zs = reduced.solve(rows)
        var z = b
        for (a, i) in support.enumerated() {
            z.scalars.replaceSubrange((i * k)..<((i + 1) * k), with: zs.scalars[(a * k)..<((a + 1) * k)])
        }
        return z
    }

    public func solveTransposed(_ b: Matrix) -> Matrix { solve(b) }
}

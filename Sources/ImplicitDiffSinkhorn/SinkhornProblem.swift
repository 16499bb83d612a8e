/// An entropy-regularised optimal transport problem between two discrete measures:
/// ```
/// P* = argmin  <P, C> + eps * sum_ij P_ij (log P_ij - 1)
///      over P >= 0 with P 1 = a, P' 1 = b
/// ```
/// with a cost matrix `C` (`n x m`), or point clouds `x` (`n x d`) and `y` (`m x d`) with
/// `C_ij = ||x_i - y_j||^2`. Its dual has potentials `f` (`n`) and `g` (`m`) with
/// ```
/// P_ij = exp((f_i + g_j - C_ij) / eps),    P 1 = a,    P' 1 = b
/// ```
/// defined up to `(f + t, g - t)`; solutions report the pair with `sum(g) = 0`.
///
/// Edge cases: the weights must be positive (zero weights are rejected, see
/// ``SinkhornError/nonPositiveWeight(marginal:index:value:)``), their sums equal to
/// `1e-9` relative (they need not be 1), `eps > 0`, and all data finite.
///
/// ```swift
/// let problem = try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: 0.05)
/// let solution = try problem.solve()
/// let dx = solution.costGradient.x          // d cost / d x, no linear solve
/// ```
public struct SinkhornProblem: Sendable {
    /// Where the cost matrix comes from.
    public enum Geometry: Sendable, Equatable {
        /// A given cost matrix `C` (`n x m`).
        case costMatrix(Matrix)
        /// Point clouds `x` (`n x d`) and `y` (`m x d`), `C_ij = ||x_i - y_j||^2`.
        case pointClouds(x: Matrix, y: Matrix)
    }

    /// The cost matrix or the point clouds.
    public let geometry: Geometry
    /// Source weights (`n`, positive).
    public let a: Vector
    /// Target weights (`m`, positive, `sum(b) = sum(a)`).
    public let b: Vector
    /// The regularisation `eps > 0`.
    public let epsilon: Double

    /// A problem with a cost matrix `C` (`n x m`).
    ///
    /// - Throws: ``SinkhornError`` when shapes do not fit, data is not finite, a weight is
    ///   not positive, the masses differ or `epsilon <= 0`.
    public init(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double) throws {
        guard costMatrix.isFinite else { throw SinkhornError.nonFinite("the cost matrix C") }
        guard costMatrix.rows == a.count, costMatrix.columns == b.count else {
            throw SinkhornError.dimensionMismatch("C is \(costMatrix.rows) x \(costMatrix.columns) but a has \(a.count) and b has \(b.count) entries")
        }
        try self.init(geometry: .costMatrix(costMatrix), a: a, b: b, epsilon: epsilon)
    }

    /// A problem between point clouds `x` (`n x d`) and `y` (`m x d`), with the squared
    /// Euclidean cost `C_ij = ||x_i - y_j||^2`.
    public init(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double) throws {
        guard x.isFinite else { throw SinkhornError.nonFinite("the point cloud x") }
        guard y.isFinite else { throw SinkhornError.nonFinite("the point cloud y") }
        guard x.columns == y.columns, x.columns > 0 else {
            throw SinkhornError.dimensionMismatch("x has \(x.columns) and y has \(y.columns) coordinates per point")
        }
        guard x.rows == a.count, y.rows == b.count else {
            throw SinkhornError.dimensionMismatch("x has \(x.rows) and y has \(y.rows) points but a has \(a.count) and b has \(b.count) entries")
        }
        try self.init(geometry: .pointClouds(x: x, y: y), a: a, b: b, epsilon: epsilon)
    }

    /// Uniform weights `1/n` on `n` points.
    public static func uniformWeights(_ n: Int) -> Vector { Vector(repeating: 1 / Double(n), count: n) }

    private init(geometry: Geometry, a: Vector, b: Vector, epsilon: Double) throws {
        guard a.count > 0, b.count > 0 else { throw SinkhornError.dimensionMismatch("a measure has no points") }
        guard a.isFinite else { throw SinkhornError.nonFinite("the marginal a") }
        guard b.isFinite else { throw SinkhornError.nonFinite("the marginal b") }
        guard epsilon.isFinite else { throw SinkhornError.nonFinite("epsilon") }
        guard epsilon > 0 else { throw SinkhornError.nonPositiveEpsilon(epsilon) }
        if let i = a.scalars.firstIndex(where: { !($0 > 0) }) {
            throw SinkhornError.nonPositiveWeight(marginal: "a", index: i, value: a[i])
        }
        if let j = b.scalars.firstIndex(where: { !($0 > 0) }) {
            throw SinkhornError.nonPositiveWeight(marginal: "b", index: j, value: b[j])
        }
        let sa = a.sum(), sb = b.sum()
        guard abs(sa - sb) <= 1e-9 * Swift.max(sa, sb) else { throw SinkhornError.unequalMasses(sa, sb) }
        self.geometry = geometry
        self.a = a
        self.b = b
        self.epsilon = epsilon
    }

    /// Number of source points `n`.
    public var sourceCount: Int { a.count }
    /// Number of target points `m`.
    public var targetCount: Int { b.count }

    /// The cost matrix `C` (`n x m`); for point clouds
    /// `C = ||x||^2 1' + 1 ||y||^2' - 2 x y'` by one BLAS `dgemm`, clamped at zero.
    public var costMatrix: Matrix {
        switch geometry {
        case let .costMatrix(c): return c
        case let .pointClouds(x, y): return Self.squaredDistances(x, y)
        }
    }

    /// `||x_i - y_j||^2` for all pairs, by BLAS.
    static func squaredDistances(_ x: Matrix, _ y: Matrix) -> Matrix {
        var c = Matrix.product(x, transposed: false, y, transposed: true)
        let xx = rowSquaredNorms(x), yy = rowSquaredNorms(y)
        let m = y.rows
        c.scalars.withUnsafeMutableBufferPointer { cp in
            for i in 0..<x.rows {
                let base = i * m, xi = xx[i]
                for j in 0..<m { cp[base + j] = Swift.max(0, xi + yy[j] - 2 * cp[base + j]) }
            }
        }
        return c
    }

    /// `||row_i||^2` for every row.
    static func rowSquaredNorms(_ x: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: x.rows)
        let d = x.columns
        x.scalars.withUnsafeBufferPointer { xp in
            for i in 0..<x.rows {
                var s = 0.0
                for k in 0..<d { s += xp[i * d + k] * xp[i * d + k] }
                out[i] = s
            }
        }
        return out
    }

    /// Solves by log-domain Sinkhorn with epsilon scaling (see ``SinkhornOptions``).
    ///
    /// - Throws: ``SinkhornError/notConverged(iterations:marginalError:tolerance:)`` at the
    ///   iteration cap.
    public func solve(options: SinkhornOptions = .init()) throws -> SinkhornSolution {
        let c = costMatrix
        var iteration = SinkhornIteration(cost: c, a: a, b: b, options: options)
        let result = try iteration.run(epsilon: epsilon)
        var solution = SinkhornSolution(problem: self, costMatrix: c, f: result.f, g: result.g,
                                        iterations: result.iterations, stages: result.stages)
        if options.newtonPolish, Swift.min(sourceCount, targetCount) <= SchurComplementSystem.automaticDenseLimit {
            solution = solution.polished(steps: 2)
        }
        return solution
    }
}

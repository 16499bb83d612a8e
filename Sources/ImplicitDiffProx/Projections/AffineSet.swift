/// The affine set `{w : A w = b}` for `A` (`p x n`) with linearly independent rows:
/// ```
/// P(v) = v - A' (A A')^-1 (A v - b)
/// J = I - A' (A A')^-1 A                  (identity plus a rank-p term)
/// d P / d b = A' (A A')^-1
/// ```
/// computed through one Cholesky factorisation of `A A'` (made at construction and
/// reused by every projection and derivative). Affine in `v`: margin `.infinity`.
///
/// - Parameters: `theta = [b]` (length `p`); `A` is fixed data.
public struct AffineSet: Projection {
    /// `A` (`p x n`).
    public let matrix: Matrix
    /// `b` (`p`).
    public let rightHandSide: Vector
    /// Cholesky factorisation of `A A'`.
    public let gramFactorization: CholeskyFactorization

    /// - Throws: ``ProxError/invalidParameter(_:)`` when the rows of `A` are linearly
    ///   dependent (to working precision).
    public init(matrix: Matrix, rightHandSide: Vector) throws {
        guard matrix.rows == rightHandSide.count else {
            throw ProxError.dimensionMismatch("A has \(matrix.rows) rows but b has \(rightHandSide.count) entries")
        }
        guard matrix.isFinite, rightHandSide.isFinite else { throw ProxError.nonFinite("the affine set") }
        do {
            gramFactorization = try CholeskyFactorization(Matrix.product(matrix, transposed: false, matrix, transposed: true))
        } catch {
            throw ProxError.invalidParameter("the rows of A are linearly dependent (\(error))")
        }
        self.matrix = matrix
        self.rightHandSide = rightHandSide
    }

    init(matrix: Matrix, rightHandSide: Vector, gramFactorization: CholeskyFactorization) {
        self.matrix = matrix
        self.rightHandSide = rightHandSide
        self.gramFactorization = gramFactorization
    }

    public var parameters: Vector { rightHandSide }
    public func withParameters(_ parameters: Vector) throws -> AffineSet {
        try ProxSupport.checkCount(parameters, matrix.rows, "AffineSet")
        return AffineSet(matrix: matrix, rightHandSide: parameters, gramFactorization: gramFactorization)
    }
    public func validate(dimension n: Int) throws {
        guard matrix.columns == n else { throw ProxError.dimensionMismatch("A has \(matrix.columns) columns for \(n) unknowns") }
    }

    public func contains(_ w: Vector, tolerance: Double) -> Bool {
        (matrix * w - rightHandSide).maxNorm <= tolerance * Swift.max(1, rightHandSide.maxNorm, matrix.maxNorm * w.maxNorm)
    }

    public func project(_ v: Vector) -> Vector {
        var p = v
        p.add(matrix.transposedTimes(gramFactorization.solve(matrix * v - rightHandSide)), scaledBy: -1)
        return p
    }

    public func jacobian(at v: Vector) -> ProxJacobian {
        let p = matrix.rows
        let inverse = gramFactorization.solve(Matrix.identity(p))
        return ProxJacobian(diagonal: Vector(repeating: 1, count: v.count), factor: matrix.transposed, core: -1.0 * inverse)
    }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        gramFactorization.solve(matrix).transposed
    }

    public func differentiabilityMargin(at v: Vector) -> Double { .infinity }
}

/// Ridge regression, the smallest complete use of the implicit function theorem:
/// ```
/// w(X, y, lambda) = argmin_w  1/2 ||X w - y||^2 + lambda/2 ||w||^2
///                 = (X'X + lambda I)^-1 X'y
/// ```
/// Optimality condition (the gradient): `F = X'(X w - y) + lambda w = 0`, so
/// ```
/// A = dF/dw = X'X + lambda I                    (symmetric positive definite)
/// B [dX, dy, dlambda] = dX' r + X' dX w - X' dy + dlambda w,   r = X w - y
/// B' v = ( r v' + (X v) w',  -X v,  v'w )
/// ```
/// and the derivative reuses the solver's Cholesky factorisation of `A`: no second
/// factorisation. Closed forms for checking: `dw/dlambda = -(X'X + lambda I)^-1 w`,
/// `dw/dy = (X'X + lambda I)^-1 X'`.
///
/// Parameters are packed as `x = [vec(X) (row-major), y, lambda]` for
/// ``layer(rows:columns:options:)``.
public struct RidgeRegression: Sendable {
    /// The `N x d` design matrix.
    public let design: Matrix
    /// The `N` targets.
    public let targets: Vector
    /// The regularisation strength `lambda > 0`.
    public let lambda: Double

    /// Validates shapes, finiteness and `lambda > 0`.
    public init(design: Matrix, targets: Vector, lambda: Double) throws {
        guard design.rows == targets.count else {
            throw LinearAlgebraError.dimensionMismatch("X has \(design.rows) rows but y has \(targets.count) entries")
        }
        guard design.isFinite, targets.isFinite, lambda.isFinite else {
            throw LinearAlgebraError.nonFinite("ridge data")
        }
        guard lambda > 0 else { throw RidgeError.nonPositiveLambda(lambda) }
        self.design = design
        self.targets = targets
        self.lambda = lambda
    }

    /// Why a ridge problem was rejected or its answer not returned.
    public enum RidgeError: Error, Equatable, CustomStringConvertible {
        /// `lambda` is not positive.
        case nonPositiveLambda(Double)
        /// The computed `w` failed its certificate: the relative gradient residual
        /// (``RidgeSolution/certificate``) is above `tolerance` (or NaN).
        case uncertified(gradient: Double, tolerance: Double)
        /// The conjugate-gradient solve of a sparse ridge problem (``SparseRidgeRegression``)
        /// failed: its iteration cap or a breakdown, as the Krylov solver reported it.
        case iterativeSolveFailed(String)
        public var description: String {
            switch self {
            case let .nonPositiveLambda(l): return "lambda must be positive, got \(l)"
            case let .iterativeSolveFailed(why): return "the conjugate-gradient ridge solve failed: \(why)"
            case let .uncertified(g, tol):
                return "the ridge solution failed its certificate: relative gradient residual ||X'(Xw - y) + lambda w|| = \(g) > \(tol)"
            }
        }
    }

    /// The threshold of the certificate (``RidgeSolution/certificate``): `1e-9`. A
    /// backward-stable solve leaves a residual of a small multiple of `d` ulps in these
    /// units; an answer off by `1e-6` relative (in a direction the data see) is far above.
    public static let certificateTolerance = 1e-9

    /// The certificate of `w`: the gradient residual relative to the size of the terms
    /// it is computed from,
    /// ```
    /// ||X'(X w - y) + lambda w||_2 / (||X||_F (||X||_F ||w||_2 + ||y||_2) + lambda ||w||_2)
    /// ```
    /// computed directly from the data (not from the solver's factorisation): two
    /// products with `X`, `O(N d)`. Zero when the numerator is zero.
    public func certificate(at w: Vector) -> Double {
        let r = design * w - targets
        var g = design.transposedTimes(r)
        g.add(w, scaledBy: lambda)
        let numerator = g.norm
        guard numerator != 0 || !numerator.isFinite else { return 0 }
        let xf = Vector(design.scalars).norm   // ||X||_F (BLAS dnrm2, no copy)
        let scale = xf * (xf * w.norm + targets.norm) + lambda * w.norm
        return scale > 0 ? numerator / scale : .infinity
    }

    /// Solves by one Cholesky factorisation of `X'X + lambda I` or, for a wide design
    /// (`N < d`) of full row rank, by ``WideRidgeFactorization`` (thin QR of `X'` and
    /// Cholesky of the `N x N` matrix `R R' + lambda I`), whose accuracy does not degrade
    /// as `lambda -> 0` (`X'X + lambda I` has condition number `~ sigma_max^2 / lambda`
    /// there: at `lambda = 1e-8` its Cholesky solve lost six digits of `w` and all of
    /// `dw/dlambda`).
    ///
    /// The answer is certified before it is returned: ``certificate(at:)`` must be at most
    /// ``certificateTolerance`` (``RidgeSolution/certificate``), else
    /// ``RidgeError/uncertified(gradient:tolerance:)``.
    public func solve() throws -> RidgeSolution {
        try certified(solveUnchecked())
    }

    /// The solution without the certificate.
    func solveUnchecked() throws -> RidgeSolution {
        let d = design.columns
        var gram = Matrix.product(design, transposed: true, design, transposed: false)
        for i in 0..<d { gram[i, i] += lambda }
        if design.rows < d, let wide = try? WideRidgeFactorization(design: design, lambda: lambda) {
            let w = wide.solveRangeOfTransposedDesign(targets)
            return RidgeSolution(problem: self, w: w, factors: RidgeFactors(gram: gram, factorization: wide))
        }
        let chol = try CholeskyFactorization(gram)
        let w = chol.solve(design.transposedTimes(targets))
        return RidgeSolution(problem: self, w: w, factors: RidgeFactors(gram: gram, factorization: chol))
    }

    /// `solution` with its certificate recomputed from `w` and the data; throws
    /// ``RidgeError/uncertified(gradient:tolerance:)`` above ``certificateTolerance``.
    func certified(_ solution: RidgeSolution) throws -> RidgeSolution {
        let c = certificate(at: solution.w)
        guard c <= Self.certificateTolerance else {
            throw RidgeError.uncertified(gradient: c, tolerance: Self.certificateTolerance)
        }
        var out = solution
        out.certificate = c
        return out
    }

    /// `x = [vec(X), y, lambda] -> w` as an ``ImplicitFunction`` (usable under Swift AD).
    /// The solve is direct (Cholesky, or a thin QR for wide designs), so there are no
    /// solver options; `options` are the implicit derivative's.
    public static func layer(rows n: Int, columns d: Int, options: ImplicitOptions = .init())
        -> ImplicitFunction<RidgeFactors> {
        ImplicitFunction(solver: { x in
            let p = try RidgeRegression.unpack(x, rows: n, columns: d)
            let s = try p.solve()
            return (s.w, s.factors)
        }, conditions: RidgeConditions(rows: n, columns: d), options: options).withOutputCount { _ in d }
    }

    @available(*, deprecated, renamed: "layer(rows:columns:options:)")
    public static func solutionMap(rows n: Int, columns d: Int, options: ImplicitOptions = .init())
        -> ImplicitFunction<RidgeFactors> {
        layer(rows: n, columns: d, options: options)
    }

    /// `[vec(X), y, lambda]`.
    public var packed: Vector { Vector(design.scalars + targets.scalars + [lambda]) }

    /// The problem from `[vec(X), y, lambda]`.
    public static func unpack(_ x: Vector, rows n: Int, columns d: Int) throws -> RidgeRegression {
        guard x.count == n * d + n + 1 else {
            throw LinearAlgebraError.dimensionMismatch("packed ridge parameters: \(x.count) entries for N = \(n), d = \(d)")
        }
        return try RidgeRegression(design: Matrix(rows: n, columns: d, scalars: Array(x.scalars[0..<(n * d)])),
                                   targets: x.slice((n * d)..<(n * d + n)), lambda: x[n * d + n])
    }
}

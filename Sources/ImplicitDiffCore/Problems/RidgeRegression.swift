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
/// ``solutionMap(rows:columns:options:)``.
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
        public var description: String {
            switch self {
            case let .nonPositiveLambda(l): return "lambda must be positive, got \(l)"
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
        let xf = BLAS.nrm2(design.scalars)   // ||X||_F
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
    public static func solutionMap(rows n: Int, columns d: Int, options: ImplicitOptions = .init())
        -> ImplicitFunction<RidgeFactors> {
        ImplicitFunction(solver: { x in
            let p = try RidgeRegression.unpack(x, rows: n, columns: d)
            let s = try p.solve()
            return (s.w, s.factors)
        }, conditions: RidgeConditions(rows: n, columns: d), options: options).withOutputCount { _ in d }
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

/// What the ridge solver hands to the derivative: `A = X'X + lambda I` and its
/// factorisation (Cholesky, or ``WideRidgeFactorization`` when `N < d`), reused as is.
public struct RidgeFactors: Sendable {
    /// `X'X + lambda I`.
    public let gram: Matrix
    /// Its factorisation.
    public let factorization: any Factorization
}

/// `A = X'X + lambda I` (`d x d`) for a wide design `X` (`N x d`, `N < d`, full row
/// rank), factorised through the thin QR `X' = Q R` (`Q` is `d x N`):
/// ```
/// A = Q (R R' + lambda I_N) Q' + lambda (I - Q Q')
/// A^-1 v = Q K^-1 Q'v + (v - Q Q'v) / lambda,      K = R R' + lambda I_N (Cholesky)
/// ```
/// `K` has condition number `(sigma_max^2 + lambda) / (sigma_min^2 + lambda)`, independent
/// of how small `lambda` is; the null-space part `v - Q Q'v` is projected twice ("twice
/// is enough") so that rounding in the range of `Q` is not amplified by `1/lambda`.
public struct WideRidgeFactorization: Factorization {
    public let dimension: Int
    /// The thin `Q` of `X' = Q R` (`d x N`).
    let q: Matrix
    /// `R` (`N x N`, upper triangular).
    let r: Matrix
    /// Cholesky factorisation of `R R' + lambda I_N`.
    let inner: CholeskyFactorization
    /// Cholesky factorisation of `R'R + lambda I_N = X X' + lambda I_N` (the dual system).
    let dual: CholeskyFactorization
    let lambda: Double

    /// - Throws: ``LinearAlgebraError`` when `X` is not wide or not of full row rank.
    public init(design: Matrix, lambda: Double) throws {
        guard design.rows < design.columns else {
            throw LinearAlgebraError.dimensionMismatch("WideRidgeFactorization needs N < d, got \(design.rows) x \(design.columns)")
        }
        let qr = try QRFactorization(design.transposed)
        q = qr.orthogonalFactor
        r = qr.upperTriangularFactor
        var k = Matrix.product(r, transposed: false, r, transposed: true)
        for i in 0..<k.rows { k[i, i] += lambda }
        inner = try CholeskyFactorization(k)
        var g = Matrix.product(r, transposed: true, r, transposed: false)
        for i in 0..<g.rows { g[i, i] += lambda }
        dual = try CholeskyFactorization(g)
        self.lambda = lambda
        dimension = design.columns
    }

    /// `A^-1 X' y = Q K^-1 R y` (exactly in the range of `X'`).
    public func solveRangeOfTransposedDesign(_ y: Vector) -> Vector { q * inner.solve(r * y) }

    /// The residual at the solution, `X w - y = -lambda (X X' + lambda I)^-1 y`, without
    /// the cancellation of forming `X w - y` (the residual is `O(lambda)` when the design
    /// interpolates; its rounding error, multiplied by the `1/lambda` of the derivative's
    /// null-space part, cost six digits of `dL/dX` at `lambda = 1e-8`).
    public func residual(targets y: Vector) -> Vector { -lambda * dual.solve(y) }

    public func solve(_ b: Vector) -> Vector {
        checkRightHandSide(b.count)
        var c = q.transposedTimes(b)
        var rest = b - q * c
        let again = q.transposedTimes(rest)
        rest = rest - q * again
        c = c + again
        return q * inner.solve(c) + (1 / lambda) * rest
    }

    public func solveTransposed(_ b: Vector) -> Vector { solve(b) }

    public func solve(_ b: Matrix) -> Matrix {
        var out = Matrix(rows: b.rows, columns: b.columns)
        for k in 0..<b.columns { out.setColumn(k, to: solve(b.column(k))) }
        return out
    }

    public func solveTransposed(_ b: Matrix) -> Matrix { solve(b) }
}

/// The gradient condition of ridge regression with its exact linearisation (see
/// ``RidgeRegression``). The byproduct is the solver's `X'X + lambda I` with its
/// factorisation, reused as `A` and its factorisation.
public struct RidgeConditions: ImplicitConditions {
    /// `N`, the rows of `X`.
    public let rows: Int
    /// `n`, the columns of `X`.
    public let columns: Int

    /// The conditions of problems with `X` of shape `rows x columns`.
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    public func residual(x: Vector, y w: Vector, byproduct: RidgeFactors) -> Vector {
        guard let p = try? RidgeRegression.unpack(x, rows: rows, columns: columns) else {
            return Vector(repeating: .nan, count: w.count)
        }
        let r = p.design * w - p.targets
        return p.design.transposedTimes(r) + p.lambda * w
    }

    public func linearize(x: Vector, y w: Vector, byproduct: RidgeFactors) throws -> ConditionsLinearization {
        let p = try RidgeRegression.unpack(x, rows: rows, columns: columns)
        let solution = RidgeSolution(problem: p, w: w, factors: byproduct)
        return solution.linearization
    }
}

/// A solved ridge problem: `w`, the objective, and its derivatives.
public struct RidgeSolution: Sendable {
    /// The problem that was solved.
    public let problem: RidgeRegression
    /// The minimiser `w`.
    public let w: Vector
    /// `X'X + lambda I` and its factorisation.
    public let factors: RidgeFactors
    /// The relative gradient residual ``RidgeRegression/certificate(at:)`` of `w`, checked
    /// by ``RidgeRegression/solve()`` before it returned (`nil` for a solution not made by
    /// it).
    public internal(set) var certificate: Double?

    init(problem: RidgeRegression, w: Vector, factors: RidgeFactors) {
        self.problem = problem
        self.w = w
        self.factors = factors
    }

    /// The residual `r = X w - y` (for a wide design, from the dual system: see
    /// ``WideRidgeFactorization/residual(targets:)``).
    public var residual: Vector {
        if let wide = factors.factorization as? WideRidgeFactorization, wide.dimension == w.count {
            return wide.residual(targets: problem.targets)
        }
        return problem.design * w - problem.targets
    }

    /// `1/2 ||X w - y||^2 + lambda/2 ||w||^2`.
    public var value: Double { 0.5 * residual.squaredNorm() + 0.5 * problem.lambda * w.squaredNorm() }

    /// `A = X'X + lambda I` (dense) and `B` (an exact matrix-free operator), with `A`'s
    /// Cholesky factorisation.
    public var linearization: ConditionsLinearization {
        let x = problem.design, w = self.w, r = residual
        let n = x.rows, d = x.columns
        let b = FunctionOperator(
            rows: d, columns: n * d + n + 1,
            apply: { t in
                let dX = Matrix(rows: n, columns: d, scalars: Array(t.scalars[0..<(n * d)]))
                let dy = t.slice((n * d)..<(n * d + n))
                let dl = t[n * d + n]
                return dX.transposedTimes(r) + x.transposedTimes(dX * w - dy) + dl * w
            },
            applyTransposed: { v in
                let xv = x * v
                var gX = Matrix.outer(r, v)
                gX.addOuter(xv, w)
                return Vector(gX.scalars + (-xv).scalars + [v.dot(w)])
            })
        var fused: FusedDerivative?
        if let wide = factors.factorization as? WideRidgeFactorization, wide.dimension == w.count {
            fused = Self.wideDerivative(design: x, targets: problem.targets, w: w, lambda: problem.lambda,
                                        dual: wide.dual)
        }
        return ConditionsLinearization(a: factors.gram, b: b, factorizedA: factors.factorization, isPositiveDefinite: true,
                                       fusedDerivative: fused)
    }

    /// The derivative of a wide ridge regression (`N < d`) without `1/lambda`: with the
    /// dual variable `alpha = K^-1 y`, `K = X X' + lambda I_N` (so `w = X'alpha` and
    /// `r = X w - y = -lambda alpha`) and the push-through identity
    /// `A^-1 X' = X' K^-1` (equivalently `lambda A^-1 = I - X' K^-1 X`):
    /// ```
    /// pushforward:  g = dX' alpha,  s = dX w - dy + dlambda alpha
    ///               dw = g - X' K^-1 (X g + s)
    /// pullback:     u = K^-1 X wbar   (= X A^-1 wbar)
    ///               Xbar = alpha (wbar - X'u)' - u w',   ybar = u,   lambdabar = -u'alpha
    /// ```
    /// Only `N x N` solves with `K`, whose condition number does not grow as
    /// `lambda -> 0`; the generic path's `A^-1 wbar` carries a null-space part of size
    /// `1/lambda` whose rounding cost four digits at `lambda = 1e-10`.
    static func wideDerivative(design x: Matrix, targets y: Vector, w: Vector, lambda: Double,
                               dual: CholeskyFactorization) -> FusedDerivative {
        let n = x.rows, d = x.columns
        let alpha = dual.solve(y)
        /// `K^-1 rhs` and the relative residual `||K z - rhs|| / ||rhs||`.
        @Sendable func solveDual(_ rhs: Vector) -> (Vector, Double) {
            let z = dual.solve(rhs)
            let kz = x * x.transposedTimes(z) + lambda * z
            let norm = rhs.norm
            return (z, norm == 0 ? 0 : (kz - rhs).norm / norm)
        }
        return FusedDerivative(
            pushforward: { t in
                let dX = Matrix(rows: n, columns: d, scalars: Array(t.scalars[0..<(n * d)]))
                let dy = t.slice((n * d)..<(n * d + n))
                let dl = t[n * d + n]
                let g = dX.transposedTimes(alpha)
                var s = dX * w - dy
                s.add(alpha, scaledBy: dl)
                let (z, residual) = solveDual(x * g + s)
                return (g - x.transposedTimes(z), residual)
            },
            pullback: { wbar in
                let (u, residual) = solveDual(x * wbar)
                var gX = Matrix.outer(alpha, wbar - x.transposedTimes(u))
                gX.addOuter(-u, w)
                return (Vector(gX.scalars + u.scalars + [-u.dot(alpha)]), residual)
            })
    }

    /// The derivative of `w` with respect to `[vec(X), y, lambda]`.
    public func derivative(options: ImplicitOptions = .init()) throws -> ImplicitDerivative {
        try ImplicitDerivative(conditions: RidgeConditions(rows: problem.design.rows, columns: problem.design.columns),
                               x: problem.packed, y: w, byproduct: factors, options: options)
    }

    /// Gradient of the objective value with respect to `[vec(X), y, lambda]` (envelope
    /// theorem, no solve): `(r w', -r, ||w||^2 / 2)`.
    public var valueGradient: Vector {
        let r = residual
        return Vector(Matrix.outer(r, w).scalars + (-r).scalars + [0.5 * w.squaredNorm()])
    }
}


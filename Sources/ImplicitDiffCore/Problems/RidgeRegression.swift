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

    /// Why a ridge problem was rejected.
    public enum RidgeError: Error, Equatable, CustomStringConvertible {
        /// `lambda` is not positive.
        case nonPositiveLambda(Double)
        public var description: String { "lambda must be positive, got \(lambda)" }
        var lambda: Double { if case let .nonPositiveLambda(l) = self { return l }; return 0 }
    }

    /// Solves by one Cholesky factorisation of `X'X + lambda I`.
    public func solve() throws -> RidgeSolution {
        let d = design.columns
        var gram = Matrix.product(design, transposed: true, design, transposed: false)
        for i in 0..<d { gram[i, i] += lambda }
        let chol = try CholeskyFactorization(gram)
        let w = chol.solve(design.transposedTimes(targets))
        return RidgeSolution(problem: self, w: w, factors: RidgeFactors(gram: gram, cholesky: chol))
    }

    /// `x = [vec(X), y, lambda] -> w` as an ``ImplicitFunction`` (usable under Swift AD).
    public static func solutionMap(rows n: Int, columns d: Int, options: ImplicitOptions = .init())
        -> ImplicitFunction<RidgeFactors> {
        ImplicitFunction(solver: { x in
            let p = try RidgeRegression.unpack(x, rows: n, columns: d)
            let s = try p.solve()
            return (s.w, s.factors)
        }, conditions: RidgeConditions(rows: n, columns: d), options: options)
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

/// What the ridge solver hands to the derivative: `A = X'X + lambda I` and its Cholesky
/// factorisation, reused as is.
public struct RidgeFactors: Sendable {
    /// `X'X + lambda I`.
    public let gram: Matrix
    /// Its Cholesky factorisation.
    public let cholesky: CholeskyFactorization
}

/// The gradient condition of ridge regression with its exact linearisation (see
/// ``RidgeRegression``). The byproduct is the solver's `X'X + lambda I` with its Cholesky
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
    /// `X'X + lambda I` and its Cholesky factorisation.
    public let factors: RidgeFactors

    init(problem: RidgeRegression, w: Vector, factors: RidgeFactors) {
        self.problem = problem
        self.w = w
        self.factors = factors
    }

    /// The residual `r = X w - y`.
    public var residual: Vector { problem.design * w - problem.targets }

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
        return ConditionsLinearization(a: factors.gram, b: b, factorizedA: factors.cholesky, isPositiveDefinite: true)
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

/// A convex quadratic program in the standard form
/// ```
/// minimize    1/2 z'Q z + q'z
/// subject to  A z = b,   G z <= h
/// ```
/// with `Q` (`n x n`) symmetric positive semidefinite, `A` (`p x n`), `G` (`m x n`).
/// Its Lagrangian, which fixes the signs of the multipliers everywhere in this module, is
/// ```
/// L(z, lambda, mu) = 1/2 z'Q z + q'z + lambda'(A z - b) + mu'(G z - h),   mu >= 0.
/// ```
///
/// Construction validates the data: shapes, finiteness and symmetry of `Q` (within
/// ``symmetryTolerance`` relative to `max |Q_ij|`; the symmetric part is stored, so small
/// rounding asymmetries are removed). Positive semidefiniteness is assumed and checked by
/// the solver where it shows (``QPError/nonConvex(_:)``).
///
/// ```swift
/// let qp = try QuadraticProgram(Q: .identity(2), q: [-1, -1], G: Matrix(rowArrays: [[1, 1]])!, h: [1])
/// let s = try qp.solve()                  // z = (0.5, 0.5), mu = [0.5]
/// let d = try s.derivative()              // factorises nothing: reuses the solver's KKT factors
/// let g = try d.pullback(QPOutputs(z: [1, 0]))        // dz_0 / d(Q, q, A, b, G, h)
/// let dz = try d.pushforward(QPParameters(h: [1])).z   // forward mode
/// let J = try d.jacobian(of: .z, wrt: .h)              // one multi-RHS solve
/// ```
///
/// ## Solver
/// ``solve(options:)`` runs a dense Mehrotra predictor-corrector interior point (normal
/// equations `Q + G' diag(mu/s) G`, Cholesky, BLAS-3) on a row- and objective-scaled copy,
/// then *polishes*: it reads the active set off the iterate (`mu_i > s_i`), solves the
/// equality-constrained QP on it exactly with the reduced KKT matrix (``QPReducedKKT``) and
/// accepts the result only if `mu_a >= 0`, the inactive rows are feasible and every relative
/// KKT residual (``QPKKTResidual``) is below the tolerance (default `1e-10`; accepted points
/// are typically at `1e-15`). A few misclassified rows are moved and the solve repeated;
/// otherwise the interior point iterates on. Infeasibility and unboundedness are detected by
/// Farkas / recession-direction certificates; dependent equality rows are found by a pivoted
/// QR, dropped and reported (``QPActiveSet/dependentEqualities``); `Q` only semidefinite
/// (down to `Q = 0`, an LP) works through static regularisation and the polish.
///
/// ## Derivatives
/// ``QPDerivative`` differentiates `(z, lambda, mu, value)` with respect to
/// `(Q, q, A, b, G, h)` through the KKT conditions on the active set, with the reduced
/// KKT matrix factorised once (by the polish) and reused by every pullback, pushforward and
/// Jacobian. The `Q` gradient is symmetric and tangents `dQ` are symmetrised. The optimal
/// value's gradient is the envelope theorem's `(z z'/2, z, lambda z', -lambda, mu z', -mu)`.
/// ``layer(shape:solverOptions:policy:options:)`` gives the same as an
/// `ImplicitFunction` of packed parameters, callable under `gradient(at:of:)`.
///
/// ## Where there is no derivative
/// * a *weakly active* inequality (slack ~ 0 and `mu_i` ~ 0, thresholds in
///   ``QPSolverOptions/weakActivityTolerance``): the solution map has a kink. Default:
///   refuse (``QPError/notDifferentiable(_:)`` naming the row); ``QPWeaklyActivePolicy``
///   offers the two one-sided derivatives instead;
/// * linearly dependent active constraints (equality rows or active inequalities), where
///   the multipliers are not unique, and a minimiser that is not unique (`Q` singular on
///   the null space of the active constraints): refused, with the reason.
public struct QuadraticProgram: Sendable, Equatable {
    /// The symmetric `n x n` quadratic term.
    public let Q: Matrix
    /// The linear term (`n`).
    public let q: Vector
    /// The equality constraint matrix (`p x n`; `p` may be 0).
    public let A: Matrix
    /// The equality right-hand side (`p`).
    public let b: Vector
    /// The inequality constraint matrix (`m x n`; `m` may be 0).
    public let G: Matrix
    /// The inequality right-hand side (`m`).
    public let h: Vector

    /// The largest accepted `max |Q_ij - Q_ji| / max |Q_ij|`: `1e-12`.
    public static let symmetryTolerance = 1e-12

    /// A validated QP. `A`/`b` and `G`/`h` may be omitted (no constraints of that kind).
    ///
    /// - Throws: ``QPError/dimensionMismatch(_:)``, ``QPError/nonFinite(_:)``,
    ///   ``QPError/nonSymmetric(asymmetry:relative:)``.
    public init(Q: Matrix, q: Vector, A: Matrix? = nil, b: Vector? = nil,
                G: Matrix? = nil, h: Vector? = nil) throws {
        let n = q.count
        guard Q.rows == n, Q.columns == n else {
            throw QPError.dimensionMismatch("Q is \(Q.rows) x \(Q.columns) but q has \(n) entries")
        }
        guard (A == nil) == (b == nil) || (A?.rows ?? 0) + (b?.count ?? 0) == 0 else {
            throw QPError.dimensionMismatch(A == nil ? "b is given without A" : "A is given without b")
        }
        guard (G == nil) == (h == nil) || (G?.rows ?? 0) + (h?.count ?? 0) == 0 else {
            throw QPError.dimensionMismatch(G == nil ? "h is given without G" : "G is given without h")
        }
        let a = A ?? Matrix(rows: 0, columns: n), bb = b ?? Vector.zeros(0)
        let g = G ?? Matrix(rows: 0, columns: n), hh = h ?? Vector.zeros(0)
        guard a.rows == bb.count, a.columns == n || (a.rows == 0) else {
            throw QPError.dimensionMismatch("A is \(a.rows) x \(a.columns) but b has \(bb.count) entries and z has \(n)")
        }
        guard g.rows == hh.count, g.columns == n || (g.rows == 0) else {
            throw QPError.dimensionMismatch("G is \(g.rows) x \(g.columns) but h has \(hh.count) entries and z has \(n)")
        }
        guard Q.isFinite else { throw QPError.nonFinite("Q") }
        guard q.isFinite else { throw QPError.nonFinite("q") }
        guard a.isFinite else { throw QPError.nonFinite("A") }
        guard bb.isFinite else { throw QPError.nonFinite("b") }
        guard g.isFinite else { throw QPError.nonFinite("G") }
        guard hh.isFinite else { throw QPError.nonFinite("h") }
        let (asym, scale) = QuadraticProgram.asymmetry(of: Q)
        if asym > Self.symmetryTolerance * scale {
            throw QPError.nonSymmetric(asymmetry: asym, relative: scale > 0 ? asym / scale : .infinity)
        }
        self.init(uncheckedQ: Q.symmetricPart, q: q,
                  A: a.rows == 0 ? Matrix(rows: 0, columns: n) : a, b: bb,
                  G: g.rows == 0 ? Matrix(rows: 0, columns: n) : g, h: hh)
    }

    /// Stores the data as given (the caller has validated it and symmetrised `Q`).
    init(uncheckedQ Q: Matrix, q: Vector, A: Matrix, b: Vector, G: Matrix, h: Vector) {
        self.Q = Q
        self.q = q
        self.A = A
        self.b = b
        self.G = G
        self.h = h
    }

    /// `(max |Q_ij - Q_ji|, max |Q_ij|)`.
    static func asymmetry(of q: Matrix) -> (Double, Double) {
        let n = q.rows
        var asym = 0.0
        for i in 0..<n {
            for j in 0..<i { asym = Swift.max(asym, abs(q[i, j] - q[j, i])) }
        }
        return (asym, q.maxNorm)
    }

    /// The number of variables `n`.
    public var variableCount: Int { q.count }
    /// The number of equality constraints `p`.
    public var equalityCount: Int { b.count }
    /// The number of inequality constraints `m`.
    public var inequalityCount: Int { h.count }
    /// `(n, p, m)`.
    public var shape: QPShape { QPShape(n: variableCount, p: equalityCount, m: inequalityCount) }

    /// The objective `1/2 z'Q z + q'z`.
    public func objective(at z: Vector) -> Double { 0.5 * z.dot(Q * z) + q.dot(z) }

    /// Solves the QP (interior point, then an exact solve on the identified active set),
    /// and certifies the answer before returning it: the relative KKT residuals
    /// (``QPKKTResidual``: primal feasibility, dual feasibility, complementarity, duality
    /// gap; row- and objective-scaled) are recomputed on the original data at the returned
    /// `(z, lambda, mu)` and must all be at most ``QPSolverOptions/tolerance``
    /// (``QPSolution/certificate``).
    ///
    /// - Throws: ``QPError/infeasible(_:)``, ``QPError/unbounded(_:)``,
    ///   ``QPError/nonConvex(_:)``, ``QPError/notConverged(iterations:residual:)``,
    ///   ``QPError/uncertified(_:tolerance:)``, ``QPError/invalidOptions(_:)``.
    public func solve(options: QPSolverOptions = .init()) throws -> QPSolution {
        try certify(QPSolver(problem: self, options: options).solve(), options: options)
    }

    /// `solution` with its ``QPSolution/certificate`` recomputed from `(z, lambda, mu)`
    /// alone (nothing the solver reported is reused); throws
    /// ``QPError/uncertified(_:tolerance:)`` when a relative residual exceeds `tolerance`,
    /// or an absolute one `absoluteTolerance` when set (or is NaN).
    func certify(_ solution: QPSolution, options: QPSolverOptions) throws -> QPSolution {
        let residual = QPKKTResidual(problem: self, z: solution.z, lambda: solution.lambda, mu: solution.mu)
        guard options.accepts(relative: residual.maximum, absolute: residual.absoluteMaximum) else {
            throw QPError.uncertified(residual, tolerance: options.tolerance)
        }
        var certified = solution
        certified.certificate = residual
        return certified
    }
}

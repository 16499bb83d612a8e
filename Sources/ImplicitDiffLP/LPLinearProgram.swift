/// A linear program in inequality form, solved by GLPK's simplex and differentiated at
/// its optimal vertex by the implicit function theorem:
/// ```
/// minimize  c'z   subject to   A z = b,   G z <= h
/// ```
/// with duals `lambda` (equalities) and `mu >= 0` (inequalities) of the Lagrangian
/// `c'z + lambda'(A z - b) + mu'(G z - h)`. Variable bounds are rows of `G`.
///
/// At a non-degenerate optimal vertex with active inequalities `S` the basis matrix
/// `M = [A; G_S]` is square and invertible, and
/// ```
/// z = M^-1 [b; h_S]                [lambda; mu_S] = -M^-T c,   mu_N = 0
/// dz = M^-1 ([db; dh_S] - [dA; dG_S] z)          dz/dc = 0
/// d value = z'dc - lambda'db - mu'dh + lambda'dA z + mu'dG z
/// ```
/// so `d value/dc = z`, `d value/db = -lambda`, `d value/dh = -mu`,
/// `d value/dA = lambda z'`, `d value/dG = mu z'` (``LinearProgramSolution/valueGradient``),
/// and every derivative of `(z, lambda, mu)` (``LinearProgramSolution/derivative(options:)``)
/// is a solve with the one LU factorisation of `M` the solver made.
///
/// A degenerate vertex (primal: more than `n` active constraints; dual: a zero reduced
/// cost, so `z` is not unique) is detected (``LPOptions``) and reported by
/// ``LPError/degenerate(_:)`` when a derivative is asked for; the forward solution is
/// still returned. ``solveRegularized(gamma:startingFrom:options:)`` gives the smoothed
/// alternative.
///
/// ```swift
/// let lp = try LinearProgram(c: [1, 1], G: Matrix(rowArrays: [[-1, 0], [0, -1]])!, h: [0, 0])
/// let s = try lp.solve()                       // z = [0, 0], mu = [1, 1]
/// let dz = try s.derivative().pushforward(dx)  // dx packed by s.problem.layout
/// ```
public struct LinearProgram: Sendable {
    /// Objective `c` (n).
    public let c: Vector
    /// Equality matrix `A` (p x n; p = 0 when there are no equalities).
    public let A: Matrix
    /// Equality right-hand side `b` (p).
    public let b: Vector
    /// Inequality matrix `G` (m x n).
    public let G: Matrix
    /// Inequality right-hand side `h` (m).
    public let h: Vector

    /// Validates shapes (`A` with `b`, `G` with `h`, `n` columns each, `n >= 1`),
    /// finiteness and the ranges of ``LPDataLimits``; throws ``LPError/invalidProblem(_:)``.
    public init(c: Vector, A: Matrix? = nil, b: Vector? = nil, G: Matrix? = nil, h: Vector? = nil) throws {
        let n = c.count
        guard n >= 1 else { throw LPError.invalidProblem("c is empty: there must be at least one variable") }
        guard (A == nil) == (b == nil) || (A?.rows == 0 && (b?.count ?? 0) == 0) else {
            throw LPError.invalidProblem("A and b must be given together")
        }
        guard (G == nil) == (h == nil) || (G?.rows == 0 && (h?.count ?? 0) == 0) else {
            throw LPError.invalidProblem("G and h must be given together")
        }
        let a = A ?? Matrix(rows: 0, columns: n), bb = b ?? Vector([])
        let g = G ?? Matrix(rows: 0, columns: n), hh = h ?? Vector([])
        guard a.columns == n || a.rows == 0 else { throw LPError.invalidProblem("A has \(a.columns) columns but c has \(n) entries") }
        guard g.columns == n || g.rows == 0 else { throw LPError.invalidProblem("G has \(g.columns) columns but c has \(n) entries") }
        guard a.rows == bb.count else { throw LPError.invalidProblem("A has \(a.rows) rows but b has \(bb.count) entries") }
        guard g.rows == hh.count else { throw LPError.invalidProblem("G has \(g.rows) rows but h has \(hh.count) entries") }
        guard c.isFinite else { throw LPError.invalidProblem("c has non-finite entries") }
        guard a.isFinite, bb.isFinite else { throw LPError.invalidProblem("A or b has non-finite entries") }
        guard g.isFinite, hh.isFinite else { throw LPError.invalidProblem("G or h has non-finite entries") }
        try LPDataLimits.check(c, "c")
        try LPDataLimits.check(a, "A")
        try LPDataLimits.check(bb, "b")
        try LPDataLimits.check(g, "G")
        try LPDataLimits.check(hh, "h")
        self.c = c
        self.A = Matrix(rows: a.rows, columns: n, scalars: a.scalars)
        self.b = bb
        self.G = Matrix(rows: g.rows, columns: n, scalars: g.scalars)
        self.h = hh
    }

    /// The problem whose parameters are packed in `x` (see ``LPParameterLayout``).
    public init(packed x: Vector, layout: LPParameterLayout) throws {
        let (c, a, b, g, h) = try layout.unpack(x)
        try self.init(c: c, A: a, b: b, G: g, h: h)
    }

    /// `n`, `p`, `m` and the packing of parameters and solution.
    public var layout: LPParameterLayout {
        LPParameterLayout(variables: c.count, equalities: A.rows, inequalities: G.rows)
    }

    /// `[c, vec(A), b, vec(G), h]`.
    public var packed: Vector { layout.pack(c: c, A: A, b: b, G: G, h: h) }

    /// The solver's form: rows `[A; G]` with bounds `b <= A z <= b`, `G z <= h`, free columns.
    var solverForm: LPSolverForm {
        let p = A.rows, m = G.rows, n = c.count
        return LPSolverForm(
            objective: c.scalars,
            matrix: LPSparseRows(stacking: [A, G], columns: n),
            rowLower: b.scalars + [Double](repeating: -.infinity, count: m),
            rowUpper: b.scalars + h.scalars,
            columnLower: [Double](repeating: -.infinity, count: n),
            columnUpper: [Double](repeating: .infinity, count: n),
            rowName: { i in i < p ? "equality row \(i)" : "inequality row \(i - p)" },
            columnName: { j in "variable z[\(j)] (free, nonbasic)" })
    }

    /// Solves with GLPK's simplex, recomputes the vertex from the optimal basis, and
    /// checks it on this problem's data (``LPCertificate``) before returning it. Dense
    /// problems whose variables are all bounded (by single-variable rows of `G`) and that
    /// are not small first try an interior point whose crossover basis, when its vertex is
    /// primal and dual feasible, is the optimal basis (no simplex pivot); otherwise the
    /// simplex starts from it. The answer is the same exact vertex either way.
    ///
    /// - Throws: ``LPError/infeasible(_:)``, ``LPError/unbounded(_:)``,
    ///   ``LPError/notConverged(_:)`` (also when the answer fails its certificate: the
    ///   message gives the figures). A degenerate vertex is not an error here: it is
    ///   reported in ``LinearProgramSolution/degeneracy`` and by `derivative()`.
    ///   "Infeasible" and "unbounded" are reported only when an independent certificate
    ///   confirms GLPK's verdict: multipliers `(lambda, mu >= 0)` with
    ///   `A'lambda + G'mu = 0` and `b'lambda + h'mu < 0` (Farkas), or a feasible point and
    ///   a ray `d` with `A d = 0`, `G d <= 0`, `c'd < 0`, each found by an auxiliary LP and
    ///   checked to ``LPOptions/certificateTolerance`` relative to its terms; otherwise
    ///   the error is ``LPError/notConverged(_:)``.
    public func solve(options: LPOptions = .init()) throws -> LinearProgramSolution {
        try solve(options: options, certifyingExits: true)
    }

    /// ``solve(options:)``; `certifyingExits == false` (the auxiliary problems of the exit
    /// certificates, which are feasible and bounded) reports GLPK's verdicts unchecked.
    func solve(options: LPOptions, certifyingExits: Bool) throws -> LinearProgramSolution {
        let p = A.rows, n = c.count
        let form = solverForm
        let basic: LPBasicSolution
        do {
            basic = try form.solve(options: options)
        } catch LPError.unbounded(let why) where certifyingExits {
            throw certifiedUnbounded(why, options: options)
        } catch LPError.infeasible(let why) where certifyingExits {
            throw certifiedInfeasible(why, options: options)
        } catch LPSolverFormFailure.dualInfeasibleBasis(let why) {
            // GLPK stopped at a basis that is not dual feasible (its tolerance is relative
            // to its scaled data): unbounded if a ray confirms it, not converged otherwise.
            if certifyingExits, case let .unbounded(certified) = certifiedUnbounded(why, options: options) {
                throw LPError.unbounded(certified)
            }
            throw LPError.notConverged(why)
        }
        let pi = basic.rowDuals
        let lambda = Vector(pi[0..<p].map { 0 - $0 })
        let mu = Vector(pi[p...].map { 0 - $0 })
        let active = basic.activeRows.filter { $0 >= p }.map { $0 - p }
        var factorization: LPKKTFactorization?
        if basic.degeneracy == nil, basic.basicColumns.count == n, basic.activeRows.count == n {
            // Non-degenerate: the basis matrix is exactly M = [A; G_S] in this row order.
            factorization = try? LPKKTFactorization(A: A, G: G, active: active, gamma: 0, basis: basic.basisFactorization)
        }
        let z = Vector(basic.x)
        let certificate = LPCertificate.check(self, z: z, lambda: lambda, mu: mu, tolerance: options.certificateTolerance,
                                              matrix: form.matrix)
        guard certificate.passed else {
            throw LPError.notConverged("GLPK's answer fails the independent optimality check on the problem's data: "
                                       + certificate.description)
        }
        return LinearProgramSolution(
            problem: self, regularization: 0, z: z, lambda: lambda, mu: mu, value: c.dot(z),
            activeSet: LPActiveSet(activeInequalities: active, degeneracy: basic.degeneracy,
                                   weaklyActiveInequalities: [], factorization: factorization),
            iterations: basic.iterations, certificate: certificate)
    }
}

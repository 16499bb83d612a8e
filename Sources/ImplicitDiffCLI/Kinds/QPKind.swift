import ImplicitDiff

/// `qp`: minimize 1/2 z'Qz + q'z s.t. A z = b, G z <= h (ImplicitDiffQP).
///
/// Options besides the common ones: `"weakly_active"`: `"reject"` (default: a derivative
/// at a weakly active inequality is exit 4), `"inactive"` or `"active"` (the one-sided
/// derivative with weakly active rows treated as inactive / active; see
/// `QPWeaklyActivePolicy`). `"tol_abs"`: an absolute tolerance the answer must also meet
/// (``QPSolverOptions/absoluteTolerance``: primal, dual and gap residuals in the data's
/// units, like OSQP's `eps_abs`). `linear_solver` `auto`/`direct` use the solver's own LDL' of the
/// reduced KKT matrix; a Krylov choice solves the full KKT system of `QPConditions`.
public enum QPKind: ProblemKind {
    public static let name = "qp"

    /// A random strictly convex QP, n = 6, one equality, eight inequalities of which
    /// typically a few are active at the optimum.
    public static func sample(seed: UInt64) -> JSONObject? {
        var g = SampleGenerator(seed: seed)
        let m = g.matrix(6, 6)
        var q = Matrix.product(m, transposed: true, m, transposed: false)
        for i in 0..<6 { q[i, i] += 1 }
        return JSONObject([("Q", JSON(q)), ("q", JSON(g.vector(6, in: -3...3))),
                           ("A", JSON(g.matrix(1, 6))), ("b", JSON(g.vector(1))),
                           ("G", JSON(g.matrix(8, 6))), ("h", JSON(g.vector(8, in: 0...0.5)))])
    }
    public static var optionKeys: Set<String> { ["weakly_active", "tol_abs"] }

    /// Whether `data` goes to the sparse solver: a matrix in coordinate form, or one of the
    /// Maros-Meszaros fields `l`, `lb`, `ub`.
    static func isSparse(_ data: JSONObject) -> Bool {
        for key in ["Q", "A", "G"] { if case .object? = data[key] { return true } }
        return data.has("l") || data.has("lb") || data.has("ub")
    }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        if data.has("qps") { return try prepareQPS(data, options: options) }
        if isSparse(data) { return try prepareSparse(data, options: options) }
        try data.rejectUnknownKeys(["Q", "q", "A", "b", "G", "h"], in: "qp data")
        let qmat = try data.matrix("Q"), q = try data.vector("q")
        let n = q.count
        guard qmat.rows == n, qmat.columns == n || n == 0 else {
            throw CLIError.invalidInput("Q is \(qmat.rows) x \(qmat.columns) but q has \(n) entries")
        }
        guard n > 0 else { throw CLIError.invalidInput("the QP has no variables") }
        let a = try data.optionalMatrix("A", columns: n), b = try data.optionalVector("b")
        let g = try data.optionalMatrix("G", columns: n), h = try data.optionalVector("h")
        if (a == nil) != (b == nil) {
            throw CLIError.invalidInput(a == nil ? "'b' is given without 'A'" : "'A' is given without 'b'")
        }
        if (g == nil) != (h == nil) {
            throw CLIError.invalidInput(g == nil ? "'h' is given without 'G'" : "'G' is given without 'h'")
        }
        if let a, let b, a.rows != b.count || (a.rows > 0 && a.columns != n) {
            throw CLIError.invalidInput("A is \(a.rows) x \(a.columns) but b has \(b.count) entries and z has \(n)")
        }
        if let g, let h, g.rows != h.count || (g.rows > 0 && g.columns != n) {
            throw CLIError.invalidInput("G is \(g.rows) x \(g.columns) but h has \(h.count) entries and z has \(n)")
        }
        let policy = try weakPolicy(options)
        let solverOptions = try solverOptions(options)
        let problem: QuadraticProgram
        do {
            problem = try QuadraticProgram(Q: qmat, q: q, A: a, b: b, G: g, h: h)
        } catch let e as QPError {
            throw CLIError(qp: e)
        }
        return {
            let solution: QPSolution
            do { solution = try problem.solve(options: solverOptions) } catch let e as QPError {
                throw CLIError(qp: e)
            }
            return SolvedQP(solution: solution, policy: policy, options: options.implicit)
        }
    }

    /// The solver options of a request: `tol`, `max_iter` and `tol_abs`.
    static func solverOptions(_ options: ProblemOptions) throws -> QPSolverOptions {
        var result = QPSolverOptions()
        if let tol = options.tol { result.tolerance = tol }
        if let m = options.maxIter { result.maxIterations = m }
        if let a = try options.raw.optionalScalar("tol_abs") {
            guard a > 0, a.isFinite else { throw CLIError.invalidInput("'tol_abs' must be a positive number, got \(a)") }
            result.absoluteTolerance = a
        }
        return result
    }

    static func weakPolicy(_ options: ProblemOptions) throws -> QPWeaklyActivePolicy {
        var policy = QPWeaklyActivePolicy.reject
        if options.raw.has("weakly_active") {
            switch try options.raw.string("weakly_active") {
            case "reject": policy = .reject
            case "inactive": policy = .treatAsInactive
            case "active": policy = .treatAsActive
            case let other:
                throw CLIError.invalidInput("unknown weakly_active '\(other)' (one of: reject, inactive, active)")
            }
        }
        return policy
    }
}

extension CLIError {
    /// The contract's error for a QP error (also used by kinds that solve QPs).
    init(qp e: QPError) {
        switch e {
        case .dimensionMismatch, .nonFinite, .nonSymmetric, .nonConvex, .invalidOptions:
            self = .invalidInput(e.description)
        case .infeasible: self = .infeasible(e.description)
        case .unbounded: self = .unbounded(e.description)
        case .notConverged, .uncertified: self = .notConverged(e.description)
        case .notDifferentiable: self = .notDifferentiable(e.description)
        }
    }
}

/// A solved QP and its derivatives under the CLI names: parameters `Q, q, A, b, G, h`,
/// outputs `z, lambda, mu, value`. The derivative (one reduced KKT factorisation, usually
/// the solver's own) is prepared on first use and reused across `--repeat` runs.
final class SolvedQP: SolvedProblem {
    let solution: QPSolution
    let policy: QPWeaklyActivePolicy
    let options: ImplicitOptions
    private var cached: QPDerivative?
    private var cachedImplicit: ImplicitDerivative?

    init(solution: QPSolution, policy: QPWeaklyActivePolicy, options: ImplicitOptions) {
        self.solution = solution
        self.policy = policy
        self.options = options
    }

    var shape: QPShape { solution.problem.shape }
    let status = "optimal"
    var forwardIterations: Int { solution.report.iterations }
    /// The QP's certificate (``QPKKTResidual`` recomputed on the returned point): primal
    /// and dual feasibility, complementarity and duality gap, each relative.
    var certificate: [(name: String, value: Double)] {
        let c = solution.certificate
        return [("primal", c.primal), ("dual", c.dual), ("complementarity", c.complementarity), ("gap", c.gap)]
    }
    var outputs: [(name: String, value: Tensor)] {
        [("z", Tensor(solution.z)), ("lambda", Tensor(solution.lambda)), ("mu", Tensor(solution.mu)),
         ("value", Tensor(solution.value))]
    }
    var parameterShapes: [(name: String, shape: [Int])] {
        let s = shape
        return [("Q", [s.n, s.n]), ("q", [s.n]), ("A", [s.p, s.n]), ("b", [s.p]), ("G", [s.m, s.n]), ("h", [s.m])]
    }

    /// Whether the derivative goes through a Krylov method on the full conditions.
    var usesKrylov: Bool { options.linearSolver != .automatic && options.linearSolver != .direct }

    func derivative() throws -> QPDerivative {
        if let d = cached { return d }
        do {
            let d = try solution.derivative(policy: policy)
            cached = d
            return d
        } catch let e as QPError { throw CLIError(qp: e) }
    }

    func implicitDerivative() throws -> ImplicitDerivative {
        if let d = cachedImplicit { return d }
        let conditions = QPConditions(shape: shape, policy: policy)
        let x = shape.pack(solution.problem), y = solution.packed
        do {
            let d = try ImplicitDerivative(conditions: conditions, x: x, y: y, byproduct: solution.byproduct, options: options)
            cachedImplicit = d
            return d
        } catch let e as QPError { throw CLIError(qp: e) }
    }

    func gradients(_ g: QPParameters) -> [String: Tensor] {
        ["Q": Tensor(g.Q), "q": Tensor(g.q), "A": Tensor(g.A), "b": Tensor(g.b), "G": Tensor(g.G), "h": Tensor(g.h)]
    }

    func cotangent(_ c: [String: Tensor]) -> QPOutputs {
        QPOutputs(z: c["z"]?.vector ?? .zero, lambda: c["lambda"]?.vector ?? .zero, mu: c["mu"]?.vector ?? .zero,
                  value: c["value"]?.scalar ?? 0)
    }

    func tangent(_ t: [String: Tensor]) -> QPParameters {
        QPParameters(Q: t["Q"]?.matrix ?? .zero, q: t["q"]?.vector ?? .zero, A: t["A"].map { $0.matrix } ?? .zero,
                     b: t["b"]?.vector ?? .zero, G: t["G"].map { $0.matrix } ?? .zero, h: t["h"]?.vector ?? .zero)
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let c = cotangent(cotangents)
        if usesKrylov {
            let d = try implicitDerivative()
            let (gx, report) = try d.pullbackWithReport(shape.packSolution(c))
            var g = try shape.unpackParameters(gx)
            if c.value != 0 { g = addValueGradient(g, c.value) }
            return (gradients(g), report)
        }
        let (g, report) = try derivative().pullbackWithReport(c)
        return (gradients(g), report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let t = tangent(tangents)
        let o: QPOutputs, report: LinearSolveReport
        if usesKrylov {
            let d = try implicitDerivative()
            let (dy, r) = try d.pushforwardWithReport(shape.pack(t))
            var out = shape.unpackSolution(dy)
            out.value = try derivative().pushforward(t).value
            (o, report) = (out, r)
        } else {
            (o, report) = try derivative().pushforwardWithReport(t)
        }
        return (["z": Tensor(o.z), "lambda": Tensor(o.lambda), "mu": Tensor(o.mu), "value": Tensor(o.value)], report)
    }

    func jacobian(of output: String, wrt parameter: String) throws -> (matrix: Matrix, report: LinearSolveReport) {
        guard let of = QPOutput(rawValue: output), let wrt = QPParameter(rawValue: parameter) else {
            throw CLIError.invalidInput("unknown output '\(output)' or parameter '\(parameter)'")
        }
        if usesKrylov {
            // Columns by forward mode or rows by reverse mode, each a Krylov solve.
            return try QPColumnwise(base: self).jacobian(of: output, wrt: parameter)
        }
        let (j, r) = try derivative().jacobianWithReport(of: of, wrt: wrt)
        return (j, r)
    }

    func addValueGradient(_ g: QPParameters, _ vbar: Double) -> QPParameters {
        let s = solution
        var out = g
        out.Q = out.Q + (0.5 * vbar) * Matrix.outer(s.z, s.z)
        out.q = out.q + vbar * s.z
        if shape.p > 0 { out.A = out.A + vbar * Matrix.outer(s.lambda, s.z); out.b = out.b - vbar * s.lambda }
        if shape.m > 0 { out.G = out.G + vbar * Matrix.outer(s.mu, s.z); out.h = out.h - vbar * s.mu }
        return out
    }
}

/// Forwards to a ``SolvedQP`` without its Jacobian override, so that the protocol's
/// default (columns by `jvp` or rows by `vjp`) runs. Not API.
struct QPColumnwise: SolvedProblem {
    let base: SolvedQP
    var status: String { base.status }
    var outputs: [(name: String, value: Tensor)] { base.outputs }
    var parameterShapes: [(name: String, shape: [Int])] { base.parameterShapes }
    var forwardIterations: Int { base.forwardIterations }
    func vjp(_ c: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) { try base.vjp(c) }
    func jvp(_ t: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) { try base.jvp(t) }
}

// MARK: - sparse QPs

extension QPKind {
    /// `|v| >= 1e20` means "no bound" (the Maros-Meszaros files' convention: JSON has no
    /// infinity).
    static func withInfinities(_ v: Vector) -> Vector {
        Vector(v.scalars.map { $0 >= 1e20 ? .infinity : ($0 <= -1e20 ? -.infinity : $0) })
    }

    /// The sparse path: `Q`, `A`, `G` dense or in coordinate form, optional `l` (lower sides
    /// of the `G` rows: `l <= G z <= h`), `lb`, `ub` (variable bounds); solved by
    /// `SparseQuadraticProgram` (no dense n x n anywhere when the input is sparse).
    static func prepareSparse(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        try data.rejectUnknownKeys(["Q", "q", "A", "b", "G", "h", "l", "lb", "ub"], in: "qp data")
        let q = try data.vector("q")
        let n = q.count
        guard n > 0 else { throw CLIError.invalidInput("the QP has no variables") }
        let qField = try data.matrixField("Q")
        guard qField.shape.rows == n, qField.shape.columns == n else {
            throw CLIError.invalidInput("Q is \(qField.shape.rows) x \(qField.shape.columns) but q has \(n) entries")
        }
        let aField = try data.optionalMatrixField("A", columns: n), b = try data.optionalVector("b")
        let gField = try data.optionalMatrixField("G", columns: n), h = try data.optionalVector("h")
        if (aField == nil) != (b == nil) {
            throw CLIError.invalidInput(aField == nil ? "'b' is given without 'A'" : "'A' is given without 'b'")
        }
        if (gField == nil) != (h == nil) {
            throw CLIError.invalidInput(gField == nil ? "'h' is given without 'G'" : "'G' is given without 'h'")
        }
        let p = b?.count ?? 0, m = h?.count ?? 0
        if let a = aField, a.shape.rows != p || (p > 0 && a.shape.columns != n) {
            throw CLIError.invalidInput("A is \(a.shape.rows) x \(a.shape.columns) but b has \(p) entries and z has \(n)")
        }
        if let g = gField, g.shape.rows != m || (m > 0 && g.shape.columns != n) {
            throw CLIError.invalidInput("G is \(g.shape.rows) x \(g.shape.columns) but h has \(m) entries and z has \(n)")
        }
        let l = try data.optionalVector("l"), lb = try data.optionalVector("lb"), ub = try data.optionalVector("ub")
        if let l, l.count != m { throw CLIError.invalidInput("l has \(l.count) entries but G has \(m) rows") }
        if let lb, lb.count != n { throw CLIError.invalidInput("lb has \(lb.count) entries but z has \(n)") }
        if let ub, ub.count != n { throw CLIError.invalidInput("ub has \(ub.count) entries but z has \(n)") }
        // Dense fields keep their full pattern (a tangent may touch any entry).
        func sparse(_ f: MatrixField?, rows: Int) -> SparseMatrix {
            guard let f else { return .zeros(rows: rows, columns: n) }
            switch f {
            case let .dense(d): return d.rows == 0 ? .zeros(rows: 0, columns: n) : SparseMatrix(d, dropTolerance: -1)
            case let .sparse(c): return c.matrix
            }
        }
        let pMat = sparse(qField, rows: n), aMat = sparse(aField, rows: p), gMat = sparse(gField, rows: m)
        let policy = try weakPolicy(options)
        let solverOptions = try solverOptions(options)
        let problem: SparseQuadraticProgram
        do {
            problem = try SparseQuadraticProgram(
                Q: pMat, q: q, equalities: aMat, b: b ?? .zeros(0), inequalities: gMat,
                h: withInfinities(h ?? .zeros(0)), l: l.map(withInfinities),
                lb: lb.map(withInfinities), ub: ub.map(withInfinities))
        } catch let e as QPError {
            throw CLIError(qp: e)
        }
        let layouts = SparseQPLayouts(Q: qField.layout, A: aField?.layout, G: gField?.layout,
                                      equalities: aMat, inequalities: gMat,
                                      hasLower: l != nil, hasBounds: lb != nil || ub != nil)
        return {
            let solution: SparseQPSolution
            do { solution = try problem.solve(options: solverOptions) } catch let e as QPError {
                throw CLIError(qp: e)
            }
            return SolvedSparseQP(solution: solution, policy: policy, layouts: layouts, equalityCount: p)
        }
    }
}

/// Where the CLI's `Q`, `A`, `G` live in a `SparseQuadraticProgram`: `Q` is `P`; the rows
/// of `A` and `G` are stacked into the problem's `A`, whose stored values are, column by
/// column, those of `A` then those of `G` (``aSlot``, ``gSlot`` map each input entry to
/// its stacked slot). Not API.
struct SparseQPLayouts {
    let Q: SparseLayout?
    let A: SparseLayout?
    let G: SparseLayout?
    let aSlot: [Int]
    let gSlot: [Int]
    let hasLower: Bool
    let hasBounds: Bool
    /// The parameters' names and shapes, and the coordinate-form layouts by name: fixed by
    /// the problem's shape, formed once per problem rather than once per derivative.
    let parameterShapes: [(name: String, shape: [Int])]
    let byName: [String: SparseLayout]

    init(Q: SparseLayout?, A: SparseLayout?, G: SparseLayout?, equalities a: SparseMatrix, inequalities g: SparseMatrix,
         hasLower: Bool, hasBounds: Bool) {
        self.Q = Q
        self.A = A
        self.G = G
        self.hasLower = hasLower
        self.hasBounds = hasBounds
        let n = a.columns, p = a.rows, m = g.rows
        var shapes: [(name: String, shape: [Int])] = [("Q", [n, n]), ("q", [n]), ("A", [p, n]), ("b", [p]), ("G", [m, n]), ("h", [m])]
        if hasLower { shapes.append(("l", [m])) }
        if hasBounds { shapes += [("lb", [n]), ("ub", [n])] }
        parameterShapes = shapes
        var d = [String: SparseLayout]()
        if let Q { d["Q"] = Q }
        if let A { d["A"] = A }
        if let G { d["G"] = G }
        byName = d
        var aS = [Int](repeating: 0, count: a.nonZeroCount), gS = [Int](repeating: 0, count: g.nonZeroCount)
        var k = 0
        for j in 0..<a.columns {
            for e in a.columnStart[j]..<a.columnStart[j + 1] { aS[e] = k; k += 1 }
            if j < g.columns { for e in g.columnStart[j]..<g.columnStart[j + 1] { gS[e] = k; k += 1 } }
        }
        aSlot = aS
        gSlot = gS
    }
}

/// A QP solved by the sparse path, under the CLI names: parameters `Q, q, A, b, G, h`
/// (and `l`, `lb`, `ub` when given), outputs `z, lambda, mu, value` (and `w`, the bound
/// multipliers, when bounds are given). With `l`, `mu_i` is the multiplier of the
/// two-sided row `l_i <= G_i z <= h_i`: `>= 0` where `h_i` binds, `<= 0` where `l_i` binds.
/// Gradients on coordinate-form inputs come back on their patterns. Not API.
final class SolvedSparseQP: SolvedProblem {
    let solution: SparseQPSolution
    let policy: QPWeaklyActivePolicy
    let layouts: SparseQPLayouts
    let p: Int
    private var cached: SparseQPDerivative?

    init(solution: SparseQPSolution, policy: QPWeaklyActivePolicy, layouts: SparseQPLayouts, equalityCount: Int) {
        self.solution = solution
        self.policy = policy
        self.layouts = layouts
        p = equalityCount
    }

    var n: Int { solution.problem.variableCount }
    var m: Int { solution.problem.rowCount - p }
    let status = "optimal"
    var forwardIterations: Int { solution.iterations }
    var certificate: [(name: String, value: Double)] { solution.certificateFigures }
    var outputs: [(name: String, value: Tensor)] {
        let y = solution.y.scalars
        var out: [(name: String, value: Tensor)] = [
            ("z", Tensor(solution.z)), ("lambda", Tensor(Vector(Array(y[0..<p])))),
            ("mu", Tensor(Vector(Array(y[p...])))), ("value", Tensor(solution.value))]
        if layouts.hasBounds { out.append(("w", Tensor(solution.w))) }
        return out
    }
    var parameterShapes: [(name: String, shape: [Int])] { layouts.parameterShapes }
    var sparseLayouts: [String: SparseLayout] { layouts.byName }

    func derivative() throws -> SparseQPDerivative {
        if let d = cached { return d }
        do {
            let d = try solution.derivative(policy: policy)
            cached = d
            return d
        } catch let e as QPError { throw CLIError(qp: e) }
    }

    /// A matrix gradient (values on the stacked or `P` storage) as the input's tensor.
    func matrixTensor(_ stored: [Double], layout: SparseLayout?, rows: Int, slots: [Int]?, pattern: SparseMatrix) -> Tensor {
        let own = slots.map { s in s.map { stored[$0] } } ?? stored
        if let layout { return Tensor(layout: layout, stored: own) }
        return Tensor(pattern.withValues(own).dense)
    }

    func split(_ v: Vector) -> (Vector, Vector) { (Vector(Array(v.scalars[0..<p])), Vector(Array(v.scalars[p...]))) }

    /// The gradients under the CLI names, only those in `wrt` (`nil`: all).
    func gradients(_ g: SparseQPParameters, wrt: Set<String>? = nil) -> [String: Tensor] {
        let prob = solution.problem
        let names = wrt.map(Array.init) ?? layouts.parameterShapes.map(\.name)
        var out = [String: Tensor](minimumCapacity: names.count)
        for name in names {
            switch name {
            case "Q": out["Q"] = matrixTensor(g.P, layout: layouts.Q, rows: n, slots: nil, pattern: prob.P)
            case "q": out["q"] = Tensor(g.q)
            case "A": out["A"] = matrixTensor(g.A, layout: layouts.A, rows: p, slots: layouts.aSlot, pattern: stackedPart(top: true))
            case "b": out["b"] = Tensor(Vector((0..<p).map { g.l[$0] + g.u[$0] }))
            case "G": out["G"] = matrixTensor(g.A, layout: layouts.G, rows: m, slots: layouts.gSlot, pattern: stackedPart(top: false))
            case "h": out["h"] = Tensor(Vector(Array(g.u.scalars[p...])))
            case "l" where layouts.hasLower: out["l"] = Tensor(Vector(Array(g.l.scalars[p...])))
            case "lb" where layouts.hasBounds: out["lb"] = Tensor(g.lb)
            case "ub" where layouts.hasBounds: out["ub"] = Tensor(g.ub)
            default: break
            }
        }
        return out
    }

    /// The equality (`top`) or inequality rows of the stacked `A` as their own matrix
    /// (same storage order as the input's), for dense gradients.
    func stackedPart(top: Bool) -> SparseMatrix {
        let a = solution.problem.A
        let slots = top ? layouts.aSlot : layouts.gSlot
        let rows = top ? p : m
        var start = [0], ri = [Int](), vals = [Double]()
        for j in 0..<a.columns {
            for e in a.columnStart[j]..<a.columnStart[j + 1] {
                let r = a.rowIndices[e]
                if top ? r < p : r >= p { ri.append(top ? r : r - p); vals.append(a.values[e]) }
            }
            start.append(ri.count)
        }
        _ = slots
        return (try? SparseMatrix(rows: rows, columns: a.columns, columnStart: start, rowIndices: ri, values: vals))
            ?? .zeros(rows: rows, columns: a.columns)
    }

    /// The value's gradient (envelope theorem on the Lagrangian): `Q: z z'/2`, `q: z`,
    /// rows: `y z'`, `u: -y+`, `l: y-`, `ub: -w+`, `lb: w-`.
    func valueGradient(matrices: Bool = true) -> SparseQPParameters {
        let s = solution, prob = s.problem
        var g = SparseQPParameters.zeros(like: prob)
        if matrices {
            g.P = prob.P.patternGradient(left: s.z, right: s.z).map { 0.5 * $0 }
            g.A = prob.A.patternGradient(left: s.y, right: s.z)
        }
        g.q = s.z
        for i in 0..<prob.rowCount {
            if s.y[i] > 0 { g.u[i] = -s.y[i] } else if s.y[i] < 0 { g.l[i] = -s.y[i] }
        }
        for j in 0..<n {
            if s.w[j] > 0 { g.ub[j] = -s.w[j] } else if s.w[j] < 0 { g.lb[j] = -s.w[j] }
        }
        return g
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        try vjp(cotangents, wrt: nil)
    }

    /// Only the parameters in `wrt` are formed: without `Q`, `A`, `G` among them, the
    /// `O(nnz)` matrix gradients are not computed.
    func vjp(_ cotangents: [String: Tensor], wrt: Set<String>?) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let matrices = wrt.map { !$0.isDisjoint(with: ["Q", "A", "G"]) } ?? true
        if let w = cotangents["w"], w.scalars.contains(where: { $0 != 0 }) {
            throw CLIError.invalidInput("cotangents on the bound multipliers w are not supported (z, lambda, mu, value are)")
        }
        let zbar = cotangents["z"]?.vector ?? .zeros(n)
        let lbar = cotangents["lambda"]?.vector ?? .zeros(p), mbar = cotangents["mu"]?.vector ?? .zeros(m)
        let vbar = cotangents["value"]?.scalar ?? 0
        var g = SparseQPParameters.zeros(like: solution.problem)
        var report = LinearSolveReport(method: "sparse-ldlt")
        if zbar.maxNorm > 0 || lbar.maxNorm > 0 || mbar.maxNorm > 0 {
            let d = try derivative()
            do {
                let r = try d.pullbackWithResidual(z: zbar, y: Vector(lbar.scalars + mbar.scalars), matrices: matrices)
                g = r.gradient
                report.relativeResidual = r.residual
            } catch let e as QPError { throw CLIError(qp: e) }
        }
        if vbar != 0 {
            let v = valueGradient(matrices: matrices)
            if matrices {
                g.P = zip(g.P, v.P).map { $0 + vbar * $1 }
                g.A = zip(g.A, v.A).map { $0 + vbar * $1 }
            }
            g.q = g.q + vbar * v.q
            g.l = g.l + vbar * v.l
            g.u = g.u + vbar * v.u
            g.lb = g.lb + vbar * v.lb
            g.ub = g.ub + vbar * v.ub
        }
        return (gradients(g, wrt: wrt), report)
    }

    /// A tangent on `Q` (symmetrised on `P`'s pattern) or on the stacked rows.
    func tangent(_ t: [String: Tensor]) -> SparseQPParameters {
        let prob = solution.problem
        var out = SparseQPParameters.zeros(like: prob)
        func stored(_ tensor: Tensor?, layout: SparseLayout?, pattern: SparseMatrix) -> [Double]? {
            guard let tensor else { return nil }
            if layout != nil { return tensor.storedValues }
            // Dense: read the pattern's entries of the row-major matrix.
            var v = [Double](repeating: 0, count: pattern.nonZeroCount)
            for j in 0..<pattern.columns {
                for e in pattern.columnStart[j]..<pattern.columnStart[j + 1] {
                    v[e] = tensor.scalars[pattern.rowIndices[e] * pattern.columns + j]
                }
            }
            return v
        }
        if let dq = stored(t["Q"], layout: layouts.Q, pattern: prob.P) {
            // Symmetrise: (dQ + dQ')/2 on the (symmetric) pattern.
            let index = prob.P.withValues((0..<prob.P.nonZeroCount).map(Double.init)).transposed.values
            out.P = (0..<dq.count).map { 0.5 * (dq[$0] + dq[Int(index[$0])]) }
        }
        if let da = stored(t["A"], layout: layouts.A, pattern: stackedPart(top: true)) {
            for e in da.indices { out.A[layouts.aSlot[e]] = da[e] }
        }
        if let dg = stored(t["G"], layout: layouts.G, pattern: stackedPart(top: false)) {
            for e in dg.indices { out.A[layouts.gSlot[e]] = dg[e] }
        }
        if let dq = t["q"] { out.q = dq.vector }
        if let db = t["b"] { for i in 0..<p { out.l[i] = db.scalars[i]; out.u[i] = db.scalars[i] } }
        if let dh = t["h"] { for i in 0..<m { out.u[p + i] = dh.scalars[i] } }
        if let dl = t["l"] { for i in 0..<m { out.l[p + i] = dl.scalars[i] } }
        if let d = t["lb"] { out.lb = d.vector }
        if let d = t["ub"] { out.ub = d.vector }
        return out
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let t = tangent(tangents)
        let d = try derivative()
        let dzy: (z: Vector, y: Vector, residual: Double)
        do { dzy = try d.pushforwardWithResidual(t) } catch let e as QPError { throw CLIError(qp: e) }
        var report = LinearSolveReport(method: "sparse-ldlt")
        report.relativeResidual = dzy.residual
        // d value = <value gradient, t> + <grad_z value, dz> with grad_z of the Lagrangian = 0.
        let v = valueGradient()
        var dv = v.q.dot(t.q) + v.l.dot(t.l) + v.u.dot(t.u) + v.lb.dot(t.lb) + v.ub.dot(t.ub)
        for e in v.P.indices { dv += v.P[e] * t.P[e] }
        for e in v.A.indices { dv += v.A[e] * t.A[e] }
        let (dl, dm) = split(dzy.y)
        var out: [String: Tensor] = ["z": Tensor(dzy.z), "lambda": Tensor(dl), "mu": Tensor(dm), "value": Tensor(dv)]
        if layouts.hasBounds {
            // w = -(P z + q + A'y) on fixed variables, 0 on free ones.
            let prob = solution.problem
            let dP = prob.P.withValues(t.P), dA = prob.A.withValues(t.A)
            let r = dP * solution.z + prob.P * dzy.z + t.q + dA.transposedTimes(solution.y) + prob.A.transposedTimes(dzy.y)
            out["w"] = Tensor(Vector((0..<n).map { d.kkt.free[$0] ? 0 : -r[$0] }))
        }
        return (out, report)
    }
}

extension SparseQPSolution {
    /// The certificate as the CLI reports it: relative primal and dual residuals and
    /// duality gap recomputed on the original data (`SparseQPResidual`), and the absolute
    /// ones (qpbenchmark's definitions).
    var certificateFigures: [(name: String, value: Double)] {
        let c = certificate
        return [("primal", c.relativePrimal), ("dual", c.relativeDual), ("gap", c.relativeGap),
                ("primal_abs", c.primal), ("dual_abs", Swift.max(c.dual, c.dualSign)), ("gap_abs", c.gap)]
    }
}

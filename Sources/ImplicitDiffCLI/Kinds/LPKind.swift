import ImplicitDiff

/// `lp`: minimize c'z subject to A z = b, G z <= h, solved by GLPK's simplex
/// (ImplicitDiffLP), or a model read from an MPS / CPLEX LP file (`"mps"` / `"cplex_lp"`,
/// relative to the problem file's folder).
///
/// Every answer reported as optimal passed an independent check on the problem's data
/// (``LPCertificate``); its figures go to `stats.certificate` (`primal`, `dual`,
/// `complementarity`, `gap`). "infeasible" and "unbounded" are certified too.
///
/// Options: `tol` sets ``LPOptions/feasibilityTolerance`` (and loosens
/// ``LPOptions/certificateTolerance`` to it when larger), `max_iter` the simplex
/// iteration cap, and `lp_smoothing` (gamma > 0) asks for the smoothed derivative: the
/// outputs stay the LP optimum, the derivative is that of
/// `min c'z + gamma/2 ||z||^2` over the same constraints (value: that problem's
/// optimal value's envelope gradient).
public enum LPKind: ProblemKind {
    public static let name = "lp"
    public static var optionKeys: Set<String> { ["lp_smoothing"] }

    /// A random LP with a known non-degenerate vertex (n = 5, p = 1, m = 9): `z*` random,
    /// four inequalities active with multipliers in [0.5, 1.5], the others with slack in
    /// [0.5, 1.5], and `c = -(A'lambda + G'mu)`.
    public static func sample(seed: UInt64) -> JSONObject? {
        var g = SampleGenerator(seed: seed)
        let n = 5, p = 1, m = 9
        let a = g.matrix(p, n), gm = g.matrix(m, n), z = g.vector(n), lambda = g.vector(p)
        var h = (gm * z).scalars, mu = [Double](repeating: 0, count: m)
        for i in 0..<m {
            if i < n - p { mu[i] = Double.random(in: 0.5...1.5, using: &g) } else { h[i] += Double.random(in: 0.5...1.5, using: &g) }
        }
        let c = -(a.transposedTimes(lambda) + gm.transposedTimes(Vector(mu)))
        return JSONObject([("c", JSON(c)), ("A", JSON(a)), ("b", JSON(a * z)), ("G", JSON(gm)), ("h", JSON(Vector(h)))])
    }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        var lpOptions = LPOptions()
        if let tol = options.tol {
            lpOptions.feasibilityTolerance = tol
            // The independent check of the answer is never tighter than the solve asked for.
            lpOptions.certificateTolerance = max(lpOptions.certificateTolerance, tol)
        }
        lpOptions.iterationLimit = options.maxIter
        let smoothing = try options.raw.optionalScalar("lp_smoothing")
        if let gamma = smoothing, !(gamma > 0) {
            throw CLIError.invalidInput("'lp_smoothing' must be positive, got \(gamma)")
        }
        if data.has("mps") || data.has("cplex_lp") {
            return try prepareModel(data, options: options, lpOptions: lpOptions, smoothing: smoothing)
        }
        try data.rejectUnknownKeys(["c", "A", "b", "G", "h"], in: "lp data")
        let c = try data.vector("c")
        guard c.count > 0 else { throw CLIError.invalidInput("'c' is empty: there must be at least one variable") }
        let aField = try data.optionalMatrixField("A", columns: c.count), b = try data.optionalVector("b")
        let gField = try data.optionalMatrixField("G", columns: c.count), h = try data.optionalVector("h")
        guard (aField == nil) == (b == nil) else { throw CLIError.invalidInput("'A' and 'b' must be given together") }
        guard (gField == nil) == (h == nil) else { throw CLIError.invalidInput("'G' and 'h' must be given together") }
        for (name, field) in [("A", aField), ("G", gField)] {
            if let field, field.shape.rows > 0, field.shape.columns != c.count {
                throw CLIError.invalidInput("\(name) has \(field.shape.columns) columns but c has \(c.count) entries")
            }
        }
        if aField?.isSparse == true || gField?.isSparse == true {
            return try prepareSparse(c: c, A: aField, b: b, G: gField, h: h, lpOptions: lpOptions, smoothing: smoothing,
                                     options: options.implicit)
        }
        var a: Matrix?, g: Matrix?
        if case let .dense(m)? = aField { a = m }
        if case let .dense(m)? = gField { g = m }
        let problem = try mapErrors { try LinearProgram(c: c, A: a, b: b, G: g, h: h) }
        return {
            let solution = try mapErrors { try problem.solve(options: lpOptions) }
            return SolvedLP(solution: solution,
                            smoothing: smoothing, lpOptions: lpOptions, options: options.implicit)
        }
    }

    /// `A` or `G` in coordinate form: the sparse path (``SparseLinearProgram``), the other
    /// matrix, if dense, with every entry stored (its gradient is then dense as given).
    static func prepareSparse(c: Vector, A: MatrixField?, b: Vector?, G: MatrixField?, h: Vector?, lpOptions: LPOptions,
                              smoothing: Double?, options: ImplicitOptions) throws -> PreparedSolve {
        let problem = try mapErrors {
            try SparseLinearProgram(c: c, A: A.map(SolvedSparseLP.storedMatrix), b: b, G: G.map(SolvedSparseLP.storedMatrix), h: h)
        }
        var layouts = [String: SparseLayout]()
        if let layout = A?.layout { layouts["A"] = layout }
        if let layout = G?.layout { layouts["G"] = layout }
        return {
            let solution = try mapErrors { try problem.solve(options: lpOptions) }
            return SolvedSparseLP(solution: solution, layouts: layouts, smoothing: smoothing, lpOptions: lpOptions, options: options)
        }
    }

    static func prepareModel(_ data: JSONObject, options: ProblemOptions, lpOptions: LPOptions,
                             smoothing: Double?) throws -> PreparedSolve {
        guard !(data.has("mps") && data.has("cplex_lp")) else {
            throw CLIError.invalidInput("give one of 'mps' and 'cplex_lp', not both")
        }
        let key = data.has("mps") ? "mps" : "cplex_lp"
        try data.rejectUnknownKeys([key], in: "lp data with a model file")
        let file = try data.string(key)
        let path = file.hasPrefix("/") ? file : options.baseDirectory + "/" + file
        let model = try mapErrors { try LPModel.read(path: path, format: key == "mps" ? .mps : .cplexLP) }
        return {
            let solution = try mapErrors { try model.solve(options: lpOptions) }
            return SolvedLPModel(solution: solution, smoothing: smoothing, lpOptions: lpOptions, options: options.implicit)
        }
    }

    /// Runs `body`, mapping ``LPError`` to the contract's errors.
    static func mapErrors<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let e as LPError {
            throw cliError(e)
        }
    }

    static func cliError(_ e: LPError) -> CLIError {
        switch e {
        case let .invalidProblem(m): return .invalidInput(m)
        case let .infeasible(m): return .infeasible(m)
        case let .unbounded(m): return .unbounded(m)
        case let .notConverged(m): return .notConverged(m)
        case .degenerate, .notDifferentiable: return .notDifferentiable(e.description)
        }
    }
}

/// A solved dense LP and its derivatives (parameters c, A, b, G, h).
final class SolvedLP: SolvedProblem {
    let solution: LinearProgramSolution
    let smoothing: Double?
    let lpOptions: LPOptions
    let options: ImplicitOptions
    private var cached: (LinearProgramSolution, ImplicitDerivative)?

    init(solution: LinearProgramSolution, smoothing: Double?,
         lpOptions: LPOptions, options: ImplicitOptions) {
        self.solution = solution
        self.smoothing = smoothing
        self.lpOptions = lpOptions
        self.options = options
    }

    var layout: LPParameterLayout { solution.problem.layout }
    let status = "optimal"
    var forwardIterations: Int { solution.iterations }
    /// `primal`, `dual`, `complementarity`, `gap`: the relative figures of the check the LP
    /// answer passed before it was reported (``LPCertificate``).
    var certificate: [(name: String, value: Double)] { solution.certificate.figures }

    var outputs: [(name: String, value: Tensor)] {
        [("z", Tensor(solution.z)), ("lambda", Tensor(solution.lambda)), ("mu", Tensor(solution.mu)),
         ("value", Tensor(solution.value))]
    }

    var parameterShapes: [(name: String, shape: [Int])] {
        let n = layout.variableCount, p = layout.equalityCount, m = layout.inequalityCount
        // Absent A/b or G/h are parameters of size 0, as in the qp kind.
        return [("c", [n]), ("A", [p, n]), ("b", [p]), ("G", [m, n]), ("h", [m])]
    }

    /// The solution that is differentiated (the smoothed one when asked) and its derivative.
    func derivative() throws -> (LinearProgramSolution, ImplicitDerivative) {
        if let cached { return cached }
        let target = try LPKind.mapErrors {
            try smoothing.map { try solution.problem.solveRegularized(gamma: $0, startingFrom: solution, options: lpOptions) }
                ?? solution
        }
        let d = try LPKind.mapErrors { try target.derivative(options: options) }
        cached = (target, d)
        return (target, d)
    }

    func unpack(_ g: Vector) -> [String: Tensor] {
        let l = layout, n = l.variableCount
        return ["c": Tensor(g.slice(l.cRange)),
                "A": Tensor(shape: [l.equalityCount, n], scalars: Array(g.scalars[l.aRange])),
                "b": Tensor(g.slice(l.bRange)),
                "G": Tensor(shape: [l.inequalityCount, n], scalars: Array(g.scalars[l.gRange])),
                "h": Tensor(g.slice(l.hRange))]
    }

    func pack(_ t: [String: Tensor]) -> Vector {
        let l = layout
        var x = [Double](repeating: 0, count: l.parameterCount)
        for (name, range) in [("c", l.cRange), ("A", l.aRange), ("b", l.bRange), ("G", l.gRange), ("h", l.hRange)] {
            if let v = t[name] { x.replaceSubrange(range, with: v.scalars) }
        }
        return Vector(x)
    }

    /// At a degenerate vertex (and without smoothing) the derivatives that exist are all
    /// closed forms (``LPDifferentiability``: one that needs a solve needs a non-degenerate
    /// vertex): `d value/d c = z`, `d value/d b = -lambda`, `d value/d h = -mu`, and zeros.
    private var closedForms: LPDifferentiability? {
        guard smoothing == nil, let d = solution.degeneracy else { return nil }
        return LPDifferentiability(degeneracy: d)
    }

    private static let roles: [(name: String, role: LPDifferentiability.Parameter)] =
        [("c", .objective), ("A", .constraintMatrix), ("b", .rightHandSide), ("G", .constraintMatrix), ("h", .rightHandSide)]

    func vjp(_ cotangents: [String: Tensor], wrt: Set<String>?) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        guard let differentiability = closedForms else {
            let (g, r) = try vjp(cotangents)
            return (wrt.map { w in g.filter { w.contains($0.key) } } ?? g, r)
        }
        func asked(_ name: String) -> Bool { cotangents[name]?.scalars.contains { $0 != 0 } ?? false }
        var outputs = [(name: String, role: LPDifferentiability.Output)]()
        if asked("z") { outputs.append(("z", .solution)) }
        if asked("lambda") { outputs.append(("lambda", .duals)) }
        if asked("mu") { outputs.append(("mu", .duals)) }
        if asked("value") { outputs.append(("value", .value)) }
        let parameters = Self.roles.filter { wrt?.contains($0.name) ?? true }
        try LPKind.mapErrors {
            try differentiability.require(outputs: outputs, parameters: parameters, degeneracy: solution.degeneracy)
        }
        let vbar = cotangents["value"]?.scalar ?? 0
        let zero = unpack(Vector(repeating: 0, count: layout.parameterCount))
        var out = [String: Tensor]()
        for (name, _) in parameters {
            switch name {
            case "c": out[name] = Tensor(vbar * solution.z)
            case "b": out[name] = Tensor(-vbar * solution.lambda)
            case "h": out[name] = Tensor(-vbar * solution.mu)
            default: out[name] = zero[name]
            }
        }
        return (out, LinearSolveReport(method: "closed-form"))
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        if closedForms != nil { return try vjp(cotangents, wrt: nil) }
        let (target, d) = try derivative()
        let l = layout
        let ybar = Vector((cotangents["z"]?.scalars ?? Array(repeating: 0, count: l.variableCount))
                          + (cotangents["lambda"]?.scalars ?? Array(repeating: 0, count: l.equalityCount))
                          + (cotangents["mu"]?.scalars ?? Array(repeating: 0, count: l.inequalityCount)))
        var (g, report) = try d.pullbackWithReport(ybar)
        if let vbar = cotangents["value"]?.scalar, vbar != 0 { g.add(target.valueGradient, scaledBy: vbar) }
        return (unpack(g), report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        if let differentiability = closedForms {
            let parameters = Self.roles.filter { tangents[$0.name]?.scalars.contains { $0 != 0 } ?? false }
            try LPKind.mapErrors {
                try differentiability.require(outputs: [("z", .solution), ("lambda", .duals), ("mu", .duals), ("value", .value)],
                                              parameters: parameters, degeneracy: solution.degeneracy)
            }
            let l = layout
            let value = solution.z.dot(tangents["c"]?.vector ?? .zeros(l.variableCount))
                - solution.lambda.dot(tangents["b"]?.vector ?? .zeros(l.equalityCount))
                - solution.mu.dot(tangents["h"]?.vector ?? .zeros(l.inequalityCount))
            return (["z": Tensor(Vector.zeros(l.variableCount)), "lambda": Tensor(Vector.zeros(l.equalityCount)),
                     "mu": Tensor(Vector.zeros(l.inequalityCount)), "value": Tensor(value)], LinearSolveReport(method: "closed-form"))
        }
        let (target, d) = try derivative()
        let dx = pack(tangents)
        let (dy, report) = try d.pushforwardWithReport(dx)
        let (dz, dl, dm) = layout.split(solution: dy)
        return (["z": Tensor(dz), "lambda": Tensor(dl), "mu": Tensor(dm), "value": Tensor(target.valueGradient.dot(dx))], report)
    }
}

/// A solved LP whose `A` or `G` was given in coordinate form (``SparseLinearProgram``):
/// gradients of a coordinate-form matrix on the input's pattern (one value per given
/// entry, duplicates getting the derivative of the entry they add to), of a dense one as
/// dense rows. Differentiability is decided for what is asked (``LPDifferentiability``).
/// `lp_smoothing` runs on the dense form, for problems of at most 2^20 matrix entries.
final class SolvedSparseLP: SolvedProblem {
    let solution: SparseLinearProgramSolution
    let sparseLayouts: [String: SparseLayout]
    let smoothing: Double?
    let lpOptions: LPOptions
    let options: ImplicitOptions
    private var cached: SparseLinearProgramDerivative?
    private var smoothed: SolvedLP?

    init(solution: SparseLinearProgramSolution, layouts: [String: SparseLayout], smoothing: Double?,
         lpOptions: LPOptions, options: ImplicitOptions) {
        self.solution = solution
        sparseLayouts = layouts
        self.smoothing = smoothing
        self.lpOptions = lpOptions
        self.options = options
    }

    /// The matrix of a field: a coordinate field's own, or a dense one with every entry
    /// stored (explicit zeros too), so that its gradient covers every entry.
    static func storedMatrix(_ field: MatrixField) -> SparseMatrix {
        switch field {
        case let .sparse(coordinates): return coordinates.matrix
        case let .dense(m):
            let rows = m.rows, columns = m.columns
            var start = [0], index = [Int](), values = [Double]()
            for j in 0..<columns {
                for i in 0..<rows { index.append(i); values.append(m[i, j]) }
                start.append(index.count)
            }
            return try! SparseMatrix(rows: rows, columns: columns, columnStart: start, rowIndices: index, values: values)
        }
    }

    let status = "optimal"
    var forwardIterations: Int { solution.iterations }
    var certificate: [(name: String, value: Double)] { solution.certificate.figures }
    private var problem: SparseLinearProgram { solution.problem }

    var outputs: [(name: String, value: Tensor)] {
        [("z", Tensor(solution.z)), ("lambda", Tensor(solution.lambda)), ("mu", Tensor(solution.mu)),
         ("value", Tensor(solution.value))]
    }

    var parameterShapes: [(name: String, shape: [Int])] {
        let n = problem.c.count, p = problem.A.rows, m = problem.G.rows
        return [("c", [n]), ("A", [p, n]), ("b", [p]), ("G", [m, n]), ("h", [m])]
    }

    /// A gradient in `matrix`'s storage order as the tensor of parameter `name`.
    private func tensor(_ name: String, stored: [Double], _ matrix: SparseMatrix) -> Tensor {
        if let layout = sparseLayouts[name] { return Tensor(layout: layout, stored: stored) }
        // Dense as given: every entry stored, column by column.
        var rowMajor = [Double](repeating: 0, count: matrix.rows * matrix.columns)
        for j in 0..<matrix.columns {
            for e in matrix.columnStart[j]..<matrix.columnStart[j + 1] { rowMajor[matrix.rowIndices[e] * matrix.columns + j] = stored[e] }
        }
        return Tensor(shape: [matrix.rows, matrix.columns], scalars: rowMajor)
    }

    /// A tangent of parameter `name` in `matrix`'s storage order (empty when absent).
    private func stored(_ name: String, _ t: Tensor?, _ matrix: SparseMatrix) -> [Double] {
        guard let t else { return [] }
        if sparseLayouts[name] != nil { return t.storedValues }
        var out = [Double](repeating: 0, count: matrix.nonZeroCount)
        for j in 0..<matrix.columns {
            for e in matrix.columnStart[j]..<matrix.columnStart[j + 1] { out[e] = t.scalars[matrix.rowIndices[e] * matrix.columns + j] }
        }
        return out
    }

    func derivative() throws -> SparseLinearProgramDerivative {
        if let cached { return cached }
        let d = try LPKind.mapErrors { try solution.derivative(solverOptions: lpOptions) }
        cached = d
        return d
    }

    /// The smoothed derivative, on the dense form of a small problem.
    func smoothedProblem(_ gamma: Double) throws -> SolvedLP {
        if let smoothed { return smoothed }
        let dense = try LPKind.mapErrors { try problem.denseProgram() }
        guard let dense else {
            throw CLIError.notDifferentiable("'lp_smoothing' needs the dense form of the problem, which is limited to 2^20 "
                                             + "matrix entries for coordinate-form input")
        }
        let vertex = try LPKind.mapErrors { try dense.solve(options: lpOptions) }
        let s = SolvedLP(solution: vertex, smoothing: gamma, lpOptions: lpOptions, options: options)
        smoothed = s
        return s
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        try vjp(cotangents, wrt: nil)
    }

    func vjp(_ cotangents: [String: Tensor], wrt: Set<String>?) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let parameters = SparseLinearProgramDerivative.Parameter.allCases.filter { wrt?.contains($0.rawValue) ?? true }
        if let gamma = smoothing {
            let (g, report) = try smoothedProblem(gamma).vjp(cotangents)
            var out = [String: Tensor]()
            for p in parameters {
                guard let t = g[p.rawValue] else { continue }
                if let layout = sparseLayouts[p.rawValue] {
                    let columns = layout.shape[1]
                    out[p.rawValue] = Tensor(layout: layout, values: (0..<layout.entryCount).map {
                        t.scalars[layout.rowIndices[$0] * columns + layout.columnIndices[$0]]
                    })
                } else {
                    out[p.rawValue] = t
                }
            }
            return (out, report)
        }
        let d = try derivative()
        let (g, report) = try LPKind.mapErrors {
            try d.pullback(z: cotangents["z"]?.vector ?? .zero, lambda: cotangents["lambda"]?.vector ?? .zero,
                           mu: cotangents["mu"]?.vector ?? .zero, value: cotangents["value"]?.scalar ?? 0, wrt: Set(parameters))
        }
        var out = [String: Tensor]()
        for p in parameters {
            switch p {
            case .c: out["c"] = Tensor(g.c)
            case .b: out["b"] = Tensor(g.b)
            case .h: out["h"] = Tensor(g.h)
            case .A: out["A"] = tensor("A", stored: g.A, problem.A)
            case .G: out["G"] = tensor("G", stored: g.G, problem.G)
            }
        }
        return (out, report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        if let gamma = smoothing {
            var dense = tangents
            for name in ["A", "G"] where sparseLayouts[name] != nil {
                if let t = tangents[name], let m = t.sparseMatrix { dense[name] = Tensor(m.dense) }
            }
            return try smoothedProblem(gamma).jvp(dense)
        }
        let d = try derivative()
        let t = SparseLinearProgramDerivative.Parameters(
            c: tangents["c"]?.vector ?? .zero, A: stored("A", tangents["A"], problem.A), b: tangents["b"]?.vector ?? .zero,
            G: stored("G", tangents["G"], problem.G), h: tangents["h"]?.vector ?? .zero)
        let (dz, dl, dm, dv, report) = try LPKind.mapErrors { try d.pushforward(t) }
        return (["z": Tensor(dz), "lambda": Tensor(dl), "mu": Tensor(dm), "value": Tensor(dv)], report)
    }
}

/// A solved MPS / CPLEX LP model and its derivatives (parameters c, rhs), sparse end to
/// end (``LPModel``). Differentiability is decided for what is asked
/// (``LPDifferentiability``): `{"vjp": {"value": 1}, "wrt": ["c"]}` succeeds at a
/// primal-degenerate vertex whose `z` is unique, and returns `z`.
final class SolvedLPModel: SolvedProblem {
    let solution: LPModelSolution
    let smoothing: Double?
    let lpOptions: LPOptions
    let options: ImplicitOptions
    /// The derivative, formed at the first derivative request. (Boxed: a copy out of an
    /// `Optional<LPModelDerivative>` instantiates that type's metadata from its mangled
    /// name at first use, 9 k instructions, a third of a small model's pullback.)
    private final class Cached {
        let derivative: LPModelDerivative
        init(_ derivative: LPModelDerivative) { self.derivative = derivative }
    }
    private var cached: Cached?

    init(solution: LPModelSolution, smoothing: Double?, lpOptions: LPOptions, options: ImplicitOptions) {
        self.solution = solution
        self.smoothing = smoothing
        self.lpOptions = lpOptions
        self.options = options
    }

    let status = "optimal"
    var forwardIterations: Int { solution.iterations }
    /// The figures of the check of the model's answer (``LPCertificate``, on the sparse
    /// form with the column bounds as rows).
    var certificate: [(name: String, value: Double)] { solution.certificate.figures }

    var outputs: [(name: String, value: Tensor)] {
        [("z", Tensor(solution.x)), ("value", Tensor(solution.value)), ("row_duals", Tensor(solution.rowDuals))]
    }

    var parameterShapes: [(name: String, shape: [Int])] {
        [("c", [solution.model.columnCount]), ("rhs", [solution.model.rowCount])]
    }

    func derivative() throws -> LPModelDerivative {
        if let cached { return cached.derivative }
        let d = try LPKind.mapErrors {
            try smoothing.map { try solution.smoothedDerivative(gamma: $0, solverOptions: lpOptions, options: options) }
                ?? solution.derivative(solverOptions: lpOptions)
        }
        cached = Cached(d)
        return d
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        try vjp(cotangents, wrt: nil)
    }

    func vjp(_ cotangents: [String: Tensor], wrt: Set<String>?) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let d = try derivative()
        let parameters = Set(LPModelDerivative.Parameter.allCases.filter { wrt?.contains($0.rawValue) ?? true })
        let (c, rhs, report) = try LPKind.mapErrors {
            try d.pullback(x: cotangents["z"]?.vector ?? .zero, rowDuals: cotangents["row_duals"]?.vector ?? .zero,
                           value: cotangents["value"]?.scalar ?? 0, wrt: parameters)
        }
        var out = [String: Tensor]()
        if parameters.contains(.c) { out["c"] = Tensor(c) }
        if parameters.contains(.rhs) { out["rhs"] = Tensor(rhs) }
        return (out, report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let d = try derivative()
        let (x, duals, value, report) = try LPKind.mapErrors {
            try d.pushforward(c: tangents["c"]?.vector ?? .zero, rhs: tangents["rhs"]?.vector ?? .zero)
        }
        return (["z": Tensor(x), "value": Tensor(value), "row_duals": Tensor(duals)], report)
    }
}

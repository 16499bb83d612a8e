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
        let a = try data.optionalMatrix("A", columns: c.count), b = try data.optionalVector("b")
        let g = try data.optionalMatrix("G", columns: c.count), h = try data.optionalVector("h")
        guard (a == nil) == (b == nil) else { throw CLIError.invalidInput("'A' and 'b' must be given together") }
        guard (g == nil) == (h == nil) else { throw CLIError.invalidInput("'G' and 'h' must be given together") }
        if let a, a.rows > 0, a.columns != c.count {
            throw CLIError.invalidInput("A has \(a.columns) columns but c has \(c.count) entries")
        }
        if let g, g.rows > 0, g.columns != c.count {
            throw CLIError.invalidInput("G has \(g.columns) columns but c has \(c.count) entries")
        }
        let problem = try mapErrors { try LinearProgram(c: c, A: a, b: b, G: g, h: h) }
        return {
            let solution = try mapErrors { try problem.solve(options: lpOptions) }
            return SolvedLP(solution: solution,
                            smoothing: smoothing, lpOptions: lpOptions, options: options.implicit)
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

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
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
        let (target, d) = try derivative()
        let dx = pack(tangents)
        let (dy, report) = try d.pushforwardWithReport(dx)
        let (dz, dl, dm) = layout.split(solution: dy)
        return (["z": Tensor(dz), "lambda": Tensor(dl), "mu": Tensor(dm), "value": Tensor(target.valueGradient.dot(dx))], report)
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
    private var cached: LPModelDerivative?

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
        if let cached { return cached }
        let d = try LPKind.mapErrors {
            try smoothing.map { try solution.smoothedDerivative(gamma: $0, lpOptions: lpOptions, options: options) }
                ?? solution.derivative(options: lpOptions)
        }
        cached = d
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

import ImplicitDiff

/// `qp`: minimize 1/2 z'Qz + q'z s.t. A z = b, G z <= h (ImplicitDiffQP).
///
/// Options besides the common ones: `"weakly_active"`: `"reject"` (default: a derivative
/// at a weakly active inequality is exit 4), `"inactive"` or `"active"` (the one-sided
/// derivative with weakly active rows treated as inactive / active; see
/// `QPWeaklyActivePolicy`). `linear_solver` `auto`/`direct` use the solver's own LDL' of the
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
    public static var optionKeys: Set<String> { ["weakly_active"] }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
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
        var solverOptions = QPSolverOptions()
        if let tol = options.tol { solverOptions.tolerance = tol }
        if let m = options.maxIter { solverOptions.maxIterations = m }
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

import ImplicitDiff

/// `sinkhorn`: entropy-regularised optimal transport (ImplicitDiffSinkhorn).
/// P = argmin <P, C> + eps sum P (log P - 1) over P 1 = a, P' 1 = b, with `C` given or
/// `C_ij = ||x_i - y_j||^2` from point clouds `x`, `y`.
///
/// Errors: invalid data, a cost entry `<= -1e15`, or a problem whose `n x m` arrays
/// would exceed `SinkhornProblem.denseStorageLimit` (checked before they are allocated):
/// exit 2. Entries `>= 1e15` (e.g. `1e308` for "infinity") are forbidden routes; when the
/// allowed routes cannot carry the marginals with finite potentials: exit 3
/// `infeasible`. The iteration cap, or an answer that fails the independent check
/// (`stats.certificate`: `marginal_a`, `marginal_b`, `mass`): exit 3 `not_converged`.
public enum SinkhornKind: ProblemKind {
    public static let name = "sinkhorn"

    /// Point clouds (6 and 5 points in 2-D) for odd seeds, a 5 x 4 cost matrix for even
    /// ones; eps = 0.1 max C.
    public static func sample(seed: UInt64) -> JSONObject? {
        var g = SampleGenerator(seed: seed)
        let a = g.vector(5 + Int(seed % 2), in: 0.5...1.5), b = g.vector(4 + Int(seed % 2), in: 0.5...1.5)
        let weights: [(String, JSON)] = [("a", JSON(a / a.sum())), ("b", JSON(b / b.sum())), ("epsilon", .number(0.1))]
        if seed % 2 == 1 {
            return JSONObject([("x", JSON(g.matrix(6, 2, in: 0...0.7))), ("y", JSON(g.matrix(5, 2, in: 0...0.7)))] + weights)
        }
        return JSONObject([("C", JSON(g.matrix(5, 4, in: 0...1)))] + weights)
    }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        try data.rejectUnknownKeys(["C", "x", "y", "a", "b", "epsilon"], in: "sinkhorn data")
        let a = try data.vector("a"), b = try data.vector("b"), epsilon = try data.scalar("epsilon")
        let hasC = data.has("C"), hasPoints = data.has("x") || data.has("y")
        let problem: SinkhornProblem
        do {
            switch (hasC, hasPoints) {
            case (true, true):
                throw CLIError.invalidInput("give either the cost matrix C or the point clouds x and y, not both")
            case (false, false):
                throw CLIError.invalidInput("missing field 'C' (or point clouds 'x' and 'y')")
            case (true, false):
                problem = try SinkhornProblem(costMatrix: try data.matrix("C"), a: a, b: b, epsilon: epsilon)
            case (false, true):
                problem = try SinkhornProblem(x: try data.matrix("x"), y: try data.matrix("y"), a: a, b: b, epsilon: epsilon)
            }
        } catch let e as SinkhornError {
            throw CLIError.invalidInput(e.description)
        }
        var sinkhornOptions = SinkhornOptions()
        if let tol = options.tol { sinkhornOptions.tolerance = tol }
        if let cap = options.maxIter { sinkhornOptions.maxIterations = cap }
        return {
            do {
                return SolvedSinkhorn(solution: try problem.solve(options: sinkhornOptions), options: options.implicit)
            } catch let e as SinkhornError {
                switch e {
                case .infeasible: throw CLIError.infeasible(e.description)
                case .notConverged, .certificationFailed: throw CLIError.notConverged(e.description)
                default: throw CLIError.invalidInput(e.description)
                }
            }
        }
    }
}

final class SolvedSinkhorn: SolvedProblem {
    let solution: SinkhornSolution
    let options: ImplicitOptions
    private var cachedDerivative: SinkhornDerivative?

    init(solution: SinkhornSolution, options: ImplicitOptions) {
        self.solution = solution
        self.options = options
    }

    let status = "converged"
    var forwardIterations: Int { solution.iterations }
    /// The figures of the check run on the answer before it was reported (every one at
    /// most the tolerance): `marginal_a = ||P 1 - a||_1 / sum(a)`,
    /// `marginal_b = ||P' 1 - b||_1 / sum(a)`, `mass = |sum P - sum(a)| / sum(a)`.
    var certificate: [(name: String, value: Double)] { solution.certificate.figures }
    var outputs: [(name: String, value: Tensor)] {
        [("plan", Tensor(solution.plan)), ("cost", Tensor(solution.cost)),
         ("f", Tensor(solution.f)), ("g", Tensor(solution.g))]
    }

    var parameterShapes: [(name: String, shape: [Int])] {
        let p = solution.problem
        let sizes = [("a", [p.sourceCount]), ("b", [p.targetCount]), ("epsilon", [Int]())]
        switch p.geometry {
        case let .costMatrix(c): return [("C", [c.rows, c.columns])] + sizes
        case let .pointClouds(x, y): return [("x", [x.rows, x.columns]), ("y", [y.rows, y.columns])] + sizes
        }
    }

    func derivative() throws -> SinkhornDerivative {
        if let d = cachedDerivative { return d }
        let d = try solution.derivative(options: options)
        cachedDerivative = d
        return d
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let cotangent = SinkhornOutputTangent(plan: cotangents["plan"]?.matrix ?? .zero, f: cotangents["f"]?.vector ?? .zero,
                                              g: cotangents["g"]?.vector ?? .zero, cost: cotangents["cost"]?.scalar ?? 0)
        if cotangent.isCostOnly {
            // Envelope theorem: no linear solve.
            let g = solution.costGradient
            return (named(g, scaledBy: cotangent.cost), LinearSolveReport(method: "none"))
        }
        let (g, report) = try derivative().pullbackWithReport(cotangent)
        return (named(g, scaledBy: 1), report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let tangent = SinkhornParameterTangent(costMatrix: tangents["C"]?.matrix ?? .zero, x: tangents["x"]?.matrix ?? .zero,
                                               y: tangents["y"]?.matrix ?? .zero, a: tangents["a"]?.vector ?? .zero,
                                               b: tangents["b"]?.vector ?? .zero, epsilon: tangents["epsilon"]?.scalar ?? 0)
        let (d, report) = try derivative().pushforwardWithReport(tangent)
        let n = solution.plan.rows, m = solution.plan.columns
        return (["plan": Tensor(d.plan.materialized(rows: n, columns: m)), "f": Tensor(d.f.materialized(count: n)),
                 "g": Tensor(d.g.materialized(count: m)), "cost": Tensor(d.cost)], report)
    }

    /// The gradient split into the kind's parameter names.
    func named(_ g: SinkhornParameterTangent, scaledBy s: Double) -> [String: Tensor] {
        var out: [String: Tensor] = ["a": Tensor(s * g.a), "b": Tensor(s * g.b), "epsilon": Tensor(s * g.epsilon)]
        switch solution.problem.geometry {
        case .costMatrix: out["C"] = Tensor(s * g.costMatrix)
        case .pointClouds: out["x"] = Tensor(s * g.x); out["y"] = Tensor(s * g.y)
        }
        return out
    }
}

import ImplicitDiff

/// `sinkhorn`: entropy-regularised optimal transport (ImplicitDiffSinkhorn).
/// P = argmin <P, C> + eps sum P (log P - 1) over P 1 = a, P' 1 = b, with `C` given or
/// `C_ij = ||x_i - y_j||^2` from point clouds `x`, `y`. Optional `tau_a`, `tau_b` in
/// `(0, 1]` (default 1): unbalanced transport, the marginal relaxed by `rho KL` with
/// `rho = eps tau / (1 - tau)` (ott-jax's convention; `SinkhornProblem.tauA`); the masses
/// of `a` and `b` may then differ. A value outside `(0, 1]`: exit 2 `invalid_input`
/// naming the field.
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

    /// Point clouds with at least this many pairs `n m` are solved without their cost
    /// matrix (`SinkhornProblem.solveStreaming`) when nothing asks for the plan up front
    /// (`--no-outputs`): 2^22 pairs (2048 x 2048), where the stored path's six `n x m`
    /// arrays would take 200 MB. Below it the stored kernel's `dgemv` iterations are
    /// faster.
    static let streamingPairs = 1 << 22

    /// Whether a problem is solved without its cost matrix: point clouds, outputs not
    /// written, and at least ``streamingPairs`` pairs.
    static func streams(pointClouds: Bool, sourceCount n: Int, targetCount m: Int, includeOutputs: Bool) -> Bool {
        let pairs = n.multipliedReportingOverflow(by: m)
        return pointClouds && !includeOutputs && (pairs.overflow || pairs.partialValue >= streamingPairs)
    }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        try data.rejectUnknownKeys(["C", "x", "y", "a", "b", "epsilon", "tau_a", "tau_b"], in: "sinkhorn data")
        let epsilon = try data.scalar("epsilon")
        let tauA = try data.optionalScalar("tau_a") ?? 1, tauB = try data.optionalScalar("tau_b") ?? 1
        let hasC = data.has("C"), hasPoints = data.has("x") || data.has("y")
        let problem: SinkhornProblem
        do {
            switch (hasC, hasPoints) {
            case (true, true):
                throw CLIError.invalidInput("give either the cost matrix C or the point clouds x and y, not both")
            case (false, false):
                throw CLIError.invalidInput("missing field 'C' (or point clouds 'x' and 'y')")
            case (true, false):
                let c = try data.matrix("C")
                // a and b may be left out: uniform weights.
                let a = try data.optionalVector("a") ?? SinkhornProblem.uniformWeights(c.rows)
                let b = try data.optionalVector("b") ?? SinkhornProblem.uniformWeights(c.columns)
                problem = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB)
            case (false, true):
                let x = try data.matrix("x"), y = try data.matrix("y")
                let a = try data.optionalVector("a") ?? SinkhornProblem.uniformWeights(x.rows)
                let b = try data.optionalVector("b") ?? SinkhornProblem.uniformWeights(y.rows)
                problem = try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB)
            }
        } catch let e as SinkhornError {
            throw CLIError.invalidInput(e.description)
        }
        var sinkhornOptions = SinkhornOptions()
        if let tol = options.tol { sinkhornOptions.tolerance = tol }
        if let cap = options.maxIter { sinkhornOptions.maxIterations = cap }
        let (n, m) = (problem.sourceCount, problem.targetCount)
        let streamed = streams(pointClouds: hasPoints, sourceCount: n, targetCount: m, includeOutputs: options.includeOutputs)
        if !streamed {
            // The stored-matrix path: refuse what does not fit before solving (exit 2).
            do {
                try SinkhornProblem.checkStorage(rows: n, columns: m)
            } catch let e as SinkhornError {
                throw CLIError.invalidInput(e.description)
            }
        }
        let implicit = options.implicit
        return {
            do {
                if streamed {
                    return SolvedSinkhorn(streamed: try problem.solveStreaming(options: sinkhornOptions), options: implicit)
                }
                return SolvedSinkhorn(solution: try problem.solve(options: sinkhornOptions), options: implicit)
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

/// A solved `sinkhorn` problem: stored plan (`SinkhornSolution`), or point clouds solved
/// without it (`StreamedSinkhornSolution`). The streamed form gives `cost`, `f`, `g` and
/// the cost's gradient at once, and cotangents on `f`, `g` by matrix-free CG on blocked
/// passes; the plan, a cotangent on it and tangents (whose outputs include `dP`) form
/// the stored solution of the same potentials when first needed (exit 2 if its `n x m`
/// arrays exceed `SinkhornProblem.denseStorageLimit`).
final class SolvedSinkhorn: SolvedProblem {
    let streamed: StreamedSinkhornSolution?
    private var stored: SinkhornSolution?
    let options: ImplicitOptions
    private var cachedDerivative: SinkhornDerivative?

    init(solution: SinkhornSolution, options: ImplicitOptions) {
        streamed = nil
        stored = solution
        self.options = options
    }

    init(streamed: StreamedSinkhornSolution, options: ImplicitOptions) {
        self.streamed = streamed
        stored = nil
        self.options = options
    }

    var problem: SinkhornProblem { streamed?.problem ?? stored!.problem }

    /// The stored-matrix solution (formed from the streamed potentials when needed).
    func solution() throws -> SinkhornSolution {
        if let stored { return stored }
        do {
            let s = try streamed!.densified()
            stored = s
            return s
        } catch let e as SinkhornError {
            throw CLIError.invalidInput("the plan, or a derivative of the plan or the potentials, of point clouds needs the n x m arrays: \(e.description)")
        }
    }

    let status = "converged"
    var forwardIterations: Int { streamed?.iterations ?? stored!.iterations }
    /// The figures of the check run on the answer before it was reported (every one at
    /// most the tolerance): `marginal_a = ||P 1 - a||_1 / sum(a)`,
    /// `marginal_b = ||P' 1 - b||_1 / sum(a)`, `mass = |sum P - sum(a)| / sum(a)`; when
    /// unbalanced, against the relaxed conditions `s_a = a o exp(-f / rho_a)`,
    /// `s_b = b o exp(-g / rho_b)` and relative to `sum(s_a)`.
    var certificate: [(name: String, value: Double)] { (streamed?.certificate ?? stored!.certificate).figures }
    /// With the streamed solution the plan is formed here (only when the outputs are
    /// written or a tangent is asked; omitted if it does not fit, which
    /// `SinkhornKind.prepare` prevents by streaming only under `--no-outputs`).
    var outputs: [(name: String, value: Tensor)] {
        if let streamed, stored == nil {
            var out: [(name: String, value: Tensor)] = []
            if let s = try? solution() { out.append(("plan", Tensor(s.plan))) }
            return out + [("cost", Tensor(streamed.cost)), ("f", Tensor(streamed.f)), ("g", Tensor(streamed.g))]
        }
        let s = stored!
        return [("plan", Tensor(s.plan)), ("cost", Tensor(s.cost)), ("f", Tensor(s.f)), ("g", Tensor(s.g))]
    }
    var outputShapes: [String: [Int]] {
        let (n, m) = (problem.sourceCount, problem.targetCount)
        return ["plan": [n, m], "cost": [], "f": [n], "g": [m]]
    }

    var parameterShapes: [(name: String, shape: [Int])] {
        let p = problem
        let sizes = [("a", [p.sourceCount]), ("b", [p.targetCount]), ("epsilon", [Int]())]
        switch p.geometry {
        case let .costMatrix(c): return [("C", [c.rows, c.columns])] + sizes
        case let .pointClouds(x, y): return [("x", [x.rows, x.columns]), ("y", [y.rows, y.columns])] + sizes
        }
    }

    func derivative() throws -> SinkhornDerivative {
        if let d = cachedDerivative { return d }
        let d = try solution().derivative(options: options)
        cachedDerivative = d
        return d
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let cotangent = SinkhornOutputTangent(plan: cotangents["plan"]?.matrix ?? .zero, f: cotangents["f"]?.vector ?? .zero,
                                              g: cotangents["g"]?.vector ?? .zero, cost: cotangents["cost"]?.scalar ?? 0)
        if cotangent.isCostOnly {
            // Envelope theorem: no linear solve.
            let g = streamed?.costGradient ?? stored!.costGradient
            return (named(g, scaledBy: cotangent.cost), LinearSolveReport(method: "none"))
        }
        if let streamed, stored == nil, cotangents["plan"] == nil {
            // Potentials' cotangents without the plan: matrix-free CG on blocked passes.
            let (g, report) = try streamed.pullbackWithReport(cotangent, options: options)
            return (named(g, scaledBy: 1), report)
        }
        let (g, report) = try derivative().pullbackWithReport(cotangent)
        return (named(g, scaledBy: 1), report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let tangent = SinkhornParameterTangent(costMatrix: tangents["C"]?.matrix ?? .zero, x: tangents["x"]?.matrix ?? .zero,
                                               y: tangents["y"]?.matrix ?? .zero, a: tangents["a"]?.vector ?? .zero,
                                               b: tangents["b"]?.vector ?? .zero, epsilon: tangents["epsilon"]?.scalar ?? 0)
        let (d, report) = try derivative().pushforwardWithReport(tangent)
        let n = problem.sourceCount, m = problem.targetCount
        return (["plan": Tensor(d.plan.materialized(rows: n, columns: m)), "f": Tensor(d.f.materialized(count: n)),
                 "g": Tensor(d.g.materialized(count: m)), "cost": Tensor(d.cost)], report)
    }

    /// The gradient split into the kind's parameter names.
    func named(_ g: SinkhornParameterTangent, scaledBy s: Double) -> [String: Tensor] {
        var out: [String: Tensor] = ["a": Tensor(s * g.a), "b": Tensor(s * g.b), "epsilon": Tensor(s * g.epsilon)]
        switch problem.geometry {
        case .costMatrix: out["C"] = Tensor(s * g.costMatrix)
        case .pointClouds: out["x"] = Tensor(s * g.x); out["y"] = Tensor(s * g.y)
        }
        return out
    }
}

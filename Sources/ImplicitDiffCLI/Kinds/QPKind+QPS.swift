import ImplicitDiff

// MARK: - QP from a QPS file

extension CLIError {
    /// A file that cannot be read or parsed, or that describes no valid problem: the
    /// input is at fault (exit 2).
    init(qps e: QPSError) {
        self = .invalidInput(e.description)
    }
}

extension QPKind {
    /// `"data": {"qps": "path"}`: the QP of a QPS file (``QPSModel``), a relative path
    /// resolved against the problem file's folder. The file is read here (not timed, like
    /// the JSON); the returned closure solves.
    static func prepareQPS(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        try data.rejectUnknownKeys(["qps"], in: "qp data with a QPS file")
        let file = try data.string("qps")
        let path = file.hasPrefix("/") ? file : options.baseDirectory + "/" + file
        let model: QPSModel
        do { model = try QPSModel(contentsOfFile: path) } catch let e as QPSError { throw CLIError(qps: e) }
        let policy = try weakPolicy(options)
        let solverOptions = try solverOptions(options)
        return {
            let solution: SparseQPSolution
            do { solution = try model.problem.solve(options: solverOptions) } catch let e as QPError {
                throw CLIError(qp: e)
            }
            return SolvedQPSModel(model: model, solution: solution, policy: policy)
        }
    }
}

/// A QP read from a QPS file, solved, under the names of the contract: parameters `c`
/// (linear objective, columns in file order) and `rhs` (one per constraint row in file
/// order, free rows excluded); outputs `z`, `value` (the file's objective, constant
/// included) and `row_duals = d value / d rhs`. Derivatives compose the sparse QP's
/// (``SparseQPDerivative``) with the file's parameter map (``QPSModel/dataTangent(c:rhs:)``
/// and its adjoint). Not API.
final class SolvedQPSModel: SolvedProblem {
    let model: QPSModel
    let solution: SparseQPSolution
    let policy: QPWeaklyActivePolicy
    private var cached: SparseQPDerivative?

    init(model: QPSModel, solution: SparseQPSolution, policy: QPWeaklyActivePolicy) {
        self.model = model
        self.solution = solution
        self.policy = policy
    }

    let status = "optimal"
    var forwardIterations: Int { solution.iterations }
    var certificate: [(name: String, value: Double)] { solution.certificateFigures }
    var outputs: [(name: String, value: Tensor)] {
        [("z", Tensor(solution.z)), ("value", Tensor(model.value(at: solution.z))),
         ("row_duals", Tensor(model.rowDuals(solution.y)))]
    }
    var parameterShapes: [(name: String, shape: [Int])] {
        [("c", [model.problem.variableCount]), ("rhs", [model.problem.rowCount])]
    }

    func derivative() throws -> SparseQPDerivative {
        if let d = cached { return d }
        do {
            let d = try solution.derivative(policy: policy)
            cached = d
            return d
        } catch let e as QPError { throw CLIError(qp: e) }
    }

    /// `L = <zbar, z> + vbar value + <rbar, row_duals>`: the QP's pullback with
    /// `ybar = -s rbar` (row_duals = -s y), then the adjoint of the parameter map; the value
    /// term by the envelope theorem (`d value/d c = z`, `d value/d rhs = row_duals`).
    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let n = model.problem.variableCount, m = model.problem.rowCount
        let zbar = cotangents["z"]?.vector ?? .zeros(n), rbar = cotangents["row_duals"]?.vector ?? .zeros(m)
        let vbar = cotangents["value"]?.scalar ?? 0
        var c = Vector.zeros(n), rhs = Vector.zeros(m)
        var report = LinearSolveReport(method: "sparse-ldlt")
        if zbar.maxNorm > 0 || rbar.maxNorm > 0 {
            let d = try derivative()
            do {
                let r = try d.pullbackWithResidual(z: zbar, y: Vector(rbar.scalars.map { -model.sign * $0 }))
                (c, rhs) = model.parameterGradient(r.gradient)
                report.relativeResidual = r.residual
            } catch let e as QPError { throw CLIError(qp: e) }
        }
        if vbar != 0 {
            c = c + vbar * solution.z
            rhs = rhs + vbar * model.rowDuals(solution.y)
        }
        return (["c": Tensor(c), "rhs": Tensor(rhs)], report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let dc = tangents["c"]?.vector, drhs = tangents["rhs"]?.vector
        let d = try derivative()
        let r: (z: Vector, y: Vector, residual: Double)
        do { r = try d.pushforwardWithResidual(try model.dataTangent(c: dc, rhs: drhs)) } catch let e as QPError {
            throw CLIError(qp: e)
        }
        var report = LinearSolveReport(method: "sparse-ldlt")
        report.relativeResidual = r.residual
        let duals = model.rowDuals(solution.y)
        let dv = (dc.map { solution.z.dot($0) } ?? 0) + (drhs.map { duals.dot($0) } ?? 0)
        return (["z": Tensor(r.z), "value": Tensor(dv), "row_duals": Tensor(model.rowDuals(r.y))], report)
    }
}

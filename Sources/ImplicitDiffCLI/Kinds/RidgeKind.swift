import ImplicitDiff

/// `ridge`: w = argmin 1/2 ||X w - y||^2 + lambda/2 ||w||^2 (ImplicitDiffProx). Dense `X`:
/// `RidgeRegression` (one Cholesky factorisation, or the wide factorisation when N < d).
/// `X` in coordinate form: `SparseRidgeRegression` (conjugate gradients on X'X + lambda I,
/// O(nnz) per product, never an N x d or d x d array), the X gradient on the input's
/// coordinate entries, jvp tangents `{"values": [...]}`.
public enum RidgeKind: ProblemKind {
    public static let name = "ridge"

    public static func sample(seed: UInt64) -> JSONObject? {
        var g = SampleGenerator(seed: seed)
        return JSONObject([("X", JSON(g.matrix(12, 5))), ("y", JSON(g.vector(12))), ("lambda", .number(0.3))])
    }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        try data.rejectUnknownKeys(["X", "y", "lambda"], in: "ridge data")
        let field = try data.matrixField("X"), y = try data.vector("y"), lambda = try data.scalar("lambda")
        let (rows, columns) = field.shape
        guard rows == y.count else { throw CLIError.invalidInput("X has \(rows) rows but y has \(y.count) entries") }
        guard columns > 0 else { throw CLIError.invalidInput("X has no columns") }
        guard lambda > 0 else { throw CLIError.invalidInput("lambda must be positive, got \(lambda)") }
        let x: Matrix
        switch field {
        case let .dense(m): x = m
        case let .sparse(c):
            let problem = try SparseRidgeRegression(design: c.matrix, targets: y, lambda: lambda)
            return {
                do {
                    return SolvedSparseRidge(solution: try problem.solve(), options: options.implicit, layout: c.layout)
                } catch let e as RidgeRegression.RidgeError {
                    throw CLIError.notConverged(e.description)
                }
            }
        }
        let problem = try RidgeRegression(design: x, targets: y, lambda: lambda)
        return {
            let solution: RidgeSolution
            do { solution = try problem.solve() } catch let e as RidgeRegression.RidgeError {
                throw CLIError.notConverged(e.description)
            } catch {
                throw CLIError.notConverged("the ridge system could not be factorised: \(error)")
            }
            return SolvedRidge(solution: solution, options: options.implicit)
        }
    }
}

final class SolvedRidge: SolvedProblem {
    let solution: RidgeSolution
    let options: ImplicitOptions
    private var cachedDerivative: ImplicitDerivative?

    init(solution: RidgeSolution, options: ImplicitOptions) {
        self.solution = solution
        self.options = options
    }

    var n: Int { solution.problem.design.rows }
    var d: Int { solution.problem.design.columns }

    let status = "optimal"
    var forwardIterations: Int { 1 }
    /// The ridge certificate (`RidgeRegression.certificate(at:)`, checked before the
    /// solution was returned): the relative gradient residual.
    var certificate: [(name: String, value: Double)] { [("gradient", solution.certificate ?? .nan)] }
    var outputs: [(name: String, value: Tensor)] {
        [("w", Tensor(solution.w)), ("value", Tensor(solution.value))]
    }
    var parameterShapes: [(name: String, shape: [Int])] {
        [("X", [n, d]), ("y", [n]), ("lambda", [])]
    }

    func derivative() throws -> ImplicitDerivative {
        if let c = cachedDerivative { return c }
        let c = try solution.derivative(options: options)
        cachedDerivative = c
        return c
    }

    /// `[vec(X), y, lambda]` split into named gradients.
    func unpack(_ g: consuming Vector) -> [String: Tensor] {
        let n = self.n, d = self.d
        // The N x d block keeps g's storage (no copy of the largest output).
        var all = (consume g).scalars
        let y = Array(all[(n * d)..<(n * d + n)]), lambda = all[n * d + n]
        all.removeLast(all.count - n * d)
        return ["X": Tensor(shape: [n, d], scalars: all), "y": Tensor(Vector(y)), "lambda": Tensor(lambda)]
    }

    func pack(_ t: [String: Tensor]) -> Vector {
        Vector((t["X"]?.scalars ?? Array(repeating: 0, count: n * d))
               + (t["y"]?.scalars ?? Array(repeating: 0, count: n))
               + [t["lambda"]?.scalar ?? 0])
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        // Built in place: the gradient's N x d block is the largest output.
        var g = Vector([])
        var report = LinearSolveReport(method: "cholesky")
        if let wbar = cotangents["w"] {
            (g, report) = try derivative().pullbackWithReport(wbar.vector)
        }
        if let vbar = cotangents["value"]?.scalar, vbar != 0 {
            if g.scalars.isEmpty { g = Vector.zeros(n * d + n + 1) }
            g.add(solution.valueGradient, scaledBy: vbar)
        }
        if g.scalars.isEmpty { g = Vector.zeros(n * d + n + 1) }
        return (unpack(g), report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let dx = pack(tangents)
        let (dw, report) = try derivative().pushforwardWithReport(dx)
        return (["w": Tensor(dw), "value": Tensor(solution.valueGradient.dot(dx))], report)
    }
}

/// A ridge problem solved over a sparse `X` (given in coordinate form): parameters
/// `[values(X), y, lambda]` inside, the X gradient on the input's coordinate entries.
final class SolvedSparseRidge: SolvedProblem {
    let solution: SparseRidgeSolution
    let options: ImplicitOptions
    let layout: SparseLayout
    private var cachedDerivative: ImplicitDerivative?

    init(solution: SparseRidgeSolution, options: ImplicitOptions, layout: SparseLayout) {
        self.solution = solution
        self.options = options
        self.layout = layout
    }

    var n: Int { solution.problem.design.rows }
    var d: Int { solution.problem.design.columns }
    /// Stored entries of `X` (duplicates of the input summed).
    var m: Int { solution.problem.design.nonZeroCount }

    let status = "optimal"
    /// Conjugate-gradient iterations (refinements included).
    var forwardIterations: Int { solution.iterations }
    /// The ridge certificate (`SparseRidgeRegression.certificate(at:)`, checked before the
    /// solution was returned): the relative gradient residual.
    var certificate: [(name: String, value: Double)] { [("gradient", solution.certificate)] }
    var outputs: [(name: String, value: Tensor)] {
        [("w", Tensor(solution.w)), ("value", Tensor(solution.value))]
    }
    var parameterShapes: [(name: String, shape: [Int])] {
        [("X", [n, d]), ("y", [n]), ("lambda", [])]
    }
    var sparseLayouts: [String: SparseLayout] { ["X": layout] }

    func derivative() throws -> ImplicitDerivative {
        if let c = cachedDerivative { return c }
        let c = try solution.derivative(options: options)
        cachedDerivative = c
        return c
    }

    /// `[values(X), y, lambda]` split into named gradients, X on the input's entries.
    func unpack(_ g: consuming Vector) -> [String: Tensor] {
        let n = self.n, m = self.m
        var all = (consume g).scalars
        let y = Array(all[m..<(m + n)]), lambda = all[m + n]
        all.removeLast(all.count - m)
        return ["X": Tensor(layout: layout, stored: all), "y": Tensor(Vector(y)), "lambda": Tensor(lambda)]
    }

    func pack(_ t: [String: Tensor]) -> Vector {
        Vector((t["X"]?.storedValues ?? Array(repeating: 0, count: m))
               + (t["y"]?.scalars ?? Array(repeating: 0, count: n))
               + [t["lambda"]?.scalar ?? 0])
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        var g = Vector([])
        var report = LinearSolveReport(method: "cg")
        do {
            if let wbar = cotangents["w"] {
                (g, report) = try derivative().pullbackWithReport(wbar.vector)
            }
        } catch { throw CLIError.fromDerivative(error) }
        if let vbar = cotangents["value"]?.scalar, vbar != 0 {
            if g.scalars.isEmpty { g = Vector.zeros(m + n + 1) }
            g.add(solution.valueGradient, scaledBy: vbar)
        }
        if g.scalars.isEmpty { g = Vector.zeros(m + n + 1) }
        return (unpack(g), report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let dx = pack(tangents)
        do {
            let (dw, report) = try derivative().pushforwardWithReport(dx)
            return (["w": Tensor(dw), "value": Tensor(solution.valueGradient.dot(dx))], report)
        } catch { throw CLIError.fromDerivative(error) }
    }
}

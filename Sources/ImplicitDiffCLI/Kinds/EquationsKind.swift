import ImplicitDiff

/// `equations`: nonlinear equations F(x, y) = 0 solved for y by Newton's method
/// (ImplicitDiffNewton), in named families:
/// * `cubic`: y_i^3 + y_i - x_i = 0; data `x` (n); parameter `x`.
/// * `bratu`: 1-D Bratu, F_i = (2 y_i - y_(i-1) - y_(i+1))/h^2 - lambda exp(y_i),
///   h = 1/(n+1), lower branch (Newton from y = 0); data `lambda` in (0, 3.5) and `n`;
///   parameter `lambda`.
///
/// Both Jacobians are tridiagonal (O(n) factorisation); the derivative reuses the
/// factorisation at the root. `tol` is Newton's step tolerance, judged per component:
/// the Newton correction `d = -A^-1 F` at the returned `y` must have
/// `|d_i| <= tol * |y_i|` for every `i` (default 1e-10); `max_iter` is the cap. Where `tol`
/// is below what double precision resolves (Bratu's condition number grows like `n^2`:
/// corrections at the root are ~5e-10 relative at `n = 10^7`) the answer is
/// `not_converged` with the figures, never `converged`. `stats.certificate` holds the
/// figures of the check at the returned `y`: `residual` = `max_i |F_i| / (|A| |y|)_i`
/// (componentwise backward error) and `step` = `max_i |d_i| / |y_i|` (at most `tol`).
/// A singular Jacobian during the iteration (beyond the fold: no solution) is
/// `not_converged`; a root where the Jacobian is singular has no derivative
/// (`not_differentiable`).
public enum EquationsKind: ProblemKind {
    public static let name = "equations"

    /// Largest accepted `n` for `bratu` (memory: a few vectors of n doubles).
    static let maxGridPoints = 50_000_000

    /// Even seeds: a cubic with `x` in [-3, 3]; odd seeds: Bratu with 20 points and lambda
    /// in [0.5, 3] (below every fold of that grid).
    public static func sample(seed: UInt64) -> JSONObject? {
        var g = SampleGenerator(seed: seed)
        if seed % 2 == 0 {
            return JSONObject([("family", .string("cubic")), ("x", JSON(g.vector(6, in: -3...3)))])
        }
        return JSONObject([("family", .string("bratu")), ("lambda", .number(Double.random(in: 0.5...3, using: &g))),
                           ("n", .number(20))])
    }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        let family = try data.string("family")
        var newton = NewtonOptions()
        if let tol = options.tol { newton.stepTolerance = tol }
        if let cap = options.maxIter { newton.maxIterations = cap }
        let solver = NewtonSolver(options: newton)
        switch family {
        case "cubic":
            try data.rejectUnknownKeys(["family", "x"], in: "equations data (family cubic)")
            let x = try data.vector("x")
            guard x.count > 0 else { throw CLIError.invalidInput("'x' must have at least one entry") }
            let system = ElementwiseCubic()
            return {
                let solution = try run { try solver.solve(system, parameters: x, initialGuess: ElementwiseCubic.initialGuess(for: x)) }
                return SolvedEquations(system: system, x: x, solution: solution, parameter: ("x", [x.count]), options: options.implicit)
            }
        case "bratu":
            try data.rejectUnknownKeys(["family", "lambda", "n"], in: "equations data (family bratu)")
            let lambda = try data.scalar("lambda")
            guard lambda > 0, lambda < 3.5 else {
                throw CLIError.invalidInput("'lambda' must lie in (0, 3.5) (the lower branch exists below the fold near 3.51), got \(lambda)")
            }
            let n = try data.integer("n")
            guard n >= 1, n <= maxGridPoints else {
                throw CLIError.invalidInput("'n' must be an integer in [1, \(maxGridPoints)], got \(n)")
            }
            let system: BratuProblem
            do { system = try BratuProblem(gridPoints: n) } catch { throw CLIError.invalidInput("\(error)") }
            let x: Vector = [lambda]
            return {
                let solution = try run { try solver.solve(system, parameters: x, initialGuess: system.initialGuess) }
                return SolvedEquations(system: system, x: x, solution: solution, parameter: ("lambda", []), options: options.implicit)
            }
        default:
            throw CLIError.invalidInput("unknown equations family '\(family)' (known: cubic, bratu)")
        }
    }

    /// Runs a Newton solve, mapping its failures to the contract's errors.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as NewtonError {
            switch e {
            case .dimensionMismatch, .invalidOptions: throw CLIError.invalidInput(e.description)
            default: throw CLIError.notConverged(e.description)
            }
        }
    }
}

/// A solved `equations` problem: the root and its derivative with respect to the one
/// parameter of the family (reusing the Newton factorisation).
final class SolvedEquations<System: NonlinearSystem>: SolvedProblem {
    let system: System
    let x: Vector
    let solution: NewtonSolution<System.Jacobian>
    let parameter: (name: String, shape: [Int])
    let options: ImplicitOptions
    private var cachedDerivative: ImplicitDerivative?

    init(system: System, x: Vector, solution: NewtonSolution<System.Jacobian>, parameter: (name: String, shape: [Int]),
         options: ImplicitOptions) {
        self.system = system
        self.x = x
        self.solution = solution
        self.parameter = parameter
        self.options = options
    }

    let status = "converged"
    var forwardIterations: Int { solution.iterations }

    /// The check made at the returned root (``NewtonCertificate``): `residual`, the largest
    /// `|F_i| / (|A| |y|)_i`; `step`, the largest `|d_i| / |y_i|` of the Newton correction
    /// `d = -A^-1 F` there (left out only for an exact root whose Jacobian is singular).
    var certificate: [(name: String, value: Double)] {
        var figures: [(name: String, value: Double)] = [("residual", solution.certificate.relativeResidual)]
        if let step = solution.certificate.relativeStep { figures.append(("step", step)) }
        return figures
    }
    var outputs: [(name: String, value: Tensor)] { [("y", Tensor(solution.y))] }
    var parameterShapes: [(name: String, shape: [Int])] { [parameter] }

    func derivative() throws -> ImplicitDerivative {
        if let d = cachedDerivative { return d }
        let d = try solution.derivative(of: system, parameters: x, options: options)
        cachedDerivative = d
        return d
    }

    func tensor(_ v: Vector) -> Tensor { Tensor(shape: parameter.shape, scalars: v.scalars) }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        guard let ybar = cotangents["y"] else {
            return ([parameter.name: tensor(.zeros(x.count))], LinearSolveReport(method: "none"))
        }
        let (g, report) = try derivative().pullbackWithReport(ybar.vector)
        return ([parameter.name: tensor(g)], report)
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        let dx = tangents[parameter.name]?.vector ?? .zeros(x.count)
        let (dy, report) = try derivative().pushforwardWithReport(dx)
        return (["y": Tensor(dy)], report)
    }

    /// One multi-right-hand-side solve with the Newton factorisation.
    func jacobian(of output: String, wrt parameter: String) throws -> (matrix: Matrix, report: LinearSolveReport) {
        guard output == "y" else { throw CLIError.invalidInput("unknown output '\(output)'") }
        guard parameter == self.parameter.name else { throw CLIError.invalidInput("unknown parameter '\(parameter)'") }
        return try derivative().jacobianWithReport()
    }
}

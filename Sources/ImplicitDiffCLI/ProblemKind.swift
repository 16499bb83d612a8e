import ImplicitDiff

/// One problem kind of the CLI (`"problem": NAME`). Adding a kind is one file in
/// `Kinds/` with a conformance, plus its name in ``ProblemKinds/all``.
public protocol ProblemKind: Sendable {
    /// The `"problem"` string, e.g. `"qp"`.
    static var name: String { get }
    /// Reads and validates `data` (and the options that concern the kind) and returns the
    /// forward solve, ready to run. Reading is not timed; the returned closure is (it may
    /// run several times, for `--repeat`). Bad input throws ``CLIError/invalidInput(_:)``
    /// here; an unsolvable problem makes the closure throw ``CLIError/infeasible(_:)``,
    /// ``CLIError/unbounded(_:)`` or ``CLIError/notConverged(_:)``.
    static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve
    /// Keys of `options` this kind reads besides the common ones (default: none).
    static var optionKeys: Set<String> { get }
    /// A small, well-posed random instance (`data` object) for derivative checks
    /// (`implicitdiff gradcheck`); `nil` when the kind has none.
    static func sample(seed: UInt64) -> JSONObject?
    /// The outputs and parameters of a problem with this `data`, known before solving
    /// (``KindSignature``); `nil` when they cannot be told yet (the solve then checks).
    static func signature(for data: JSONObject) -> KindSignature?
    /// The kind's data fields, outputs, parameters and options (`implicitdiff schema`).
    static var schema: KindSchema { get }
}

/// A forward solve whose input has been read and validated.
public typealias PreparedSolve = () throws -> any SolvedProblem

extension ProblemKind {
    /// Reads `data` and solves.
    public static func solve(_ data: JSONObject, options: ProblemOptions) throws -> any SolvedProblem {
        try prepare(data, options: options)()
    }

    public static var optionKeys: Set<String> { [] }
    public static func sample(seed: UInt64) -> JSONObject? { nil }
    public static func signature(for data: JSONObject) -> KindSignature? { nil }
}

/// A solved problem: its outputs and how to differentiate them.
///
/// Names and shapes follow `spec/cli-json.md`. Cotangents and tangents arrive already
/// checked against ``outputShapes`` and ``parameterShapes``; missing entries are zero.
public protocol SolvedProblem {
    /// `"optimal"` or `"converged"`.
    var status: String { get }
    /// The outputs, in the order they are written.
    var outputs: [(name: String, value: Tensor)] { get }
    /// The shape of each output by name (default: from ``outputs``). A kind whose outputs
    /// are costly to form (a transport plan of point clouds solved without it) gives them
    /// without forming them: derivative requests are checked against this.
    var outputShapes: [String: [Int]] { get }
    /// The differentiable parameters and their shapes, in order.
    var parameterShapes: [(name: String, shape: [Int])] { get }
    /// Iterations of the forward solver.
    var forwardIterations: Int { get }
    /// The figures of the independent check run on the returned answer before it was
    /// reported as a success (e.g. `primal`, `dual`, `complementarity` relative residuals
    /// of an LP, marginal errors of a transport plan), in the order they are written to
    /// `stats.certificate`. Empty when the kind has none.
    var certificate: [(name: String, value: Double)] { get }

    /// The parameters given in coordinate form, by name (their gradients are returned, and
    /// their tangents read, on these layouts). Default: none.
    var sparseLayouts: [String: SparseLayout] { get }

    /// Reverse mode: `dL/dPARAM` for `L = sum <cotangent, output>`, for every parameter.
    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport)
    /// Reverse mode restricted to the parameters in `wrt` (`nil`: all). A kind whose
    /// derivatives exist for some parameters and not others at the same point (an LP at a
    /// degenerate vertex) overrides this to decide for what was asked; the default
    /// computes ``vjp(_:)`` and keeps the parameters asked.
    func vjp(_ cotangents: [String: Tensor], wrt: Set<String>?) throws -> (gradients: [String: Tensor], report: LinearSolveReport)
    /// Forward mode: the directional derivative of every output.
    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport)
    /// The dense Jacobian of one output with respect to one parameter,
    /// `(size of output) x (size of parameter)`. A default builds it from ``jvp(_:)``
    /// columns or ``vjp(_:)`` rows, whichever needs fewer calls; override it when one
    /// factorisation can serve all right-hand sides at once.
    func jacobian(of output: String, wrt parameter: String) throws -> (matrix: Matrix, report: LinearSolveReport)
}

extension SolvedProblem {
    public var certificate: [(name: String, value: Double)] { [] }
    public var sparseLayouts: [String: SparseLayout] { [:] }

    public func vjp(_ cotangents: [String: Tensor], wrt: Set<String>?) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let (g, r) = try vjp(cotangents)
        guard let wrt else { return (g, r) }
        return (g.filter { wrt.contains($0.key) }, r)
    }

    /// Zeros shaped like parameter `name` (dense, or on its coordinate layout).
    public func zeroTangent(_ name: String) -> Tensor? {
        parameterShapes.first { $0.name == name }.map { Tensor.zeros($0.shape, layout: sparseLayouts[name]) }
    }

    /// The shape of each output by name.
    public var outputShapes: [String: [Int]] {
        Dictionary(uniqueKeysWithValues: outputs.map { ($0.name, $0.value.shape) })
    }

    public func jacobian(of output: String, wrt parameter: String) throws -> (matrix: Matrix, report: LinearSolveReport) {
        guard let oshape = outputShapes[output] else { throw CLIError.invalidInput("unknown output '\(output)'") }
        guard let zero = zeroTangent(parameter) else {
            throw CLIError.invalidInput("unknown parameter '\(parameter)'")
        }
        let m = oshape.reduce(1, *), n = zero.count
        var j = Matrix(rows: m, columns: n)
        var report: LinearSolveReport?
        func merge(_ r: LinearSolveReport) {
            if report == nil { report = r } else {
                report!.iterations += r.iterations
                report!.relativeResidual = max(report!.relativeResidual, r.relativeResidual)
            }
        }
        if n <= m {
            for k in 0..<n {
                var t = zero
                t.scalars[k] = 1
                let (d, r) = try jvp([parameter: t])
                merge(r)
                let col = d[output] ?? .zeros(oshape)
                for i in 0..<m { j[i, k] = col.scalars[i] }
            }
        } else {
            for i in 0..<m {
                var c = Tensor.zeros(oshape)
                c.scalars[i] = 1
                let (g, r) = try vjp([output: c])
                merge(r)
                let row = g[parameter] ?? zero
                for k in 0..<n { j[i, k] = row.scalars[k] }
            }
        }
        return (j, report ?? LinearSolveReport(method: "none"))
    }
}

/// Options of the `options` object that every kind may read.
public struct ProblemOptions: Sendable {
    /// Forward solver tolerance (`nil`: the solver's tight default).
    public var tol: Double?
    /// The implicit system's linear solver and tolerance, as `ImplicitOptions`.
    public var implicit: ImplicitOptions
    /// Forward iteration cap (`nil`: the solver's default).
    public var maxIter: Int?
    /// Every key of `options`, for kind-specific ones (e.g. `lp_smoothing`).
    public var raw: JSONObject
    /// The folder of the problem file (relative model paths resolve against it);
    /// the current folder for standard input.
    public var baseDirectory: String
    /// Whether the outputs will be written (`false` with `--no-outputs`): a kind may then
    /// skip forming outputs that nothing else needs (`sinkhorn`: the plan of point clouds).
    public var includeOutputs: Bool = true

    public init(tol: Double? = nil, implicit: ImplicitOptions = .init(), maxIter: Int? = nil,
                raw: JSONObject = JSONObject([:]), baseDirectory: String = ".") {
        self.tol = tol
        self.implicit = implicit
        self.maxIter = maxIter
        self.raw = raw
        self.baseDirectory = baseDirectory
    }
}

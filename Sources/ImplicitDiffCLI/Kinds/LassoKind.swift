import ImplicitDiff

/// `lasso`: w = argmin 1/2 ||X w - y||^2 + lambda ||w||_1 (ImplicitDiffProx): FISTA with
/// Newton polish on the support; derivatives from the fixed-point conditions restricted
/// to the support (one Cholesky factorisation of X_S'X_S, shared with the polish).
/// `X` may be given in coordinate form: it is then solved as a `SparseMatrix` (products
/// O(nnz), never an N x d array), its gradient is returned on the input's coordinate
/// entries and its jvp tangent is `{"values": [...]}`.
public enum LassoKind: ProblemKind {
    public static let name = "lasso"

    /// A lasso instance with a known, strictly complementary solution (N = 20, d = 8):
    /// `w*` has 3 non-zeros of size 0.5 to 1.5 and `y = X w* + r` with
    /// `X'r = lambda s`, `s = sign(w*)` on the support and `|s_j| <= 0.8` off it, so `w*`
    /// is the lasso solution for `lambda = 0.5` with margin at least 0.2.
    public static func sample(seed: UInt64) -> JSONObject? {
        var g = SampleGenerator(seed: seed)
        let n = 20, d = 8
        let x = g.matrix(n, d)
        var w = Vector.zeros(d), s = g.vector(d, in: -0.8...0.8)
        for (k, j) in [1, 4, 6].enumerated() {
            let sign: Double = (k + Int(seed % 2)) % 2 == 0 ? 1 : -1
            w[j] = sign * Double.random(in: 0.5...1.5, using: &g)
            s[j] = sign
        }
        let lambda = 0.5
        guard let gram = try? CholeskyFactorization(Matrix.product(x, transposed: true, x, transposed: false)) else { return nil }
        let y = x * w + lambda * (x * gram.solve(s))
        return JSONObject([("X", JSON(x)), ("y", JSON(y)), ("lambda", .number(lambda))])
    }

    public static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        try data.rejectUnknownKeys(["X", "y", "lambda"], in: "lasso data")
        let x = try data.matrixField("X"), y = try data.vector("y"), lambda = try data.scalar("lambda")
        let (rows, columns) = x.shape
        guard rows == y.count else { throw CLIError.invalidInput("X has \(rows) rows but y has \(y.count) entries") }
        guard rows > 0, columns > 0 else { throw CLIError.invalidInput("X must have at least one row and one column") }
        guard lambda > 0 else { throw CLIError.invalidInput("lambda must be positive, got \(lambda)") }
        var solverOptions = ProximalGradientOptions()
        if let tol = options.tol { solverOptions.tolerance = tol }
        if let cap = options.maxIter { solverOptions.maxIterations = cap }
        let problem: Lasso
        do {
            switch x {
            case let .dense(m): problem = try Lasso(design: m, targets: y, lambda: lambda)
            case let .sparse(c): problem = try Lasso(design: c.matrix, targets: y, lambda: lambda)
            }
        } catch {
            throw CLIError.invalidInput("\(error)")
        }
        return {
            do {
                return SolvedLasso(solution: try problem.solveAlongPath(options: solverOptions), options: options.implicit,
                                   layout: x.layout)
            } catch let e as ProxError {
                switch e {
                case .notConverged, .nonFinite, .uncertified: throw CLIError.notConverged(e.description)
                default: throw CLIError.invalidInput(e.description)
                }
            }
        }
    }
}

final class SolvedLasso: SolvedProblem {
    let solution: ProximalSolution<LeastSquares, L1Norm>
    let options: ImplicitOptions
    /// The coordinate layout of `X` when it was given in coordinate form.
    let layout: SparseLayout?
    private var cachedDerivative: ProximalDerivative?

    init(solution: ProximalSolution<LeastSquares, L1Norm>, options: ImplicitOptions, layout: SparseLayout?) {
        self.solution = solution
        self.options = options
        self.layout = layout
    }

    var n: Int { solution.problem.smooth.designMatrix.rows }
    var d: Int { solution.problem.smooth.designMatrix.columns }
    /// The number of parameters of `X`: `N d` dense, the stored entries when sparse.
    var m: Int { solution.problem.smooth.designMatrix.storedCount }
    var sparseLayouts: [String: SparseLayout] { layout.map { ["X": $0] } ?? [:] }

    let status = "optimal"
    var forwardIterations: Int { solution.result.iterations }
    /// The lasso's certificate (`ProximalCertificate`, checked before the solution was
    /// returned): the relative fixed-point residual and the relative KKT violation.
    var certificate: [(name: String, value: Double)] {
        [("fixed_point", solution.certificate.fixedPoint), ("kkt", solution.certificate.kkt ?? 0)]
    }
    var outputs: [(name: String, value: Tensor)] {
        [("w", Tensor(solution.w)), ("value", Tensor(solution.value))]
    }
    var parameterShapes: [(name: String, shape: [Int])] {
        [("X", [n, d]), ("y", [n]), ("lambda", [])]
    }

    /// The derivative, made once: strict complementarity failures and singular restricted
    /// Gram matrices are `not_differentiable`.
    func derivative() throws -> ProximalDerivative {
        if let c = cachedDerivative { return c }
        do {
            let c = try solution.derivative(options: options)
            cachedDerivative = c
            return c
        } catch let e as ProxError {
            throw CLIError.notDifferentiable(e.description)
        } catch {
            throw CLIError.fromDerivative(error)
        }
    }

    /// `[vec(X), y, lambda]` (or `[values(X), y, lambda]`, storage order, when `X` is
    /// sparse) split into named gradients; a sparse `X`'s gradient goes back to the input's
    /// coordinate entries.
    func unpack(_ g: consuming Vector) -> [String: Tensor] {
        let n = self.n, d = self.d, m = self.m
        // The X block keeps g's storage (no copy of the largest output): the tail is read
        // off, then removed in place.
        var all = (consume g).scalars
        let y = Array(all[m..<(m + n)]), lambda = all[m + n]
        all.removeLast(all.count - m)
        let x = layout.map { Tensor(layout: $0, stored: all) } ?? Tensor(shape: [n, d], scalars: all)
        return ["X": x, "y": Tensor(Vector(y)), "lambda": Tensor(lambda)]
    }

    func pack(_ t: [String: Tensor]) -> Vector {
        Vector((t["X"]?.storedValues ?? Array(repeating: 0, count: m))
               + (t["y"]?.scalars ?? Array(repeating: 0, count: n))
               + [t["lambda"]?.scalar ?? 0])
    }

    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        let wbar = cotangents["w"].map { Vector($0.scalars) } ?? .zeros(d)
        let vbar = cotangents["value"]?.scalar ?? 0
        do {
            let (g, report) = try derivative().pullback(w: wbar, value: vbar)
            return (unpack(g), report)
        } catch let e as CLIError { throw e } catch { throw CLIError.fromDerivative(error) }
    }

    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        do {
            let (dw, dv, report) = try derivative().pushforward(pack(tangents))
            return (["w": Tensor(dw), "value": Tensor(dv)], report)
        } catch let e as CLIError { throw e } catch { throw CLIError.fromDerivative(error) }
    }
}

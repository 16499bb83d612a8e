/// The lasso,
/// ```
/// w(X, y, lambda) = argmin_w  1/2 ||X w - y||^2 + lambda ||w||_1,
/// ```
/// with parameters `theta = [vec(X) (row-major), y, lambda]` (for a sparse design,
/// ``init(design:targets:lambda:)-(SparseMatrix,_,_)``: `[values(X), y, lambda]`, the
/// stored entries in compressed-column order, and `dV/dX`, `dw/dX` live on the stored
/// pattern; everything below costs `O(nnz)` per product plus `|S| x |S|` dense blocks).
/// On the support `S` with
/// signs `s = sign(w_S)` (strict complementarity: `|X_j'(y - Xw)| < lambda` off `S`):
/// ```
/// w_S = (X_S'X_S)^-1 (X_S'y - lambda s),      w_off = 0
/// dw_S/dlambda = -(X_S'X_S)^-1 s
/// dw_S/dy      =  (X_S'X_S)^-1 X_S'
/// dV/dX = r w',  dV/dy = -r,  dV/dlambda = ||w||_1      (r = Xw - y, envelope theorem)
/// ```
/// The solver's Newton polish solves exactly these restricted normal equations, and its
/// Cholesky factorisation of `X_S'X_S` is reused by every derivative.
public typealias Lasso = ProximalProblem<LeastSquares, L1Norm>

extension ProximalProblem where Smooth == LeastSquares, Prox == L1Norm {
    /// - Throws: ``ProxError`` for mismatched shapes, non-finite data or `lambda < 0`.
    public init(design: Matrix, targets: Vector, lambda: Double, useGram: Bool? = nil) throws {
        try self.init(smooth: LeastSquares(design: design, targets: targets, useGram: useGram),
                      prox: L1Norm(lambda: lambda))
    }

    /// The lasso over a sparse design (never densified): parameters
    /// `[values(X), y, lambda]`.
    ///
    /// - Throws: ``ProxError`` for mismatched shapes, non-finite data or `lambda < 0`.
    public init(design: SparseMatrix, targets: Vector, lambda: Double) throws {
        try self.init(smooth: LeastSquares(design: design, targets: targets), prox: L1Norm(lambda: lambda))
    }

    /// `[vec(X), y, lambda] -> w` for `X` of shape `rows x columns`, as an
    /// `ImplicitFunction` usable inside `gradient(at:of:)`. For a layer in `lambda` (or
    /// `y`) alone, see ``ProximalProblem/layer(wrt:solverOptions:options:complementarityMargin:)``.
    ///
    /// - Parameters:
    ///   - solverOptions: the proximal gradient solver's settings.
    ///   - options: the implicit derivative's settings.
    public static func layer(rows: Int, columns: Int, solverOptions: ProximalGradientOptions = .init(),
                             options: ImplicitOptions = .init()) throws -> ImplicitFunction<ProximalGradientByproduct> {
        try Lasso(design: Matrix(rows: rows, columns: columns), targets: .zeros(rows), lambda: 1)
            .layer(solverOptions: solverOptions, options: options)
    }

    @available(*, deprecated, renamed: "layer(rows:columns:solverOptions:options:)")
    public static func solutionMap(rows: Int, columns: Int, solverOptions: ProximalGradientOptions = .init(),
                                   options: ImplicitOptions = .init()) throws -> ImplicitFunction<ProximalGradientByproduct> {
        try layer(rows: rows, columns: columns, solverOptions: solverOptions, options: options)
    }
}

extension ProximalProblem where Smooth == LeastSquares, Prox == L1Norm {
    /// Solves by ``ProximalGradient`` along a geometric path of weights (continuation,
    /// warm starts): from `lambda_max = ||X'y||_inf`, where `w = 0`, down by `ratio` per
    /// stage to `lambda`.
    ///
    /// A cold start at `lambda << lambda_max` (for instance more coefficients than
    /// observations and a tiny weight) identifies the support only after many thousands
    /// of iterations, because the margins of the inactive coefficients scale with
    /// `lambda`; along the path each stage starts next to its own support and the Newton
    /// polish finishes it in a few iterations. Weights at or above `pathThreshold *
    /// lambda_max` are solved directly (``solveExactly(options:from:)``).
    ///
    /// Each stage is first finished by exact active-set steps from the previous stage's
    /// solution (`activeSetFinish(from:maxSteps:)`, a homotopy on the support and signs),
    /// FISTA running only when these do not suffice; the final point always satisfies the
    /// KKT conditions to rounding, so at most `rank X` coefficients are non-zero for
    /// generic data and the support's Cholesky factorisation is handed to the derivative.
    ///
    /// Every stage shares `options.maxIterations`, which bounds the proximal-gradient
    /// iterations and the active-set steps together (the result reports the total; a cap
    /// reached before a certified answer throws ``ProxError/notConverged(iterations:residual:tolerance:)``), and
    /// every stage's stopping test uses the scale of a cold start, `||grad f(0)||`, so the
    /// final test means the same as in a direct solve. Intermediate stages stop at
    /// `max(options.tolerance, 1e-6)`.
    public func solveAlongPath(options: ProximalGradientOptions = .init(), ratio: Double = 0.1,
                               pathThreshold: Double = 1e-2) throws -> ProximalSolution<Smooth, Prox> {
        let lambda = prox.lambda
        let gradientAtZero = smooth.gradient(at: .zeros(dimension))
        let lambdaMax = gradientAtZero.maxNorm
        guard ratio > 0, ratio < 1, lambda > 0, lambdaMax.isFinite, lambda < pathThreshold * lambdaMax else {
            return try solveExactly(options: options)
        }
        var stageOptions = options
        stageOptions.residualScale = options.residualScale ?? gradientAtZero.norm
        var w = Vector.zeros(dimension)
        // Proximal-gradient iterations plus active-set steps, against options.maxIterations.
        var used = 0
        func exhausted(_ residual: Double = .infinity) -> ProxError {
            ProxError.notConverged(iterations: used, residual: residual, tolerance: options.tolerance)
        }
        // Each stage starts next to its solution: a few active-set steps per stage (exact
        // homotopy), FISTA only when they do not suffice.
        let activeSetBudget = 2 * Swift.min(smooth.designMatrix.rows, dimension) + 20
        var level = lambdaMax * ratio
        while level > lambda {
            guard options.maxIterations - used > 0 else { throw exhausted() }
            let stage = try ProximalProblem(smooth: smooth, prox: L1Norm(lambda: level))
            var steps = 0
            let finish = stage.activeSetFinish(from: w, maxSteps: Swift.min(activeSetBudget, options.maxIterations - used),
                                               steps: &steps)
            used += steps
            if let finish {
                w = finish.w
                level *= ratio
                continue
            }
            stageOptions.tolerance = Swift.max(options.tolerance, 1e-6)
            stageOptions.maxIterations = options.maxIterations - used
            guard stageOptions.maxIterations > 0 else { throw exhausted() }
            do {
                let result = try ProximalGradient(smooth: smooth, prox: stage.prox, options: stageOptions).solve(from: w)
                used += result.iterations
                w = result.solution
            } catch let ProxError.notConverged(_, residual, _) {
                used = options.maxIterations
                throw exhausted(residual)
            }
            level *= ratio
        }
        stageOptions.tolerance = options.tolerance
        guard options.maxIterations - used > 0 else { throw exhausted() }
        // The last stage: the finish may take the full budget of an exact solve (up to half
        // of what is left), FISTA the rest.
        let finalBudget = Swift.min(Self.finishBudget(dimension), (options.maxIterations - used) / 2)
        if let exact = finished(nil, from: w, iterations: used, maxSteps: finalBudget, options: stageOptions) {
            return try certified(exact, options: options)
        }
        used += finalBudget
        stageOptions.maxIterations = options.maxIterations - used
        guard stageOptions.maxIterations > 0 else { throw exhausted() }
        let last: ProximalGradientResult
        do {
            last = try ProximalGradient(smooth: smooth, prox: prox, options: stageOptions).solve(from: w)
        } catch let ProxError.notConverged(_, residual, _) {
            used = options.maxIterations
            throw exhausted(residual)
        }
        used += last.iterations
        let total = finished(last, from: w, iterations: used, maxSteps: options.maxIterations - used, options: stageOptions)
            ?? last.counting(iterations: used)
        return try certified(total, options: options)
    }

    /// ``solve(options:from:)`` followed by the exact active-set finish
    /// (`activeSetFinish(from:maxSteps:)`): the support and signs are corrected until the
    /// KKT conditions hold to rounding, whatever the first-order stopping test accepted.
    /// The finish's steps count against `options.maxIterations` with the proximal-gradient
    /// iterations: FISTA runs with the cap less a reserve of `min(20 d + 100, cap / 2)`
    /// steps, the finish (from FISTA's answer, or from `initialGuess` when FISTA stopped at
    /// its cap) with what FISTA left; when both fail,
    /// ``ProxError/notConverged(iterations:residual:tolerance:)``.
    /// The answer is certified (``ProximalCertificate``) before it is returned.
    public func solveExactly(options: ProximalGradientOptions = .init(), from initialGuess: Vector? = nil) throws
        -> ProximalSolution<Smooth, Prox> {
        // FISTA may use the cap less the finish's reserve; the finish what FISTA left.
        let reserve = Swift.min(Self.finishBudget(dimension), options.maxIterations / 2)
        var fistaOptions = options
        fistaOptions.maxIterations = options.maxIterations - reserve
        var result: ProximalGradientResult?
        var failure: Error?
        do {
            result = try ProximalGradient(smooth: smooth, prox: prox, options: fistaOptions).solve(from: initialGuess)
        } catch let e as ProxError {
            guard case .notConverged = e else { throw e }
            failure = e
        }
        let fista = result?.iterations ?? fistaOptions.maxIterations
        guard let final = finished(result, from: initialGuess ?? .zeros(dimension), iterations: fista,
                                   maxSteps: options.maxIterations - fista, options: options) ?? result else {
            if case let .notConverged(_, residual, tolerance)? = failure as? ProxError {
                throw ProxError.notConverged(iterations: options.maxIterations, residual: residual, tolerance: tolerance)
            }
            throw failure ?? ProxError.notConverged(iterations: options.maxIterations, residual: .infinity,
                                                     tolerance: options.tolerance)
        }
        return try certified(final, options: options)
    }

    /// The active-set steps an exact solve allows itself: `20 d + 100`.
    static func finishBudget(_ d: Int) -> Int { 20 * d + 100 }
}

/// An exact finish for the lasso: the primal active-set (homotopy-type) method of
/// Osborne, Presnell and Turlach (IMA J. Numer. Anal. 20 (2000),
/// doi:10.1093/imanum/20.3.389), started from an approximate solution.
///
/// With support `S` and signs `s`, the candidate is `z_S = (X_S'X_S)^-1 (X_S'y - lambda s)`
/// (Cholesky). If a sign of `z_S` disagrees with `s`, the iterate moves towards `z` only
/// up to the first coordinate that reaches zero, which leaves `S`; otherwise `w = z` and
/// the KKT conditions `|X_j'(y - Xw)| <= lambda` off `S` are checked, and the most
/// violated coordinate enters `S` with the sign of its correlation. When an entering
/// coordinate makes `X_S` rank deficient, the move is along the null-space direction of
/// `X_S` (the objective decreases linearly along it) until a coordinate reaches zero, so
/// `X_S` always keeps full column rank (`|S| <= rank X`). Every move decreases the
/// objective; the method stops at a point satisfying the KKT conditions exactly (to
/// rounding), whatever tolerance the first-order solver used.
extension ProximalProblem where Smooth == LeastSquares, Prox == L1Norm {
    /// The exact lasso solution from `start` by active-set steps, with its support and the
    /// number of steps taken, or `nil` when `maxSteps` steps do not reach a KKT point.
    func activeSetFinish(from start: Vector, maxSteps: Int? = nil) -> (w: Vector, support: [Int], steps: Int)? {
        var steps = 0
        return activeSetFinish(from: start, maxSteps: maxSteps, steps: &steps)
    }

    /// ``activeSetFinish(from:maxSteps:)`` that also counts the steps of a failed attempt.
    ///
    /// The Cholesky factor of `X_S'X_S` is updated as coordinates enter and leave
    /// (``SupportCholesky``: `O(|S|^2)` per step, refreshed from scratch every
    /// `max(64, |S|)` changes) rather than recomputed (`|S|^3 / 3` per step): with a thousand coordinates
    /// in the support that is the difference between seconds and minutes.
    func activeSetFinish(from start: Vector, maxSteps: Int?, steps: inout Int) -> (w: Vector, support: [Int], steps: Int)? {
        let x = smooth.designMatrix, y = smooth.targets, lambda = prox.lambda
        let n = x.rows, d = x.columns
        guard lambda > 0, start.count == d else { return nil }
        let kktSlack = 1e-9 * lambda
        var w = start
        let xty = x.transposedTimes(y)   // X'y, once
        /// `X'x_j` for every coordinate: a row of the Gram matrix, or one product.
        func crossProducts(_ j: Int) -> Vector {
            if let gram = smooth.gram { return gram.row(j) }
            return x.transposedTimes(x.column(j))
        }

        // Initial support: non-zeros by decreasing magnitude, each kept when X_S keeps full
        // rank (appended to the factor of one Gram block of the candidates).
        let order = (0..<d).filter { w[$0] != 0 }.sorted { abs(w[$0]) > abs(w[$1]) }
        let block = smooth.hessianBlock(at: .zeros(0), indices: order)
        var support: [Int] = [], kept: [Int] = []
        guard var chol = SupportCholesky(gram: Matrix(rows: 0, columns: 0)) else { return nil }
        for (a, j) in order.enumerated() where support.count < n {
            if chol.append(cross: kept.map { block[a, $0] }, diagonal: block[a, a]) {
                support.append(j)
                kept.append(a)
            }
        }
        let inSupport = Set(support)
        for j in 0..<d where !inSupport.contains(j) { w[j] = 0 }
        var signs = support.map { w[$0] > 0 ? 1.0 : -1.0 }
        // The factor covers `support`, or all of it but an entering coordinate (last) that
        // made X_S rank deficient; `enteringCross` is then X'x_k.
        var entering: Int?, enteringCross: Vector?

        steps = 0
        for _ in 0..<Swift.max(0, maxSteps ?? (20 * d + 100)) {
            steps += 1
            if chol.size == support.count, chol.refreshDue {
                guard let fresh = SupportCholesky(gram: smooth.hessianBlock(at: .zeros(0), indices: support)) else { return nil }
                chol = fresh
            }
            // Direction h on S towards the restricted minimiser (or a null-space direction).
            var h: [Double]
            var fullStep: Bool
            if chol.size == support.count {
                var rhs = [Double](repeating: 0, count: support.count)
                for (a, j) in support.enumerated() { rhs[a] = xty[j] - lambda * signs[a] }
                let z = chol.solve(rhs)
                h = support.indices.map { z[$0] - w[support[$0]] }
                fullStep = true
            } else {
                // Only after an entering coordinate k (last in S): v = (-(X_R'X_R)^-1 X_R'X_k s_k, s_k).
                guard let k = entering, support.last == k, let xtxk = enteringCross else { return nil }
                let sk = signs[signs.count - 1]
                let v = chol.solve(support.dropLast().map { -xtxk[$0] * sk })
                h = v + [sk]
                fullStep = false
            }
            entering = nil
            // Largest step keeping the signs of S (the entering coordinate may start at zero).
            var gamma = fullStep ? 1.0 : Double.infinity, leaving: Int?
            for (a, j) in support.enumerated() where w[j] != 0 && signs[a] * h[a] < 0 {
                let g = -w[j] / h[a]
                if g < gamma { gamma = g; leaving = a }
            }
            guard gamma.isFinite else { return nil }
            for (a, j) in support.enumerated() { w[j] += gamma * h[a] }
            if let a = leaving {
                w[support[a]] = 0
                support.remove(at: a)
                signs.remove(at: a)
                chol.remove(at: a)
                if chol.size < support.count {
                    // The coordinate that could not enter may fit now that another left.
                    guard let xtxk = enteringCross,
                          chol.append(cross: support.dropLast().map { xtxk[$0] }, diagonal: xtxk[support[support.count - 1]])
                    else { return nil }
                }
                enteringCross = nil
                continue
            }
            // At the restricted minimiser: check the KKT conditions off S.
            let c = smooth.gradient(at: w)   // X'(Xw - y) = -correlations
            let members = Set(support)
            var worst = -1, excess = kktSlack
            for j in 0..<d where !members.contains(j) {
                let e = abs(c[j]) - lambda
                if e > excess { excess = e; worst = j }
            }
            if worst < 0 {
                for (a, j) in support.enumerated() where signs[a] * w[j] <= 0 { w[j] = 0 }
                return (w, support.filter { w[$0] != 0 }.sorted(), steps)
            }
            let xtxk = crossProducts(worst)
            enteringCross = chol.append(cross: support.map { xtxk[$0] }, diagonal: xtxk[worst]) ? nil : xtxk
            support.append(worst)
            signs.append(c[worst] > 0 ? -1 : 1)
            entering = worst
        }
        return nil
    }

    /// `result` when it already is an exact KKT point with a factorised support, else the
    /// active-set finish from `result`'s solution (or `start`) with at most `maxSteps`
    /// steps (``activeSetFinish(from:maxSteps:)``) and the support factorisation made by
    /// one Newton step there; `nil` when the finish fails. The result's iterations are
    /// `iterations` (the caller's count so far) plus the active-set steps.
    func finished(_ result: ProximalGradientResult?, from start: Vector, iterations: Int, maxSteps: Int,
                  options: ProximalGradientOptions) -> ProximalGradientResult? {
        guard let (w, support, steps) = activeSetFinish(from: result?.solution ?? start, maxSteps: maxSteps) else {
            return nil
        }
        if let result, result.polished, let f = result.factorization, f.support == support {
            return result.counting(iterations: iterations + steps)
        }
        let solver = ProximalGradient(smooth: smooth, prox: prox, options: options)
        guard let eta = result?.stepSize ?? (try? solver.initialStepSize(smooth, at: w)) else { return nil }
        let scale0 = options.residualScale ?? smooth.gradient(at: .zeros(dimension)).norm
        let scale = scale0 > 0 ? scale0 : 1
        let system = FixedPointSystem(smooth: smooth, prox: prox, w: w, stepSize: eta)
        var solution = w, residual = system.residualNorm, factorization: SupportBlockFactorization?
        let attempt = solver.polish(smooth, from: w, stepSize: eta, threshold: Swift.max(residual, options.tolerance * scale))
        if let (polished, r, f) = attempt.result, r <= residual || r <= options.tolerance * scale {
            solution = polished
            residual = r
            factorization = f
        }
        return ProximalGradientResult(solution: solution, stepSize: eta, iterations: iterations + steps,
                                      backtracks: result?.backtracks ?? 0, restarts: result?.restarts ?? 0,
                                      newtonSteps: (result?.newtonSteps ?? 0) + attempt.steps, polished: true,
                                      relativeResidual: residual / scale, factorization: factorization)
    }
}

extension ProximalGradientResult {
    /// The same result with `iterations` replaced.
    func counting(iterations: Int) -> ProximalGradientResult {
        ProximalGradientResult(solution: solution, stepSize: stepSize, iterations: iterations, backtracks: backtracks,
                               restarts: restarts, newtonSteps: newtonSteps, polished: polished,
                               relativeResidual: relativeResidual, factorization: factorization)
    }
}

extension LinearProgram {
    /// Solves the smoothed problem
    /// ```
    /// minimize  c'z + gamma/2 ||z||^2   subject to   A z = b,   G z <= h
    /// ```
    /// (strongly convex: a unique solution, the Euclidean projection of `-c/gamma` on the
    /// feasible set) by a primal active-set method that starts at the LP vertex `start`
    /// (solved first when `nil`), whose active rows form the first working set `W`. Each
    /// iteration solves the equality-constrained step
    /// ```
    /// [gamma I  M_W'] [step]   [-(gamma z + c)]
    /// [M_W      0   ] [nu  ] = [      0       ],     M_W = [A; G_W]
    /// ```
    /// by one LDL' factorisation, moves to the first blocking constraint (adding it to
    /// `W`), or, when the step is zero, drops the working inequality with the most
    /// negative multiplier; it stops when all working multipliers are `>= 0` (relative
    /// `1e-10`). The last factorisation is the one every derivative reuses. For small
    /// `gamma` the solution stays at (or near) the LP vertex and few iterations are needed.
    ///
    /// The derivative of the returned solution (``LinearProgramSolution/derivative(options:)``)
    /// is that of the smoothed problem's KKT system on the final working set, which is
    /// informative in `c` (`dz/dc = -(1/gamma) P`, `P` the projector on the null space of
    /// `M_W`). Weakly active constraints are listed in
    /// ``LPActiveSet/weaklyActiveInequalities``.
    ///
    /// - Throws: ``LPError/invalidProblem(_:)`` for `gamma <= 0`; the LP's errors when the
    ///   LP itself fails; ``LPError/notDifferentiable(_:)`` when the equality constraints
    ///   are linearly dependent; ``LPError/notConverged(_:)`` after `10 (n + m) + 10`
    ///   iterations, when `start` did not pass its ``LPCertificate``, or when the smoothed
    ///   solution fails its own (the figures with `gamma`: stationarity
    ///   `c + gamma z + A'lambda + G'mu = 0`, gap `c'z + gamma z'z + b'lambda + h'mu`).
    public func solveRegularized(gamma: Double, startingFrom start: LinearProgramSolution? = nil,
                                 options: LPOptions = .init()) throws -> LinearProgramSolution {
        guard gamma.isFinite, gamma > 0 else {
            throw LPError.invalidProblem("the smoothing parameter gamma must be positive and finite, got \(gamma)")
        }
        let vertex = try start ?? solve(options: options)
        guard vertex.regularization == 0, vertex.problem.layout == layout else {
            throw LPError.invalidProblem("the starting point must be this LP's own vertex")
        }
        // Never smooth from an answer that is not a certified LP optimum (the smoothed
        // derivative would describe a problem that was not solved).
        guard vertex.certificate.passed else {
            throw LPError.notConverged("the LP vertex to smooth from fails its optimality check: \(vertex.certificate)")
        }
        let n = c.count, p = A.rows, m = G.rows
        let rowNorms = (0..<m).map { i in G.row(i).maxNorm }
        var z = vertex.z
        // The LP basis rows are independent when the vertex is non-degenerate; otherwise
        // the working set starts empty and is built one independent constraint at a time.
        var working = vertex.activeSet.activeInequalities
        if vertex.degeneracy?.isPrimal ?? false || p + working.count > n { working = [] }
        var iterations = vertex.iterations
        var mayRestartEmpty = !working.isEmpty
        let limit = 10 * (n + m) + 10
        for _ in 0..<limit {
            iterations += 1
            let factorization: LPKKTFactorization
            do {
                factorization = try LPKKTFactorization(A: A, G: G, active: working, gamma: gamma)
                mayRestartEmpty = false
            } catch {
                if mayRestartEmpty {
                    mayRestartEmpty = false
                    working = []
                    continue
                }
                throw LPError.notDifferentiable("the smoothed problem's working constraints are linearly dependent (are the equality rows independent?): \(error)")
            }
            var gradient = c
            gradient.add(z, scaledBy: gamma)
            let rhs = Vector((-gradient).scalars + [Double](repeating: 0, count: p + working.count))
            let solution = factorization.kkt!.solve(rhs)
            let step = solution.slice(0..<n)
            let nu = solution.slice(n..<solution.count)
            let scale = max(z.maxNorm, c.maxNorm / gamma, .leastNormalMagnitude)
            if step.maxNorm <= 1e-12 * scale {
                // Stationary on the working set: check the working multipliers' signs.
                let gScale = max(gradient.maxNorm, .leastNormalMagnitude)
                var worst = 0.0, drop = -1
                for (r, i) in working.enumerated() {
                    let relative = nu[p + r] * rowNorms[i] / gScale
                    if relative < worst { worst = relative; drop = r }
                }
                if drop >= 0 && worst < -1e-10 {
                    working.remove(at: drop)
                    continue
                }
                z += step
                let solution = smoothedSolution(gamma: gamma, z: z, nu: nu, working: working, factorization: factorization,
                                                iterations: iterations, rowNorms: rowNorms,
                                                tolerance: options.certificateTolerance)
                guard solution.certificate.passed else {
                    throw LPError.notConverged("the smoothed problem's solution fails its optimality check: \(solution.certificate)")
                }
                return solution
            }
            // Longest feasible step along `step`, blocked by the first inactive constraint.
            let gStep = G * step, gz = G * z
            var alpha = 1.0, blocking = -1
            var inWorking = [Bool](repeating: false, count: m)
            for i in working { inWorking[i] = true }
            for i in 0..<m where !inWorking[i] {
                let rate = gStep[i]
                guard rate > 1e-14 * rowNorms[i] * step.maxNorm else { continue }
                let t = max(h[i] - gz[i], 0) / rate
                if t < alpha { alpha = t; blocking = i }
            }
            z.add(step, scaledBy: alpha)
            if blocking >= 0 {
                working.append(blocking)
                working.sort()
            }
        }
        throw LPError.notConverged("the smoothed problem's active-set method did not finish in \(limit) iterations")
    }

    /// Packs the smoothed solution: multipliers from the last step's `nu`, weakly active
    /// constraints, and the last factorisation for the derivatives.
    private func smoothedSolution(gamma: Double, z: Vector, nu: Vector, working: [Int],
                                  factorization: LPKKTFactorization, iterations: Int,
                                  rowNorms: [Double], tolerance: Double) -> LinearProgramSolution {
        let p = A.rows, m = G.rows
        let lambda = nu.slice(0..<p)
        var mu = [Double](repeating: 0, count: m)
        for (r, i) in working.enumerated() { mu[i] = nu[p + r] }
        let gz = G * z, gzScale = LPDense.absoluteRowProducts(G, z)
        var inWorking = [Bool](repeating: false, count: m)
        for i in working { inWorking[i] = true }
        var gradient = c
        gradient.add(z, scaledBy: gamma)
        let gScale = max(gradient.maxNorm, .leastNormalMagnitude)
        var weak = [Int]()
        for i in 0..<m {
            if inWorking[i] {
                if abs(mu[i]) * rowNorms[i] <= 1e-9 * gScale { weak.append(i) }
            } else if h[i] - gz[i] <= 1e-9 * max(abs(h[i]), gzScale[i]) {
                weak.append(i)
            }
        }
        let value = c.dot(z) + 0.5 * gamma * z.squaredNorm()
        let certificate = LPCertificate.check(self, gamma: gamma, z: z, lambda: lambda, mu: Vector(mu), tolerance: tolerance)
        return LinearProgramSolution(
            problem: self, regularization: gamma, z: z, lambda: lambda, mu: Vector(mu), value: value,
            activeSet: LPActiveSet(activeInequalities: working, degeneracy: nil, weaklyActiveInequalities: weak,
                                   factorization: factorization),
            iterations: iterations, certificate: certificate)
    }
}

import Glibc

extension SinkhornSolution {
    /// The Euclidean norm of the dual gradient, `||(a - P 1, b - P' 1)||_2` (unbalanced:
    /// `||(s_a - P 1, s_b - P' 1)||_2`, `s_a = a o exp(-f / rho_a)`): the merit function
    /// of the Newton finish.
    var residualNorm: Double {
        var s = 0.0
        for i in 0..<rowSums.count { let r = rowTargets[i] - rowSums[i]; s += r * r }
        for j in 0..<columnSums.count { let r = columnTargets[j] - columnSums[j]; s += r * r }
        return s.squareRoot()
    }

    /// Damped Newton's method on the dual, from these potentials (see
    /// ``SinkhornOptions/newtonFinish``). Each step solves
    /// ```
    /// K (df, dg) = eps (a - P 1, b - P' 1),      K = [diag(P 1)  P; P'  diag(P' 1)]
    /// ```
    /// (the right-hand side projected onto `range(K)`: the masses may differ by `1e-9`),
    /// which is `-(Hessian)^-1 gradient` of the concave dual
    /// `<f, a> + <g, b> - eps sum_ij exp((f_i + g_j - C_ij)/eps)`. With `F` the dual
    /// gradient and `J = -K/eps` its Jacobian, `J d = -F`, so
    /// `d/dt ||F(y + t d)||^2 = -2 ||F||^2 < 0`: the step is halved (at most 30 times)
    /// until `||F||_2` falls. Stops when the marginal error is at most `tolerance / 4`,
    /// after `maxSteps` steps, or when no step lowers the residual.
    ///
    /// **Unbalanced problems**: the conditions are `P 1 = s_a`, `P' 1 = s_b` with
    /// `s_a = a o exp(-f / rho_a)`, `s_b = b o exp(-g / rho_b)`, whose Jacobian is
    /// `-K_u / eps` with `K_u = [diag(P 1 + kappa_a s_a)  P; P'  diag(P' 1 + kappa_b s_b)]`
    /// (positive definite, no gauge): each step solves `K_u (df, dg) = eps (s_a - P 1, s_b - P' 1)`
    /// as it is (no projection, no shift), with the same line search on
    /// `||(s_a - P 1, s_b - P' 1)||_2`; the reduced matrix is the plain Schur complement
    /// (its Laplacian form needs `S 1 = 0`, which holds only when balanced).
    ///
    /// - Returns: the best solution found (not certified: the caller certifies) and the
    ///   number of trial points evaluated (each counts as an iteration).
    func newtonFinished(tolerance: Double, maxSteps: Int) -> (solution: SinkhornSolution, evaluations: Int) {
        var best = self, evaluations = 0
        let n = f.count, m = g.count, eps = problem.epsilon
        let solver: LinearSolverChoice = Swift.min(n, m) <= Self.newtonDenseLimit ? .direct : .cg
        for _ in 0..<maxSteps {
            let balanced = problem.isBalanced
            let diagonals = best.conditionDiagonals
            guard best.marginalError > tolerance / 4,
                  let system = try? SchurComplementSystem(plan: best.plan, rowDiagonal: diagonals.rows, columnDiagonal: diagonals.columns,
                                                          options: ImplicitOptions(linearSolver: solver, linearTolerance: 1e-12),
                                                          checkConditioning: false, gaugeFree: !balanced)
            else { break }
            var rf = [Double](repeating: 0, count: n), rg = [Double](repeating: 0, count: m)
            for i in 0..<n { rf[i] = eps * (best.rowTargets[i] - best.rowSums[i]) }
            for j in 0..<m { rg[j] = eps * (best.columnTargets[j] - best.columnSums[j]) }
            if balanced {
                let mismatch = (rf.reduce(0, +) - rg.reduce(0, +)) / Double(n + m)
                for i in 0..<n { rf[i] -= mismatch }
                for j in 0..<m { rg[j] += mismatch }
            }
            guard let (df, dg, _) = try? system.solve(rf, rg) else { break }
            let shift = balanced ? dg.reduce(0, +) / Double(m) : 0
            let stepF = Vector(df) + shift, stepG = Vector(dg) - shift
            let merit = best.residualNorm
            var t = 1.0, accepted: SinkhornSolution?
            for _ in 0..<30 {
                let candidate = SinkhornSolution(problem: problem, costMatrix: costMatrix, f: best.f + t * stepF,
                                                 g: best.g + t * stepG, iterations: iterations, stages: stages, certify: false)
                evaluations += 1
                if candidate.residualNorm < merit, candidate.f.isFinite, candidate.g.isFinite {
                    accepted = candidate
                    break
                }
                t *= 0.5
            }
            guard let next = accepted else { break }
            best = next
        }
        return (best, evaluations)
    }

    /// Newton's method on the symmetric dual of a self term (``SinkhornProblem/isSymmetric``:
    /// `C = C'`, `a = b`), from potentials with `f = g` up to the gauge. With `f = g` the
    /// condition is `P(f) 1 = a`, `P_ij = exp((f_i + f_j - C_ij)/eps)`, whose Jacobian is
    /// `(diag(P 1) + P) / eps`, symmetric positive definite (`v'(diag(P 1) + P) v =
    /// sum_ij P_ij (v_i + v_j)^2 / 2`, zero only for `v = 0` since `P_ii > 0`) and well
    /// conditioned even where the general system is not: the directions `(v, -v)` in
    /// which Sinkhorn stalls on a self term are excluded. Each step solves
    /// `(diag(P 1) + P) df = eps (a - P 1)` by dense Cholesky (up to ``newtonDenseLimit``
    /// points; `nil` beyond, the caller then uses the general finish) and halves the step
    /// until `||a - P 1||_2` falls; the symmetry `f = g` is kept exactly. Balanced
    /// problems only (`nil` when unbalanced: the general finish serves them).
    func symmetricNewtonFinished(tolerance: Double, maxSteps: Int) -> (solution: SinkhornSolution, evaluations: Int)? {
        let n = f.count
        // Unbalanced self terms take the general finish (their potentials have no gauge).
        guard problem.isBalanced, n == g.count, n <= Self.newtonDenseLimit else { return nil }
        let eps = problem.epsilon
        // The symmetric potential: the report's pair is (h + t, h - t).
        let h0 = 0.5 * (f + g)
        func solution(_ h: Vector) -> SinkhornSolution {
            let t = h.sum() / Double(n)
            return SinkhornSolution(problem: problem, costMatrix: costMatrix, f: h + t, g: h - t,
                                    iterations: iterations, stages: stages, certify: false)
        }
        var best = solution(h0), h = h0, evaluations = 1
        for _ in 0..<maxSteps {
            guard best.marginalError > tolerance / 4 else { break }
            var jacobian = best.plan.scalars
            for i in 0..<n { jacobian[i * n + i] += best.rowSums[i] }
            guard let chol = NewtonCholesky(regularising: jacobian, dimension: n) else { break }
            let rhs = (0..<n).map { eps * (problem.a[$0] - best.rowSums[$0]) }
            let step = Vector(chol.solve(rhs))
            guard step.isFinite else { break }
            let merit = best.residualNorm
            var t = 1.0, accepted: (SinkhornSolution, Vector)?
            for _ in 0..<30 {
                let trial = h + t * step
                let candidate = solution(trial)
                evaluations += 1
                if candidate.residualNorm < merit, candidate.f.isFinite {
                    accepted = (candidate, trial)
                    break
                }
                t *= 0.5
            }
            guard let (next, trial) = accepted else { break }
            best = next
            h = trial
        }
        return (best, evaluations)
    }

    /// Largest `min(n, m)` for which the Newton finish factorises the Schur complement
    /// densely (`O(n m min(n, m))` to form, 32 MB at the limit); CG with matrix-free
    /// products beyond.
    static let newtonDenseLimit = 2000
}

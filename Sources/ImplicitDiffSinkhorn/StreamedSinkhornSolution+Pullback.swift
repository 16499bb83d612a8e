import Glibc

extension StreamedSinkhornSolution {
    /// Reverse mode without the plan: the gradient of
    /// `L = <fbar, f> + <gbar, g> + costbar cost` with respect to `x`, `y`, `a`, `b` and
    /// `eps`, in `O((n + m) d)` memory (``SinkhornDerivative`` with the plan cotangent
    /// zero). After the adjoint of the gauge shift (`gbar += (sum fbar - sum gbar)/m`)
    /// it solves
    /// ```
    /// K z = (fbar, gbar),     K = [diag(P 1)  P; P'  diag(P' 1)]
    /// ```
    /// by Jacobi-preconditioned conjugate gradients on all `n + m` unknowns (`K` is
    /// positive semidefinite, the right-hand side orthogonal to its null vector
    /// `(1, -1)`), each product `K v` one blocked pass that recomputes `P`
    /// (``PointCloudKernel/weightedPass(f:g:epsilon:rowSide:columnSide:width:)``). Then,
    /// with `Cbar = P o (u 1' + 1 v')`, `u = z_f + costbar`, `v = z_g`, one more pass gives
    /// ```
    /// xbar_i = 2 ((Cbar 1)_i x_i - (Cbar y)_i),     ybar_j = 2 ((Cbar' 1)_j y_j - (Cbar' x)_j)
    /// abar = proj(eps z_f + costbar f),  bbar = proj(eps z_g + costbar g)
    /// epsbar = <P o (z_f 1' + 1 z_g'), log P> + costbar sum P (log P - 1)
    /// ```
    /// The answer does not depend on the gauge of `z`. A cost-only cotangent needs no
    /// solve (``costGradient``).
    ///
    /// Unbalanced (``SinkhornProblem/tauA``, ``SinkhornProblem/tauB`` below 1): no gauge
    /// adjoint, `K` becomes the positive definite `K_u` (diagonal blocks
    /// `P 1 + kappa_a s_a`, `P' 1 + kappa_b s_b`), and `abar`, `bbar`, `epsbar` take the
    /// relaxed terms of ``SinkhornDerivative``.
    ///
    /// - Throws: ``SinkhornError/dimensionMismatch(_:)`` for a plan cotangent (it needs
    ///   the `n x m` plan: use ``densified()`` and ``SinkhornSolution/derivative(options:)``)
    ///   or cotangents of the wrong length; `ImplicitDifferentiationError.linearSolveFailed(_:)`
    ///   when CG does not reach `options.linearTolerance`.
    public func pullbackWithReport(_ cotangent: SinkhornOutputTangent, options: ImplicitOptions = .init()) throws
        -> (SinkhornParameterTangent, LinearSolveReport) {
        let n = kernel.n, m = kernel.m, d = kernel.d, eps = problem.epsilon
        guard cotangent.plan.scalars.allSatisfy({ $0 == 0 }) else {
            throw SinkhornError.dimensionMismatch("a plan cotangent needs the n x m plan: differentiate densified() instead")
        }
        var fbar = cotangent.f.materialized(count: n).scalars, gbar = cotangent.g.materialized(count: m).scalars
        guard fbar.count == n, gbar.count == m else {
            throw SinkhornError.dimensionMismatch("cotangents of lengths f \(fbar.count), g \(gbar.count) for n = \(n), m = \(m)")
        }
        guard fbar.allSatisfy(\.isFinite), gbar.allSatisfy(\.isFinite), cotangent.cost.isFinite else {
            throw ImplicitDifferentiationError.nonFinite("the cotangent")
        }
        let costbar = cotangent.cost
        let balanced = problem.isBalanced
        if balanced {
            let delta = fbar.reduce(0, +) - gbar.reduce(0, +)
            for j in 0..<m { gbar[j] += delta / Double(m) }
        }
        var zf = [Double](repeating: 0, count: n), zg = [Double](repeating: 0, count: m)
        var report = LinearSolveReport(method: "none")
        if fbar.contains(where: { $0 != 0 }) || gbar.contains(where: { $0 != 0 }) {
            (zf, zg, report) = try solvePotentialSystem(fbar, gbar, options: options)
        }
        // The gradient's sums in one pass: P [v, v o y, y] and P' [u, u o x, x].
        let k = 1 + 2 * d
        var rowSide = [Double](repeating: 0, count: n * k), columnSide = [Double](repeating: 0, count: m * k)
        for i in 0..<n {
            let u = zf[i] + costbar
            rowSide[i * k] = u
            for c in 0..<d {
                rowSide[i * k + 1 + c] = u * kernel.x[i * d + c]
                rowSide[i * k + 1 + d + c] = kernel.x[i * d + c]
            }
        }
        for j in 0..<m {
            let v = zg[j]
            columnSide[j * k] = v
            for c in 0..<d {
                columnSide[j * k + 1 + c] = v * kernel.y[j * d + c]
                columnSide[j * k + 1 + d + c] = kernel.y[j * d + c]
            }
        }
        let sums = kernel.weightedPass(f: f.scalars, g: g.scalars, epsilon: eps, rowSide: rowSide, columnSide: columnSide, width: k)
        let pv = sums.planTimesColumnSide, ptu = sums.planTransposedTimesRowSide
        var xbar = [Double](repeating: 0, count: n * d), ybar = [Double](repeating: 0, count: m * d)
        for i in 0..<n {
            let u = zf[i] + costbar
            let rowTotal = u * rowSums[i] + pv[i * k]                       // (Cbar 1)_i
            for c in 0..<d {
                let cy = u * pv[i * k + 1 + d + c] + pv[i * k + 1 + c]      // (Cbar y)_i
                xbar[i * d + c] = 2 * (rowTotal * kernel.x[i * d + c] - cy)
            }
        }
        for j in 0..<m {
            let v = zg[j]
            let columnTotal = ptu[j * k] + v * columnSums[j]                // (Cbar' 1)_j
            for c in 0..<d {
                let cx = ptu[j * k + 1 + c] + v * ptu[j * k + 1 + d + c]    // (Cbar' x)_j
                ybar[j * d + c] = 2 * (columnTotal * kernel.y[j * d + c] - cx)
            }
        }
        var epsbar = costbar * entropyTerm
        for i in 0..<n { epsbar += zf[i] * sums.rowPlogP[i] }
        for j in 0..<m { epsbar += zg[j] * sums.columnPlogP[j] }
        var abar = (eps * Vector(zf) + costbar * f).projectedToZeroSum(), bbar = (eps * Vector(zg) + costbar * g).projectedToZeroSum()
        if !balanced {
            let ga = costGradient.a, gb = costGradient.b
            let (ka, kb) = (problem.relaxationA.kappa, problem.relaxationB.kappa)
            abar = Vector((0..<n).map { i in eps * rowTargets[i] / problem.a[i] * zf[i] + costbar * ga[i] })
            bbar = Vector((0..<m).map { j in eps * columnTargets[j] / problem.b[j] * zg[j] + costbar * gb[j] })
            for i in 0..<n { epsbar += ka / eps * zf[i] * rowTargets[i] * f[i] }
            for j in 0..<m { epsbar += kb / eps * zg[j] * columnTargets[j] * g[j] }
        }
        let gradient = SinkhornParameterTangent(
            x: Matrix(rows: n, columns: d, scalars: xbar), y: Matrix(rows: m, columns: d, scalars: ybar),
            a: abar, b: bbar, epsilon: epsbar)
        guard gradient.x.isFinite, gradient.y.isFinite, gradient.a.isFinite, gradient.b.isFinite, epsbar.isFinite else {
            throw ImplicitDifferentiationError.nonFinite("the gradient")
        }
        return (gradient, report)
    }

    /// `K z = (rf, rg)` by the core's Jacobi-preconditioned CG, `K v` by one blocked pass.
    func solvePotentialSystem(_ rf: [Double], _ rg: [Double], options: ImplicitOptions) throws
        -> (f: [Double], g: [Double], report: LinearSolveReport) {
        let n = kernel.n, m = kernel.m, eps = problem.epsilon
        // The diagonal blocks: P 1 and P' 1 (plus kappa s when unbalanced, K_u).
        let (rows, columns) = conditionDiagonals
        let (kernel, f, g) = (self.kernel, self.f.scalars, self.g.scalars)
        let system = FunctionOperator(rows: n + m, columns: n + m, apply: { v in
            let vf = Array(v.scalars[0..<n]), vg = Array(v.scalars[n...])
            let s = kernel.weightedPass(f: f, g: g, epsilon: eps, rowSide: vf, columnSide: vg, width: 1)
            var out = [Double](repeating: 0, count: n + m)
            for i in 0..<n { out[i] = rows[i] * vf[i] + s.planTimesColumnSide[i] }
            for j in 0..<m { out[n + j] = s.planTransposedTimesRowSide[j] + columns[j] * vg[j] }
            return Vector(out)
        })
        // K is symmetric positive semidefinite (definite when unbalanced) and every
        // right-hand side is consistent: CG unless another Krylov method is asked for;
        // never dense (forming K would cost the n x m memory this path avoids).
        var krylov = options
        if krylov.linearSolver == .automatic || krylov.linearSolver == .direct { krylov.linearSolver = .cg }
        krylov.linearMaxIterations = options.linearMaxIterations ?? Swift.max(10 * (n + m), 1000)
        let solver = try ImplicitLinearSystem(operator: system, isSymmetric: true, isPositiveDefinite: true,
                                              preconditioner: .jacobi(diagonal: Vector(rows + columns)), options: krylov)
        let (solution, report) = try solver.solve(Vector(rf + rg))
        let z = solution.scalars
        return (Array(z[0..<n]), Array(z[n...]), report)
    }
}

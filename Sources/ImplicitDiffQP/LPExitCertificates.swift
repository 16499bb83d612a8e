extension LinearProgram {
    /// Checks GLPK's verdict "unbounded" before it is reported, with a certificate
    /// computed and verified independently of the run that gave the verdict:
    /// * a feasible point `z0`: the vertex of `min 0'z` over the same constraints, whose
    ///   relative primal residual (as in ``LPCertificate``) must be at most `tol`;
    /// * a ray `d`: the vertex of `min c'd  s.t.  A d = 0,  G d <= 0,  -1 <= d <= 1`, with
    ///   ```
    ///   c'd <= -tol (|c|'|d|),   |A_i d| and max(G_i d, 0) <= tol (sum_j |K_ij d_j| + max_j |K_ij| ||d||_inf)
    ///   ```
    ///   so that `z0 + t d` stays feasible and `c'(z0 + t d) -> -inf`.
    /// Returns the error to throw: ``LPError/unbounded(_:)`` with the figures when both
    /// pass, ``LPError/infeasible(_:)`` when the feasibility problem is certified
    /// infeasible, ``LPError/notConverged(_:)`` otherwise (GLPK's verdict is not confirmed).
    func certifiedUnbounded(_ glpkMessage: String, options: LPOptions) -> LPError {
        let n = c.count, tol = options.certificateTolerance
        let z0: Vector
        do {
            let feasibility = try LinearProgram(c: .zeros(n), A: A, b: b, G: G, h: h)
            z0 = try feasibility.solve(options: options, certifyingExits: false).z
        } catch LPError.infeasible(let why) {
            return certifiedInfeasible(why, options: options)
        } catch {
            return .notConverged("GLPK reported an unbounded problem (\(glpkMessage)), but no feasible point could be "
                                 + "found to confirm it: \(error)")
        }
        let ray: Vector
        do {
            // Solver form: rows A d = 0 and G d <= 0, columns -1 <= d_j <= 1 (column bounds,
            // so nothing of size n x n is formed).
            let p = A.rows, m = G.rows
            let form = LPSolverForm(
                objective: c.scalars, matrix: LPSparseRows(stacking: [A, G], columns: n),
                rowLower: [Double](repeating: 0, count: p) + [Double](repeating: -.infinity, count: m),
                rowUpper: [Double](repeating: 0, count: p + m),
                columnLower: [Double](repeating: -1, count: n), columnUpper: [Double](repeating: 1, count: n),
                rowName: { i in i < p ? "ray equality row \(i)" : "ray inequality row \(i - p)" },
                columnName: { j in "ray component d[\(j)]" })
            ray = Vector(try form.solve(options: options).x)
        } catch {
            return .notConverged("GLPK reported an unbounded problem (\(glpkMessage)), but the search for a ray failed: \(error)")
        }
        let feasibility = LPCertificate.check(self, z: z0, lambda: .zeros(A.rows), mu: .zeros(G.rows), tolerance: tol).primal
        let (descent, rayResidual) = rayFigures(ray)
        let figures = "feasible point with relative primal residual \(shortNumber(feasibility)); ray d with "
            + "c'd / (|c|'|d|) = \(shortNumber(descent)) and relative residual of A d = 0, G d <= 0 \(shortNumber(rayResidual))"
        guard feasibility <= tol, descent <= -tol, rayResidual <= tol else {
            return .notConverged("GLPK reported an unbounded problem (\(glpkMessage)), but the check does not confirm it: "
                                 + figures + " (tolerance \(shortNumber(tol)))")
        }
        return .unbounded("the objective decreases without bound along a ray from a feasible point (certified: \(figures))")
    }

    /// `c'd / (|c|'|d|)` and the worst relative residual of `A d = 0`, `G d <= 0`.
    private func rayFigures(_ d: Vector) -> (descent: Double, residual: Double) {
        let n = c.count
        let dNorm = d.maxNorm
        var cd = 0.0, cdMagnitude = 0.0
        for j in 0..<n {
            cd += c[j] * d[j]
            cdMagnitude += abs(c[j] * d[j])
        }
        var residual = 0.0
        func rows(_ k: Matrix, equality: Bool) {
            for i in 0..<k.rows {
                var s = 0.0, magnitude = 0.0, rowMax = 0.0
                for j in 0..<n {
                    let v = k[i, j]
                    s += v * d[j]
                    magnitude += abs(v * d[j])
                    rowMax = max(rowMax, abs(v))
                }
                let violation = equality ? abs(s) : max(s, 0)
                let scale = magnitude + rowMax * dNorm
                if violation > 0 { residual = max(residual, scale > 0 ? violation / scale : .infinity) }
            }
        }
        rows(A, equality: true)
        rows(G, equality: false)
        return (cdMagnitude > 0 ? cd / cdMagnitude : 0, residual)
    }

    /// Checks GLPK's verdict "infeasible" with a Farkas certificate: the vertex
    /// `(lambda, mu)` of
    /// ```
    /// minimize b'lambda + h'mu   s.t.   A'lambda + G'mu = 0,   -1 <= lambda <= 1,   0 <= mu <= 1
    /// ```
    /// with `b'lambda + h'mu <= -tol (|b|'|lambda| + |h|'|mu|)` and
    /// `|(A'lambda + G'mu)_j| <= tol (sum_i |K_ij y_i| + max_i |K_ij| ||y||_inf)`: then every
    /// `z` with `A z = b`, `G z <= h` would give `0 = y'K z <= b'lambda + h'mu < 0`.
    /// Returns ``LPError/infeasible(_:)`` with the figures, or ``LPError/notConverged(_:)``
    /// when the certificate is not found.
    func certifiedInfeasible(_ glpkMessage: String, options: LPOptions) -> LPError {
        let n = c.count, p = A.rows, m = G.rows, k = p + m, tol = options.certificateTolerance
        guard k > 0 else {
            return .notConverged("GLPK reported an infeasible problem (\(glpkMessage)) without constraints")
        }
        let y: Vector
        do {
            // Solver form: variables y = [lambda; mu] with column bounds, rows K'y = 0 (n x k,
            // the transpose of the sparse [A; G]).
            let kRows = LPSparseRows(stacking: [A, G], columns: n)
            var start = [Int](repeating: 0, count: n + 1)
            for j in kRows.columnIndices { start[j + 1] += 1 }
            for j in 0..<n { start[j + 1] += start[j] }
            var next = start, columns = [Int](repeating: 0, count: kRows.values.count)
            var values = [Double](repeating: 0, count: kRows.values.count)
            for i in 0..<k {
                for e in kRows.rowStart[i]..<kRows.rowStart[i + 1] {
                    let j = kRows.columnIndices[e]
                    columns[next[j]] = i
                    values[next[j]] = kRows.values[e]
                    next[j] += 1
                }
            }
            let form = LPSolverForm(
                objective: b.scalars + h.scalars,
                matrix: LPSparseRows(rowCount: n, columnCount: k, rowStart: start, columnIndices: columns, values: values),
                rowLower: [Double](repeating: 0, count: n), rowUpper: [Double](repeating: 0, count: n),
                columnLower: [Double](repeating: -1, count: p) + [Double](repeating: 0, count: m),
                columnUpper: [Double](repeating: 1, count: k),
                rowName: { j in "Farkas row \(j)" },
                columnName: { i in i < p ? "Farkas lambda[\(i)]" : "Farkas mu[\(i - p)]" })
            y = Vector(try form.solve(options: options).x)
        } catch {
            return .notConverged("GLPK reported an infeasible problem (\(glpkMessage)), but the search for a Farkas "
                                 + "certificate failed: \(error)")
        }
        var by = 0.0, byMagnitude = 0.0
        for i in 0..<p {
            by += b[i] * y[i]
            byMagnitude += abs(b[i] * y[i])
        }
        for i in 0..<m {
            by += h[i] * y[p + i]
            byMagnitude += abs(h[i] * y[p + i])
        }
        let yNorm = y.maxNorm
        var residual = 0.0
        for j in 0..<n {
            var s = 0.0, magnitude = 0.0, columnMax = 0.0
            for i in 0..<p {
                s += A[i, j] * y[i]
                magnitude += abs(A[i, j] * y[i])
                columnMax = max(columnMax, abs(A[i, j]))
            }
            for i in 0..<m {
                s += G[i, j] * y[p + i]
                magnitude += abs(G[i, j] * y[p + i])
                columnMax = max(columnMax, abs(G[i, j]))
            }
            let scale = magnitude + columnMax * yNorm
            if s != 0 { residual = max(residual, scale > 0 ? abs(s) / scale : .infinity) }
        }
        let negativeMu = (0..<m).reduce(0.0) { max($0, -y[p + $1]) } / max(yNorm, .leastNormalMagnitude)
        let ratio = byMagnitude > 0 ? by / byMagnitude : 0
        let figures = "multipliers with (b'lambda + h'mu) / (|b|'|lambda| + |h|'|mu|) = \(shortNumber(ratio)), relative "
            + "residual of A'lambda + G'mu = 0 \(shortNumber(residual)), relative negative part of mu \(shortNumber(negativeMu))"
        guard ratio <= -tol, residual <= tol, negativeMu <= tol else {
            return .notConverged("GLPK reported an infeasible problem (\(glpkMessage)), but the check does not confirm it: "
                                 + figures + " (tolerance \(shortNumber(tol)))")
        }
        return .infeasible("no point satisfies the constraints (certified by Farkas' lemma: \(figures))")
    }
}

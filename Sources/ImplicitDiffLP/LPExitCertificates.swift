extension LinearProgram {
    /// Checks GLPK's verdict "unbounded" before it is reported, with a certificate
    /// computed and verified independently of the run that gave the verdict:
    /// * a feasible point `z0`: the vertex of `min 0'z` over the same constraints, whose
    ///   relative primal residual (as in ``LPCertificate``) must be at most `tol`;
    /// * a ray `d = S e`: `e` the vertex of `min (S c)'e  s.t.  R A S e = 0,  R G S e <= 0,
    ///   -1 <= e <= 1`, where `R`, `S` are the powers of two that equilibrate `K = [A; G]`
    ///   (see `LPSparseRows.equilibration()`), with, in those terms (`K~ = R K S`),
    ///   ```
    ///   c'd <= -tol (|c|'|d|),   |K~_i e| (equalities) and max(K~_i e, 0) <= tol (sum_j |K~_ij e_j| + max_j |K~_ij| ||e||_inf)
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
        let rayCheck: (descent: Double, residual: Double)
        do {
            // Solver form in e = S^-1 d: rows R A S e = 0 and R G S e <= 0, column bounds
            // -1 <= e_j <= 1 (nothing of size n x n is formed), with R, S the powers of two
            // that equilibrate K = [A; G] (the rows are homogeneous, so R is free, and S
            // sizes the box to the columns): a badly scaled K gives a well-scaled problem.
            let p = A.rows, m = G.rows
            let k = LPSparseRows(stacking: [A, G], columns: n)
            let (rowScale, columnScale) = k.equilibration()
            let form = LPSolverForm(
                objective: (0..<n).map { c[$0] * columnScale[$0] }, matrix: k.scaled(rows: rowScale, columns: columnScale),
                rowLower: [Double](repeating: 0, count: p) + [Double](repeating: -.infinity, count: m),
                rowUpper: [Double](repeating: 0, count: p + m),
                columnLower: [Double](repeating: -1, count: n), columnUpper: [Double](repeating: 1, count: n),
                rowName: { i in i < p ? "ray equality row \(i)" : "ray inequality row \(i - p)" },
                columnName: { j in "ray component d[\(j)]" })
            let e = try form.solve(options: options).x
            rayCheck = rayFigures(e, objective: form.objective, scaled: form.matrix, equalities: p)
        } catch {
            return .notConverged("GLPK reported an unbounded problem (\(glpkMessage)), but the search for a ray failed: \(error)")
        }
        let feasibility = LPCertificate.check(self, z: z0, lambda: .zeros(A.rows), mu: .zeros(G.rows), tolerance: tol).primal
        let (descent, rayResidual) = rayCheck
        let figures = "feasible point with relative primal residual \(shortNumber(feasibility)); ray d with "
            + "c'd / (|c|'|d|) = \(shortNumber(descent)) and relative residual of A d = 0, G d <= 0 \(shortNumber(rayResidual))"
        guard feasibility <= tol, descent <= -tol, rayResidual <= tol else {
            return .notConverged("GLPK reported an unbounded problem (\(glpkMessage)), but the check does not confirm it: "
                                 + figures + " (tolerance \(shortNumber(tol)))")
        }
        return .unbounded("the objective decreases without bound along a ray from a feasible point (certified: \(figures))")
    }

    /// `c'd / (|c|'|d|)` and the worst relative residual of `A d = 0`, `G d <= 0`, for
    /// `d = S e`, computed in the equilibrated form `K~ = R K S` (`scaled`, whose first
    /// `equalities` rows are `A`'s), so that the figures do not depend on the scaling:
    /// `|K~_i e| (or its positive part) / (sum_j |K~_ij e_j| + max_j |K~_ij| ||e||_inf)`.
    private func rayFigures(_ e: [Double], objective: [Double], scaled: LPSparseRows,
                            equalities p: Int) -> (descent: Double, residual: Double) {
        let eNorm = e.reduce(0) { max($0, abs($1)) }
        // c'd = (S c)'e: `objective` is the scaled ray problem's S c.
        var cd = 0.0, cdMagnitude = 0.0
        for j in 0..<e.count {
            let term = objective[j] * e[j]
            cd += term
            cdMagnitude += abs(term)
        }
        var residual = 0.0
        for i in 0..<scaled.rowCount {
            var s = 0.0, magnitude = 0.0, rowMax = 0.0
            for k in scaled.rowStart[i]..<scaled.rowStart[i + 1] {
                let v = scaled.values[k], x = e[scaled.columnIndices[k]]
                s += v * x
                magnitude += abs(v * x)
                rowMax = max(rowMax, abs(v))
            }
            let violation = i < p ? abs(s) : max(s, 0)
            let scale = magnitude + rowMax * eNorm
            if violation > 0 { residual = max(residual, scale > 0 ? violation / scale : .infinity) }
        }
        return (cdMagnitude > 0 ? cd / cdMagnitude : 0, residual)
    }

    /// Checks GLPK's verdict "infeasible" with a Farkas certificate `y = (lambda, mu) = R w`,
    /// `w` the vertex of
    /// ```
    /// minimize (R [b; h])'w   s.t.   (R K S)'w = 0,   -1 <= w_lambda <= 1,   0 <= w_mu <= 1
    /// ```
    /// (`R`, `S` the powers of two that equilibrate `K = [A; G]`; `mu`'s negative part at
    /// GLPK's tolerance is dropped), with `b'lambda + h'mu <= -tol (|b|'|lambda| + |h|'|mu|)`
    /// and, in the equilibrated terms `K~ = R K S`,
    /// `|(K~'w)_j| <= tol (sum_i |K~_ij w_i| + max_i |K~_ij| ||w||_inf)`: then every
    /// `z` with `A z = b`, `G z <= h` would give `0 = y'K z <= b'lambda + h'mu < 0`.
    /// Returns ``LPError/infeasible(_:)`` with the figures, or ``LPError/notConverged(_:)``
    /// when the certificate is not found.
    func certifiedInfeasible(_ glpkMessage: String, options: LPOptions) -> LPError {
        let n = c.count, p = A.rows, m = G.rows, k = p + m, tol = options.certificateTolerance
        guard k > 0 else {
            return .notConverged("GLPK reported an infeasible problem (\(glpkMessage)) without constraints")
        }
        // Solver form in w = R^-1 y: rows (R K S)' w = 0 (n x k, the transpose of the
        // equilibrated sparse [A; G]), column bounds on w, objective (R [b; h])' w.
        let kOriginal = LPSparseRows(stacking: [A, G], columns: n)
        let (rowScale, columnScale) = kOriginal.equilibration()
        let kRows = kOriginal.scaled(rows: rowScale, columns: columnScale)
        let y: Vector
        do {
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
            let rhs = b.scalars + h.scalars
            let form = LPSolverForm(
                objective: (0..<k).map { rhs[$0] * rowScale[$0] },
                matrix: LPSparseRows(rowCount: n, columnCount: k, rowStart: start, columnIndices: columns, values: values),
                rowLower: [Double](repeating: 0, count: n), rowUpper: [Double](repeating: 0, count: n),
                columnLower: [Double](repeating: -1, count: p) + [Double](repeating: 0, count: m),
                columnUpper: [Double](repeating: 1, count: k),
                rowName: { j in "Farkas row \(j)" },
                columnName: { i in i < p ? "Farkas lambda[\(i)]" : "Farkas mu[\(i - p)]" })
            let w = try form.solve(options: options).x
            // mu >= 0 holds to GLPK's tolerance only: its negative part is dropped (the
            // residual below is computed for the vector actually checked).
            y = Vector((0..<k).map { i in (i < p ? w[i] : max(w[i], 0)) * rowScale[i] })
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
        // The residual of K'y = 0, column by column, in the equilibrated form (R K S)' w.
        let w = (0..<k).map { y[$0] / rowScale[$0] }
        let wNorm = w.reduce(0) { max($0, abs($1)) }
        var sum = [Double](repeating: 0, count: n), magnitude = [Double](repeating: 0, count: n)
        var columnMax = [Double](repeating: 0, count: n)
        for i in 0..<k {
            for e in kRows.rowStart[i]..<kRows.rowStart[i + 1] {
                let j = kRows.columnIndices[e], v = kRows.values[e]
                sum[j] += v * w[i]
                magnitude[j] += abs(v * w[i])
                columnMax[j] = max(columnMax[j], abs(v))
            }
        }
        var residual = 0.0
        for j in 0..<n where sum[j] != 0 {
            let scale = magnitude[j] + columnMax[j] * wNorm
            residual = max(residual, scale > 0 ? abs(sum[j]) / scale : .infinity)
        }
        let yNorm = y.maxNorm
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

extension LPSparseRows {
    /// The power of two nearest `1 / sqrt(small * large)` (or `1 / large` when `small` is
    /// nil), 1 for an empty line: one scaling step of ``equilibration()`` (and of the
    /// basis LU's dense equilibration).
    static func equilibrationFactor(_ small: Double?, _ large: Double) -> Double {
        guard large > 0, large.isFinite else { return 1 }
        let target = small.map { ($0 * large).squareRoot() } ?? large
        guard target > 0, target.isFinite else { return 1 }
        return Double(sign: .plus, exponent: -target.exponent, significand: 1)
    }

    /// Powers of two `(R, S)` that equilibrate `R K S`: up to eight rounds of geometric-mean
    /// scaling (each row, then each column, divided by the power of two nearest
    /// `sqrt(min |K_ij| max |K_ij|)` over its non-zeros; this undoes row and column scalings
    /// spread over many orders of magnitude in a few rounds, where max-norm passes alone
    /// creep), then one round that brings every row and column max-norm into `[1, 2)`.
    /// Empty rows and columns keep 1. Cost: a few passes over the non-zeros.
    func equilibration() -> (rows: [Double], columns: [Double]) {
        var rows = [Double](repeating: 1, count: rowCount), columns = [Double](repeating: 1, count: columnCount)
        let factor = Self.equilibrationFactor
        func round(geometric: Bool) -> Bool {
            var changed = false
            for i in 0..<rowCount {
                var small = Double.infinity, large = 0.0
                for e in rowStart[i]..<rowStart[i + 1] where values[e] != 0 {
                    let v = abs(values[e] * rows[i] * columns[columnIndices[e]])
                    small = Swift.min(small, v)
                    large = Swift.max(large, v)
                }
                let f = factor(geometric ? small : nil, large)
                if f != 1 { rows[i] *= f; changed = true }
            }
            var small = [Double](repeating: .infinity, count: columnCount), large = [Double](repeating: 0, count: columnCount)
            for i in 0..<rowCount {
                for e in rowStart[i]..<rowStart[i + 1] where values[e] != 0 {
                    let j = columnIndices[e], v = abs(values[e] * rows[i] * columns[j])
                    small[j] = Swift.min(small[j], v)
                    large[j] = Swift.max(large[j], v)
                }
            }
            for j in 0..<columnCount {
                let f = factor(geometric ? small[j] : nil, large[j])
                if f != 1 { columns[j] *= f; changed = true }
            }
            return changed
        }
        for _ in 0..<8 {
            if !round(geometric: true) { break }
        }
        _ = round(geometric: false)
        return (rows, columns)
    }

    /// `R K S` for diagonal `R` (`rows`) and `S` (`columns`).
    func scaled(rows: [Double], columns: [Double]) -> LPSparseRows {
        var v = values
        for i in 0..<rowCount {
            for e in rowStart[i]..<rowStart[i + 1] { v[e] *= rows[i] * columns[columnIndices[e]] }
        }
        return LPSparseRows(rowCount: rowCount, columnCount: columnCount, rowStart: rowStart, columnIndices: columnIndices, values: v)
    }
}

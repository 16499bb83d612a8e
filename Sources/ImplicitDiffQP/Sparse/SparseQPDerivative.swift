import ImplicitDiffCore

/// The derivative of a sparse QP's solution map at a solution, by the implicit function
/// theorem on the KKT conditions restricted to the active set.
///
/// With `F` the variables not fixed at a bound, `B` the fixed ones (`z_B = g_B`, each
/// `g_j` its binding bound `lb_j` or `ub_j`), `a` the active rows (`A_a z = g_a`, each
/// `g_i` its binding side `l_i` or `u_i`; an equality row binds on `u_i` when `y_i >= 0`,
/// else on `l_i`), the solution `(z, y)` solves
/// ```
/// (P z + q + A'y)_F = 0,   z_B = g_B,   A_a z = g_a,   y_i = 0 (i inactive)
/// ```
/// and the bound multipliers are `w_B = -(P z + q + A'y)_B`. Its Jacobian is the reduced
/// KKT matrix `K = [P_FF A_aF'; A_aF 0]` (``SparseQPReducedKKT``, factorised once, by the
/// polish) with the fixed variables eliminated:
/// ```
/// reverse:  K [v_F; v_a] = [zbar_F; ybar_a],   v = (v_F, 0 on B)
///           v_B = zbar_B - (P v)_B - (A_a' v_a)_B
///           qbar = -v,   gbar_B = v_B,   gbar_a = v_a
///           Pbar_ij = -(v_i z_j + z_i v_j)/2,   Abar_ij = -(y_i v_j + v_a,i z_j)   (on the patterns)
/// forward:  dz_B = dg_B,   K [dz_F; dy_a] = [-(dP z + dq + dA'y + P dz_B)_F;  dg_a - (dA z + A dz_B)_a]
/// ```
/// Exact when the active rows restricted to `F` are linearly independent, `P_FF` is
/// positive definite on their null space and complementarity is strict. At a weakly
/// active constraint (``SparseQPActiveSet/weaklyActiveRows``) the map has a kink:
/// ``QPWeaklyActivePolicy/reject`` (default) throws ``QPError/notDifferentiable(_:)``
/// naming it; the other policies give the one-sided derivatives. A singular `K`
/// (dependent active rows, non-unique minimiser) throws, naming the rows found by a
/// null-space probe: `K^-1 p` for a fixed generic `p` must refine to a relative residual
/// below `1e-9`. The probe is not a solve of its own: it is refined together with the
/// first solve that needs `K` (the first pullback, pushforward, or
/// ``requireNonsingular()``), sharing its passes over `K` and its factors, and its verdict
/// is kept for every later solve.
///
/// Cost: the factorisation is the solver's (the polish's, on the solver's AMD ordering and
/// symbolic analysis; a new numeric factorisation only when the weak-activity policy
/// changes the active set). A pullback or pushforward is one refined solve with it:
/// refinement stops at relative residual ``solveTolerance`` (typically two passes), the
/// first one carrying the probe as a second right-hand side.
public struct SparseQPDerivative: Sendable {
    /// The state, behind one reference: a copy of a derivative is one retain, not one per
    /// array of the solution and the factorisation.
    final class Storage: Sendable {
        let solution: SparseQPSolution
        let kkt: SparseQPReducedKKT
        let sides: SparseQPActiveSet
        let nonsingularity = SparseQPNonsingularity()

        init(solution: SparseQPSolution, kkt: SparseQPReducedKKT, sides: SparseQPActiveSet) {
            self.solution = solution
            self.kkt = kkt
            self.sides = sides
        }
    }

    let storage: Storage
    /// The solution differentiated.
    public var solution: SparseQPSolution { storage.solution }
    /// The factorised reduced KKT system in use.
    public var kkt: SparseQPReducedKKT { storage.kkt }
    /// The binding side of every row and bound (after the weak-activity policy).
    public var sides: SparseQPActiveSet { storage.sides }

    /// Whether the reduced KKT matrix was found nonsingular (decided by the first solve).
    var nonsingularity: SparseQPNonsingularity { storage.nonsingularity }
    /// Relative residual at which the refinement of a derivative solve stops (the
    /// contract's default linear tolerance is `1e-10`).
    public static let solveTolerance = 1e-13
    /// The probe's residual threshold: above it, `K` is singular.
    static let singularityThreshold = 1e-9

    /// Prepares the derivative (reusing the polish's factorisation when the active set is
    /// the solver's).
    ///
    /// - Throws: ``QPError/notDifferentiable(_:)`` at a weakly active constraint (policy
    ///   ``QPWeaklyActivePolicy/reject``) or when the reduced KKT matrix cannot be
    ///   factorised. A singular reduced KKT matrix is refused by the first solve (or by
    ///   ``requireNonsingular()``).
    public init(solution s: SparseQPSolution, policy: QPWeaklyActivePolicy = .reject) throws {
        let p = s.problem
        var rows = s.activeSet.rows, bounds = s.activeSet.bounds
        let weakRows = s.activeSet.weaklyActiveRows, weakBounds = s.activeSet.weaklyActiveBounds
        if !weakRows.isEmpty || !weakBounds.isEmpty {
            switch policy {
            case .reject:
                var parts = [String]()
                if let i = weakRows.first {
                    let az = p.A * s.z
                    parts.append("row \(i) is weakly active (A_i z = \(az[i]), l_i = \(p.l[i]), u_i = \(p.u[i]), multiplier y_i = \(s.y[i]))" + (weakRows.count > 1 ? " (weakly active rows: \(weakRows))" : ""))
                }
                if let j = weakBounds.first {
                    parts.append("the bound of variable \(j) is weakly active (z_j = \(s.z[j]), lb_j = \(p.lb[j]), ub_j = \(p.ub[j]), multiplier w_j = \(s.w[j]))" + (weakBounds.count > 1 ? " (weakly active bounds: \(weakBounds))" : ""))
                }
                throw QPError.notDifferentiable(parts.joined(separator: "; ") + ": the solution map has a kink there (a one-sided derivative: QPWeaklyActivePolicy .treatAsInactive or .treatAsActive; in the CLI, options.weakly_active = \"inactive\" or \"active\")")
            case .treatAsInactive:
                for i in weakRows where rows[i] != .equality { rows[i] = .inactive }
                for j in weakBounds where bounds[j] != .equality { bounds[j] = .inactive }
            case .treatAsActive:
                let az = p.A * s.z
                for i in weakRows where rows[i] == .inactive { rows[i] = abs(p.u[i] - az[i]) <= abs(az[i] - p.l[i]) ? .upper : .lower }
                for j in weakBounds where bounds[j] == .inactive { bounds[j] = abs(p.ub[j] - s.z[j]) <= abs(s.z[j] - p.lb[j]) ? .upper : .lower }
            }
        }
        // Equality rows bind on the side their multiplier points to.
        for i in 0..<p.rowCount where rows[i] == .equality { rows[i] = s.y[i] >= 0 ? .upper : .lower }
        for j in 0..<p.variableCount where bounds[j] == .equality { bounds[j] = s.w[j] >= 0 ? .upper : .lower }
        let k: SparseQPReducedKKT
        if let r = s.reducedKKT, Self.matches(r, rows: rows, bounds: bounds) {
            k = r
        } else {
            k = try SparseQPReducedKKT(scaling: s.scaling, matrix: s.kktMatrix, symbolic: s.symbolic,
                                       free: bounds.map { $0 == .inactive }, activeRows: rows.map { $0 != .inactive })
        }
        storage = Storage(solution: s, kkt: k, sides: SparseQPActiveSet(rows: rows, bounds: bounds))
    }

    /// Whether `k` was factorised on the active set with these sides (free variables:
    /// inactive bounds; active rows: any side but inactive).
    static func matches(_ k: SparseQPReducedKKT, rows: [SparseQPActiveSet.Side], bounds: [SparseQPActiveSet.Side]) -> Bool {
        guard k.free.count == bounds.count, k.activeRows.count == rows.count else { return false }
        for j in 0..<bounds.count where k.free[j] != (bounds[j] == .inactive) { return false }
        for i in 0..<rows.count where k.activeRows[i] != (rows[i] != .inactive) { return false }
        return true
    }

    /// Throws ``QPError/notDifferentiable(_:)`` when the reduced KKT matrix is singular
    /// (dependent active rows, or a minimiser that is not unique), naming the rows or
    /// variables; runs the null-space probe on its own if no solve has decided yet.
    public func requireNonsingular() throws {
        switch nonsingularity.current {
        case .nonsingular: return
        case let .singular(e): throw e
        case .unknown:
            try decide(probeResidual: storage.kkt.probe(tolerance: Self.singularityThreshold / 10).residual)
        }
    }

    /// Records the probe's verdict; throws the refusal when `K` is singular.
    func decide(probeResidual: Double) throws {
        guard probeResidual > Self.singularityThreshold else { nonsingularity.record(.nonsingular); return }
        let e = Self.singularityError(kkt, probeResidual: probeResidual)
        nonsingularity.record(.singular(e))
        throw e
    }

    /// `K^-1 [bx; by]` refined to ``solveTolerance``; the first call decides
    /// nonsingularity on the way (the probe as a second right-hand side).
    func solveChecked(bx: [Double], by: [Double]) throws -> (x: [Double], y: [Double], residual: Double) {
        switch nonsingularity.current {
        case .nonsingular: return storage.kkt.solve(bx: bx, by: by, tolerance: Self.solveTolerance)
        case let .singular(e): throw e
        case .unknown:
            let r = storage.kkt.solveWithProbe(bx: bx, by: by, tolerance: Self.solveTolerance,
                                       probeTolerance: Self.singularityThreshold / 10)
            try decide(probeResidual: r.probeResidual)
            return (r.x, r.y, r.residual)
        }
    }

    /// The refusal at a singular `K` whose probe refined only to `probeResidual`: the rows
    /// (or variables) where the regularised probe solution is largest, within a factor 100
    /// of the largest, span the null space and are named.
    static func singularityError(_ k: SparseQPReducedKKT, probeResidual: Double) -> QPError {
        let n = k.free.count, m = k.activeRows.count
        let raw = k.probe(steps: 0, tolerance: 0)
        let ymax = (0..<m).filter { k.activeRows[$0] }.map { abs(raw.y[$0]) }.max() ?? 0
        let xmax = (0..<n).filter { k.free[$0] }.map { abs(raw.x[$0]) }.max() ?? 0
        if ymax >= xmax {
            let rows = (0..<m).filter { k.activeRows[$0] && abs(raw.y[$0]) >= 0.01 * ymax }
            return QPError.notDifferentiable("the active rows \(rows.prefix(20))\(rows.count > 20 ? " (\(rows.count) in all)" : "") are linearly dependent (on the variables not fixed at a bound), so y is not unique (the reduced KKT system refines only to a relative residual \(probeResidual))")
        }
        let vars = (0..<n).filter { k.free[$0] && abs(raw.x[$0]) >= 0.01 * xmax }
        return QPError.notDifferentiable("the minimiser is not unique: P is singular on the null space of the active rows along variables \(vars.prefix(20)) (the reduced KKT system refines only to a relative residual \(probeResidual))")
    }

    var fixedValues: [Double] {
        let p = storage.solution.problem
        return (0..<p.variableCount).map { j in
            switch storage.sides.bounds[j] {
            case .lower: return p.lb[j]
            case .upper, .equality: return p.ub[j]
            case .inactive: return 0
            }
        }
    }

    /// Reverse mode: the gradient of `L = <zbar, z> + <ybar, y>` with respect to the data
    /// (`ybar` on inactive rows contributes nothing: those multipliers are 0 nearby).
    ///
    /// - Throws: ``QPError/notDifferentiable(_:)`` when the reduced KKT matrix is singular.
    public func pullback(z zbar: Vector, y ybar: Vector? = nil) throws -> SparseQPParameters {
        try pullbackWithResidual(z: zbar, y: ybar).gradient
    }

    /// ``pullback(z:y:)`` with the relative residual of the (scaled, refined) KKT solve.
    /// With `matrices == false` the gradients with respect to `P` and `A` are left at zero
    /// (not computed: `O(nnz)` saved when only the vectors are wanted).
    public func pullbackWithResidual(z zbar: Vector, y ybar: Vector? = nil,
                                     matrices: Bool = true) throws -> (gradient: SparseQPParameters, residual: Double) {
        let p = storage.solution.problem, z = storage.solution.z, y = storage.solution.y
        let n = p.variableCount, m = p.rowCount
        let free = storage.kkt.free, activeRows = storage.kkt.activeRows
        let boundSides = storage.sides.bounds, rowSides = storage.sides.rows
        guard zbar.count == n, ybar.map({ $0.count == m }) ?? true else {
            throw QPError.dimensionMismatch("cotangents: z has \(n) entries, y has \(m)")
        }
        let yb = ybar ?? .zeros(m)
        let sol = try solveChecked(bx: zbar.scalars, by: yb.scalars)
        let v = Vector(sol.x), va = Vector(sol.y)
        var g = SparseQPParameters.zeros(like: p)
        for j in 0..<n { g.q[j] = -v[j] }
        if free.contains(false) {
            // v_B = zbar_B - (P v)_B - (A_a' v_a)_B on the fixed variables.
            let pv = p.P * v, atva = p.A.transposedTimes(va)
            for j in 0..<n where !free[j] {
                let vb = zbar[j] - pv[j] - atva[j]
                if boundSides[j] == .lower { g.lb[j] = vb } else { g.ub[j] = vb }
            }
        }
        for i in 0..<m where activeRows[i] {
            if rowSides[i] == .lower { g.l[i] = va[i] } else { g.u[i] = va[i] }
        }
        guard matrices else { return (g, sol.residual) }
        let a = p.P.patternGradient(left: v, right: z), b = p.P.patternGradient(left: z, right: v)
        for e in 0..<a.count { g.P[e] = -0.5 * (a[e] + b[e]) }
        let c = p.A.patternGradient(left: y, right: v), d = p.A.patternGradient(left: va, right: z)
        for e in 0..<c.count { g.A[e] = -(c[e] + d[e]) }
        return (g, sol.residual)
    }

    /// Forward mode: `(dz, dy)` along a tangent of the data (`dP` used as given: make it
    /// symmetric).
    public func pushforward(_ t: SparseQPParameters) throws -> (z: Vector, y: Vector) {
        let r = try pushforwardWithResidual(t)
        return (r.z, r.y)
    }

    /// ``pushforward(_:)`` with the relative residual of the (scaled, refined) KKT solve.
    public func pushforwardWithResidual(_ t: SparseQPParameters) throws -> (z: Vector, y: Vector, residual: Double) {
        let p = storage.solution.problem, z = storage.solution.z, y = storage.solution.y
        let n = p.variableCount, m = p.rowCount
        let free = storage.kkt.free, activeRows = storage.kkt.activeRows
        let boundSides = storage.sides.bounds, rowSides = storage.sides.rows
        guard t.P.count == p.P.nonZeroCount, t.A.count == p.A.nonZeroCount, t.q.count == n, t.lb.count == n,
              t.ub.count == n, t.l.count == m, t.u.count == m else {
            throw QPError.dimensionMismatch("the tangent does not fit the problem's shapes and patterns")
        }
        var dzB = [Double](repeating: 0, count: n)
        for j in 0..<n where !free[j] { dzB[j] = boundSides[j] == .lower ? t.lb[j] : t.ub[j] }
        let dP = p.P.withValues(t.P), dA = p.A.withValues(t.A)
        let dzb = Vector(dzB)
        let t1 = dP * z + t.q + dA.transposedTimes(y) + p.P * dzb
        let t2 = dA * z + p.A * dzb
        var bx = [Double](repeating: 0, count: n), by = [Double](repeating: 0, count: m)
        for j in 0..<n where free[j] { bx[j] = -t1[j] }
        for i in 0..<m where activeRows[i] { by[i] = (rowSides[i] == .lower ? t.l[i] : t.u[i]) - t2[i] }
        let sol = try solveChecked(bx: bx, by: by)
        var dz = sol.x
        for j in 0..<n where !free[j] { dz[j] = dzB[j] }
        return (Vector(dz), Vector(sol.y), sol.residual)
    }
}

extension SparseQPSolution {
    /// The derivative of the solution map here (see ``SparseQPDerivative``).
    public func derivative(policy: QPWeaklyActivePolicy = .reject) throws -> SparseQPDerivative {
        try SparseQPDerivative(solution: self, policy: policy)
    }
}

/// The fixed-point equations of proximal gradient at one point, and their linearisation.
/// Not API: ``ProximalGradient`` (Newton polish), ``ProximalSolution`` and
/// ``ProximalGradientConditions`` (derivatives) share it.
///
/// With `u = w - eta grad f(w)`, `J = d prox/du`, `H = d^2 f/dw^2`, `G = d grad f/d theta_f`,
/// `P = d prox/d theta_g`:
/// ```
/// F(w, theta) = w - prox_{eta g}(u)
/// A = dF/dw     = I - J (I - eta H)
/// B = dF/dtheta = [eta J G,  -P]
/// ```
/// When `J = diag(m)` is a mask (support `S = {i : m_i > 0}`), the rows are rescaled and
/// recombined by the invertible `T`,
/// ```
/// (T v)_S = v_S / (eta m_S) - H[S, off] v_off,      (T v)_off = v_off
/// ```
/// which leaves the zero set of `F` unchanged near the solution and makes the system
/// symmetric positive definite and block diagonal:
/// ```
/// T A = blockdiag(K_S, I),     K_S = diag((1 - m_S)/(eta m_S)) + H[S, S]
/// ```
/// (for the lasso: `K_S = X_S'X_S`, the restricted normal equations). The linearisation
/// handed to the core is `(T A, T B)`; the solution `dw = -(TA)^-1 TB dtheta` is the same.
struct FixedPointSystem<Smooth: SmoothObjective, Prox: ProximalOperator>: Sendable {
    let smooth: Smooth
    let prox: Prox
    let w: Vector
    let stepSize: Double
    let gradient: Vector
    /// `u = w - eta grad f(w)`.
    let point: Vector
    /// `F = w - prox(u)`.
    let residual: Vector
    let jacobian: ProxJacobian
    /// `S` when `J` is a mask, else `nil`.
    let support: [Int]?
    /// `m_S`.
    let weights: Vector
    /// `(1 - m_S) / (eta m_S)`.
    let shifts: Vector

    init(smooth: Smooth, prox: Prox, w: Vector, stepSize eta: Double) {
        self.smooth = smooth
        self.prox = prox
        self.w = w
        self.stepSize = eta
        gradient = smooth.gradient(at: w)
        var u = w
        u.add(gradient, scaledBy: -eta)
        point = u
        residual = w - prox.prox(u, stepSize: eta)
        let j = prox.jacobian(at: u, stepSize: eta)
        jacobian = j
        if j.isDiagonal {
            let d = j.diagonal.scalars
            let s = d.indices.filter { d[$0] > 0 }
            let m = Vector(s.map { d[$0] })
            support = s
            weights = m
            shifts = m.map { (1 - $0) / (eta * $0) }
        } else {
            support = nil
            weights = []
            shifts = []
        }
    }

    var dimension: Int { w.count }

    /// `||F|| / eta`, the norm of the gradient mapping.
    var residualNorm: Double { residual.norm / stepSize }

    /// How far `u` is from a kink of the prox (relative).
    var margin: Double { prox.differentiabilityMargin(at: point, stepSize: stepSize) }

    func hessian(_ v: Vector) -> Vector { smooth.hessianVectorProduct(at: w, v) }

    // MARK: Masked structure

    /// `v` with the entries on `S` set to zero.
    func offSupportPart(_ v: Vector, _ s: [Int]) -> Vector {
        var out = v.materialized(count: dimension)
        for i in s { out[i] = 0 }
        return out
    }

    /// `v` with the entries off `S` set to zero.
    func supportPart(_ v: Vector, _ s: [Int]) -> Vector {
        let full = v.materialized(count: dimension)
        var out = Vector.zeros(dimension)
        for i in s { out[i] = full[i] }
        return out
    }

    /// `T v` (masked case).
    func transform(_ v: Vector, _ s: [Int]) -> Vector {
        var out = v.materialized(count: dimension)
        let off = offSupportPart(out, s)
        let h: Vector? = off.maxNorm > 0 ? hessian(off) : nil
        for (a, i) in s.enumerated() { out[i] = out[i] / (stepSize * weights[a]) - (h?[i] ?? 0) }
        return out
    }

    /// `T' z` (masked case); the off-support entries are only formed when `needed`.
    func transformTransposed(_ z: Vector, _ s: [Int], offSupportNeeded needed: Bool) -> Vector {
        let full = z.materialized(count: dimension)
        var out = full
        if needed {
            let on = supportPart(full, s)
            if on.maxNorm > 0 {
                let h = hessian(on)
                for i in 0..<dimension { out[i] -= h[i] }
            }
        }
        for (a, i) in s.enumerated() { out[i] = full[i] / (stepSize * weights[a]) }
        return out
    }

    /// `K_S`.
    func reducedMatrix(_ s: [Int]) -> Matrix {
        var k = smooth.hessianBlock(at: w, indices: s)
        for a in 0..<s.count { k[a, a] += shifts[a] }
        return k
    }

    /// `K_S` as a matrix-free operator on `R^|S|` (one Hessian-vector product per product).
    func reducedOperator(_ s: [Int]) -> FunctionOperator {
        let me = self, shifts = self.shifts, n = dimension
        let apply: @Sendable (Vector) -> Vector = { z in
            var full = Vector.zeros(n)
            for (a, i) in s.enumerated() { full[i] = z[a] }
            let h = me.hessian(full)
            return Vector(s.indices.map { a in shifts[a] * z[a] + h[s[a]] })
        }
        return FunctionOperator(rows: s.count, columns: s.count, apply: apply, applyTransposed: apply)
    }

    /// Cholesky of `K_S` (masked case).
    func factorize(_ s: [Int]) throws -> SupportBlockFactorization {
        do {
            return try SupportBlockFactorization(dimension: dimension, support: s, weights: weights, stepSize: stepSize,
                                                 reducedMatrix: reducedMatrix(s))
        } catch let e as LinearAlgebraError {
            throw ImplicitDifferentiationError.singularSystem(
                "the Hessian of the smooth part restricted to the support (\(s.count) of \(dimension) coordinates) is singular: \(e)")
        }
    }

    /// `f` when it was made for this support, mask and step (and `H` has not changed:
    /// the caller guarantees the same `w` or a quadratic `f`).
    func matching(_ f: SupportBlockFactorization?) -> SupportBlockFactorization? {
        guard let f, let s = support, f.support == s, f.weights == weights, f.stepSize == stepSize else { return nil }
        return f
    }

    // MARK: General structure

    /// Dense `A = I - J + eta J H`.
    func denseMatrix() -> Matrix {
        let n = dimension
        let jh = jacobian.times(smooth.hessian(at: w))
        var a = (-1.0) * jacobian.dense + stepSize * jh
        for i in 0..<n { a[i, i] += 1 }
        return a
    }

    // MARK: Newton polish

    /// The semismooth Newton step `A dw = -F`, and the factorisation it used (masked case).
    func newtonStep(reusing cached: SupportBlockFactorization?) throws -> (step: Vector, factorization: SupportBlockFactorization?) {
        if let s = support {
            let f = try matching(cached) ?? factorize(s)
            return (-1.0 * f.solve(transform(residual, s)), f)
        }
        let lu: LUFactorization
        do { lu = try LUFactorization(denseMatrix()) } catch let e as LinearAlgebraError {
            throw ImplicitDifferentiationError.singularSystem("the fixed-point Jacobian is singular: \(e)")
        }
        return (-1.0 * lu.solve(residual), nil)
    }

    // MARK: Linearisation

    /// Throws ``ProxError/notStrictlyComplementary(margin:threshold:detail:)`` when `u` is
    /// within `threshold` (relative) of a kink of the prox.
    func checkDifferentiable(threshold: Double) throws {
        let m = margin
        guard m >= threshold else {
            throw ProxError.notStrictlyComplementary(
                margin: m, threshold: threshold,
                detail: "the prox input w - eta grad f(w) lies on (or numerically next to) a kink of \(Prox.self), "
                    + "e.g. a zero coefficient whose gradient entry equals the penalty's threshold")
        }
    }

    /// `(A, B)` for the core, transformed by `T` in the masked case, with the factorisation
    /// of `A` (`cached` when it matches, a new one when `factorize`, else none: Krylov).
    func linearization(cached: SupportBlockFactorization?, factorize shouldFactorize: Bool,
                       denseLimit: Int) throws -> ConditionsLinearization {
        let n = dimension, eta = stepSize
        let g = smooth.gradientParameterJacobian(at: w)
        let p = prox.parameterJacobian(at: point, stepSize: eta)
        let pf = smooth.parameterCount, pg = prox.parameters.count
        let j = jacobian
        let b = FunctionOperator(
            rows: n, columns: pf + pg,
            apply: { t in
                let t = t.materialized(count: pf + pg)
                var out = eta * j.apply(g.apply(t.slice(0..<pf)).materialized(count: n))
                if pg > 0 { out.add(p.apply(t.slice(pf..<(pf + pg))).materialized(count: n), scaledBy: -1) }
                return out
            },
            applyTransposed: { z in
                let gt = g.applyTransposed(eta * j.apply(z)).materialized(count: pf)
                let pt = pg > 0 ? (-1.0 * p.applyTransposed(z)).materialized(count: pg) : Vector([])
                return gt.concatenated(with: pt)
            })

        guard let s = support else {
            let a: any AdjointableLinearOperator
            if n <= denseLimit {
                a = denseMatrix()
            } else {
                let me = self
                a = FunctionOperator(rows: n, columns: n,
                                     apply: { z in z - j.apply(z) + eta * j.apply(me.hessian(z)) },
                                     applyTransposed: { z in let jz = j.apply(z); return z - jz + eta * me.hessian(jz) })
            }
            return ConditionsLinearization(a: a, b: b)
        }

        let offNeeded = !Self.vanishesOffSupport(p, support: s, dimension: n)
        let me = self
        let shifts = self.shifts
        let a = FunctionOperator(rows: n, columns: n, apply: { z in
            var out = z.materialized(count: n)
            let h = me.hessian(me.supportPart(out, s))
            for (k, i) in s.enumerated() { out[i] = shifts[k] * out[i] + h[i] }
            return out
        }, applyTransposed: { z in
            var out = z.materialized(count: n)
            let h = me.hessian(me.supportPart(out, s))
            for (k, i) in s.enumerated() { out[i] = shifts[k] * out[i] + h[i] }
            return out
        })
        let tb = FunctionOperator(rows: n, columns: pf + pg,
                                  apply: { t in me.transform(b.apply(t), s) },
                                  applyTransposed: { z in b.applyTransposed(me.transformTransposed(z, s, offSupportNeeded: offNeeded)) })
        let f: (any Factorization)? = try matching(cached) ?? (shouldFactorize ? factorize(s) : nil)
        return ConditionsLinearization(a: a, b: tb, factorizedA: f, isPositiveDefinite: true)
    }

    /// `-B~' z + vbar (df/dtheta_f, dg/dtheta_g)` for the dual `z` of the (transformed)
    /// system, fused so that the `O(N n)` parameter gradient is written once.
    func parameterPullback(_ z: Vector, valueCotangent vbar: Double) -> Vector {
        let p = prox.parameterJacobian(at: point, stepSize: stepSize)
        let zeta: Vector
        if let s = support {
            zeta = transformTransposed(z, s, offSupportNeeded: !Self.vanishesOffSupport(p, support: s, dimension: dimension))
        } else {
            zeta = z.materialized(count: dimension)
        }
        // -B' zeta = [-eta G'(J zeta), P' zeta].
        var out = smooth.parameterPullback(at: w, gradientCotangent: (-stepSize) * jacobian.apply(zeta), valueCotangent: vbar).scalars
        if prox.parameters.count > 0 {
            var pt = p.applyTransposed(zeta).materialized(count: prox.parameters.count)
            if vbar != 0 { pt.add(prox.parameterGradient(at: w), scaledBy: vbar) }
            out.append(contentsOf: pt.scalars)
        }
        return Vector(out)
    }

    /// `(df/dtheta_f, dg/dtheta_g)` at fixed `w`.
    var valuePartials: Vector {
        smooth.parameterGradient(at: w).concatenated(with: prox.parameterGradient(at: w))
    }

    /// Whether the prox parameter Jacobian is a dense matrix with zero rows off `S` (so the
    /// off-support entries of `T' z` are never needed).
    static func vanishesOffSupport(_ p: any AdjointableLinearOperator, support s: [Int], dimension n: Int) -> Bool {
        guard let m = p as? Matrix else { return false }
        if m.columns == 0 { return true }
        var onSupport = [Bool](repeating: false, count: n)
        for i in s { onSupport[i] = true }
        for i in 0..<n where !onSupport[i] {
            for k in 0..<m.columns where m[i, k] != 0 { return false }
        }
        return true
    }
}

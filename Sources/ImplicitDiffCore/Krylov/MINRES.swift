/// MINRES for symmetric, possibly indefinite `A` (Paige & Saunders).
///
/// MINRES minimises the residual over the Krylov subspace:
/// ```
/// x_k = argmin { ||b - A x||_{M^-1} : x in x_0 + K_k(M^-1 A, M^-1 r_0) }
/// ```
/// (the 2-norm when `M = I`). The symmetric Lanczos process builds an `M`-orthonormal basis
/// `V_k` with `A V_k = M V_{k+1} T_k` (`T_k` tridiagonal, `(k+1) x k`):
/// ```
/// beta_{k+1} M v_{k+1} = A v_k - alpha_k M v_k - beta_k M v_{k-1},   alpha_k = v_k' A v_k
/// ```
/// and Givens rotations reduce `T_k` to upper triangular `R_k` as it grows, so that
/// `min ||beta_1 e_1 - T_k y||` is updated in O(1) per step. The solution is updated through
/// search directions `W_k = V_k R_k^-1` (three-term recurrence), and the residual norm is
/// `|phibar_k|`, the last entry of the rotated right-hand side.
///
/// Mathematical properties:
/// - One product `A v` and, when preconditioned, one `M^-1 r` per iteration; short
///   recurrences (no stored basis).
/// - `||r_k||_{M^-1}` decreases monotonically. Works for indefinite and (for consistent
///   systems) singular symmetric `A`, where CG may break down.
/// - The preconditioner must be symmetric positive definite: it is applied symmetrically
///   (MINRES runs on `L^-1 A L^-T` with `M = L L'` without forming `L`); `r' M^-1 r < 0`
///   throws ``KrylovError/breakdown(method:iteration:reason:)``.
/// - Stopping rule `||b - A x_k||_2 <= atol + rtol ||b||`. Without a preconditioner `||r_k||_2`
///   is `|phibar_k|`; with one, `phibar_k` measures the `M^-1`-norm, so the 2-norm residual
///   is updated explicitly by `r_k = r_{k-1} - phi_k A w_k`, with `A w_k` from the same
///   three-term recurrence as `w_k` (no extra product with `A`).
///
/// Reference: C. C. Paige and M. A. Saunders, "Solution of sparse indefinite systems of linear
/// equations", SIAM J. Numer. Anal. 12 (1975) 617–629, doi:10.1137/0712047.
public struct MINRES: KrylovSolver {
    public static let name = "minres"
    public var options: KrylovOptions

    /// A solver with the given options.
    public init(options: KrylovOptions = .init()) { self.options = options }

    /// Solves `A x = b` for symmetric `A`, from `initialGuess` (zero when `nil`), with an
    /// optional SPD preconditioner `M^-1`.
    public func solve<Operator: LinearOperator>(_ a: Operator, _ b: Vector, initialGuess: Vector?,
                                                preconditioner: (any Preconditioner)?) throws -> KrylovResult {
        let method = Self.name
        let start: KrylovSupport.Start
        switch try KrylovSupport.begin(method: method, a, b, initialGuess: initialGuess, options: options) {
        case let .done(result): return result
        case let .iterate(s): start = s
        }
        let n = b.count
        let cap = options.iterationCap(forDimension: n)
        let threshold = start.threshold
        var x = start.x
        var rNorm = start.residualNorm
        var history: [Double] = options.recordHistory ? [rNorm] : []

        // Explicit residual and A w recurrences: only needed to measure ||r||_2 when preconditioned.
        var r = start.r
        var aw = Vector.zeros(preconditioner == nil ? 0 : n), aw1 = aw, aw2 = aw

        // Lanczos: r1 = previous, r2 = current unnormalised vector, y = M^-1 r2.
        var r1 = start.r
        var r2 = start.r
        var y = try preconditioner.map { try KrylovSupport.applyPreconditioner($0, r2) } ?? r2
        var beta = r2.dot(y)
        if !(beta > 0) {
            if beta.isNaN { throw KrylovError.nonFinite(method: method, iteration: 0) }
            throw KrylovError.breakdown(method: method, iteration: 0,
                                        reason: "r'M^-1 r = \(beta) <= 0: the preconditioner is not positive definite")
        }
        beta = beta.squareRoot()
        var oldBeta = 0.0
        // Rotation state and the rotated right-hand side.
        var cs = -1.0, sn = 0.0
        var dbar = 0.0, epsilon = 0.0
        var phibar = beta
        // Search directions w_k, w_{k-1}, w_{k-2}.
        var w = Vector.zeros(n), w1 = w, w2 = w

        var iteration = 0
        while iteration < cap {
            // Lanczos step: v = y / beta, y = A v - (beta / oldBeta) r1 - (alpha / beta) r2.
            var v = Vector.zero
            swap(&v, &y)                    // take y's storage: v is unique, scaled in place
            v.scale(by: 1 / beta)
            let av = try KrylovSupport.apply(a, v, expected: n)
            y = av
            if iteration > 0 { y.add(r1, scaledBy: -beta / oldBeta) }
            let alpha = v.dot(y)
            y.add(r2, scaledBy: -alpha / beta)
            r1 = r2
            r2 = y
            if let m = preconditioner { y = try KrylovSupport.applyPreconditioner(m, r2) }
            oldBeta = beta
            let betaSquared = r2.dot(y)
            if !(betaSquared >= 0) {
                if !betaSquared.isFinite { throw KrylovError.nonFinite(method: method, iteration: iteration) }
                throw KrylovError.breakdown(method: method, iteration: iteration,
                                            reason: "r'M^-1 r = \(betaSquared) < 0: the preconditioner is not positive definite")
            }
            beta = betaSquared.squareRoot()

            // Apply the previous rotation to the new column of T, then a new rotation to
            // annihilate its subdiagonal entry beta.
            let oldEpsilon = epsilon
            let delta = cs * dbar + sn * alpha
            let gbar = sn * dbar - cs * alpha
            epsilon = sn * beta
            dbar = -cs * beta
            let gamma = (gbar * gbar + beta * beta).squareRoot()
            guard gamma.isFinite else { throw KrylovError.nonFinite(method: method, iteration: iteration) }
            if gamma == 0 {
                throw KrylovError.breakdown(method: method, iteration: iteration,
                                            reason: "singular tridiagonal (gamma = 0): the operator is singular and b is not in its range")
            }
            cs = gbar / gamma
            sn = beta / gamma
            let phi = cs * phibar
            phibar = sn * phibar

            // w_k = (v_k - oldEpsilon w_{k-2} - delta w_{k-1}) / gamma,  x_k = x_{k-1} + phi w_k.
            swap(&w2, &w1)      // w2 <- w_{k-2} slot reused
            swap(&w1, &w)       // w1 <- w_{k-1}
            w = v
            w.add(w2, scaledBy: -oldEpsilon)
            w.add(w1, scaledBy: -delta)
            w.scale(by: 1 / gamma)
            x.add(w, scaledBy: phi)

            if preconditioner != nil {
                swap(&aw2, &aw1)
                swap(&aw1, &aw)
                aw = av
                aw.add(aw2, scaledBy: -oldEpsilon)
                aw.add(aw1, scaledBy: -delta)
                aw.scale(by: 1 / gamma)
                r.add(aw, scaledBy: -phi)
                rNorm = r.norm
            } else {
                rNorm = abs(phibar)
            }
            iteration += 1
            if options.recordHistory { history.append(rNorm) }
            guard rNorm.isFinite else { throw KrylovError.nonFinite(method: method, iteration: iteration) }
            if rNorm <= threshold {
                return KrylovResult(solution: x, status: .converged, iterations: iteration, residualNorm: rNorm,
                                    relativeResidual: rNorm / start.rightHandSideNorm, residualHistory: history)
            }
            if beta == 0 {
                throw KrylovError.breakdown(method: method, iteration: iteration,
                                            reason: "Lanczos found an invariant subspace (beta = 0) but ||r|| = \(rNorm) is above the threshold \(threshold)")
            }
        }
        throw KrylovSupport.notConverged(method: method, iterations: iteration, residual: rNorm,
                                         rightHandSideNorm: start.rightHandSideNorm)
    }
}

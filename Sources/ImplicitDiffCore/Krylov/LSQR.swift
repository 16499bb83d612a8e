/// LSQR for least squares `min ||A x - b||_2` (optionally damped), for any shape of `A`
/// (Paige & Saunders).
///
/// LSQR is mathematically CG on the normal equations `(A'A + λ² I) x = A'b`, but works with
/// `A` and `A'` separately (never forming `A'A`, so the sensitivity is `cond(A)`, not its square).
/// Golub–Kahan bidiagonalisation of `A` from `b`:
/// ```
/// beta_1 u_1 = b - A x_0,   alpha_1 v_1 = A' u_1
/// beta_{k+1} u_{k+1} = A v_k - alpha_k u_k,   alpha_{k+1} v_{k+1} = A' u_{k+1} - beta_{k+1} v_k
/// ```
/// gives `A V_k = U_{k+1} B_k` with `B_k` lower bidiagonal, and LSQR takes
/// ```
/// x_k = x_0 + V_k y_k,   y_k = argmin || [B_k; λ I] y - beta_1 e_1 ||_2
/// ```
/// solved by QR of `B_k` with Givens rotations, one per step, as in MINRES.
///
/// Mathematical properties:
/// - One product with `A` and one with `A'` per iteration; short recurrences.
/// - Works for over- and underdetermined, rank-deficient and inconsistent systems. From
///   `x_0 = 0` and `λ = 0` the iterates converge to the minimum-norm least-squares solution.
/// - Stopping rules (with `ε(t) = atol + rtol t`): the normal-equation residual
///   `||A'r_k - λ² x_k|| <= ε(||A'b||)` (least squares), or `||r_k|| <= ε(||b||)` (a consistent
///   system). Both norms are the recurrences' estimates (`|phibar_k alpha_{k+1} c_k|` and
///   `|phibar_k|`); with damping `|phibar_k|` is the residual of the augmented system
///   `[A; λI] x ≈ [b; 0]`, an upper bound on `||r_k||`.
/// - The result's ``KrylovResult/residualNorm`` and ``KrylovResult/residualHistory`` hold the
///   normal-equation residual `||A'r||`, and ``KrylovResult/relativeResidual`` is
///   `||A'r|| / ||A'b||` (0 when `A'b = 0`).
///
/// Reference: C. C. Paige and M. A. Saunders, "LSQR: An algorithm for sparse linear equations
/// and sparse least squares", ACM Trans. Math. Softw. 8 (1982) 43–71, doi:10.1145/355984.355989.
public struct LSQR: Sendable {
    /// The method's name in reports.
    public static let name = "lsqr"
    /// Tolerances, iteration cap and history recording.
    public var options: KrylovOptions

    /// A solver with the given options.
    public init(options: KrylovOptions = .init()) { self.options = options }

    /// Solves `min ||A x - b||^2 + damping^2 ||x||^2` for an `m x n` operator `A` and `b` of
    /// length `m`, from `initialGuess` (zero when `nil`, length `n`).
    ///
    /// Returns `x = 0` with ``KrylovStatus/zeroRightHandSide`` when `b = 0`, and
    /// ``KrylovStatus/initialGuessAccepted`` when the initial guess satisfies a stopping rule.
    /// Throws ``KrylovError/notConverged(method:iterations:residual:relativeResidual:)`` at the
    /// iteration cap (``KrylovOptions/iterationCap(forDimension:)`` with `max(m, n)`), and
    /// ``KrylovError/nonFinite(method:iteration:)`` or ``KrylovError/dimensionMismatch(_:)``.
    ///
    /// A warm start with `damping > 0` runs the undamped recurrence on the augmented problem
    /// `min || [A; λI] d - [b - A x_0; -λ x_0] ||` for the correction `d = x - x_0`
    /// (the same objective, shifted), so the damping term stays exact.
    public func solve<Operator: AdjointableLinearOperator>(_ a: Operator, _ b: Vector, initialGuess: Vector? = nil,
                                                           damping: Double = 0) throws -> KrylovResult {
        let method = Self.name
        let m = a.rowCount, n = a.columnCount
        guard b.count == m else {
            throw KrylovError.dimensionMismatch("\(method): operator with \(m) rows, right-hand side of length \(b.count)")
        }
        if let x0 = initialGuess, x0.count != n, !(x0.scalars.isEmpty && n > 0) {
            throw KrylovError.dimensionMismatch("\(method): operator with \(n) columns, initial guess of length \(x0.count)")
        }
        guard damping.isFinite && damping >= 0 else {
            throw KrylovError.dimensionMismatch("\(method): damping must be finite and non-negative, got \(damping)")
        }
        let bNorm = b.norm
        guard bNorm.isFinite else { throw KrylovError.nonFinite(method: method, iteration: 0) }
        if bNorm == 0 {
            return KrylovResult(solution: .zeros(n), status: .zeroRightHandSide, iterations: 0, residualNorm: 0,
                                relativeResidual: 0, residualHistory: options.recordHistory ? [0] : [])
        }
        let cap = options.iterationCap(forDimension: Swift.max(m, n))
        let residualThreshold = options.threshold(rightHandSideNorm: bNorm)

        guard let x0 = initialGuess?.materialized(count: n) else {
            return try iterate(a, start: b, damping: damping, normalRightHandSideNorm: nil,
                               residualThreshold: residualThreshold, cap: cap, isWarmStart: false).result
        }
        guard x0.isFinite else { throw KrylovError.nonFinite(method: method, iteration: 0) }
        var r0 = b
        r0.add(try KrylovSupport.apply(a, x0, expected: m), scaledBy: -1)
        // ||A'b|| for the relative normal-equation rule: one extra product with A'.
        let normalRightHandSideNorm = try KrylovSupport.applyTransposed(a, b, expected: n).norm
        var (result, correction): (KrylovResult, Vector)
        if damping > 0 {
            let augmented = DampedOperator(base: a, damping: damping)
            var start = r0
            start.scalars.append(contentsOf: (-damping * x0).scalars)
            (result, correction) = try iterate(augmented, start: start, damping: 0,
                                               normalRightHandSideNorm: normalRightHandSideNorm,
                                               residualThreshold: residualThreshold, cap: cap, isWarmStart: true)
        } else {
            (result, correction) = try iterate(a, start: r0, damping: 0,
                                               normalRightHandSideNorm: normalRightHandSideNorm,
                                               residualThreshold: residualThreshold, cap: cap, isWarmStart: true)
        }
        var x = x0
        x.add(correction, scaledBy: 1)
        result.solution = x
        return result
    }

    /// The LSQR recurrence from a zero start for `min ||A d - r0||^2 + damping^2 ||d||^2`.
    /// Returns the result (with `solution = d`) and `d`.
    ///
    /// - Parameters:
    ///   - start: `r0`, the residual of the initial guess.
    ///   - normalRightHandSideNorm: `||A'b||`, or `nil` when `r0 = b` (then it is `alpha_1 beta_1`).
    ///   - residualThreshold: `atol + rtol ||b||`.
    private func iterate<Operator: AdjointableLinearOperator>(
        _ a: Operator, start: Vector, damping: Double, normalRightHandSideNorm: Double?,
        residualThreshold: Double, cap: Int, isWarmStart: Bool
    ) throws -> (result: KrylovResult, correction: Vector) {
        let method = Self.name
        let m = a.rowCount, n = a.columnCount

        // beta_1 u_1 = r0,  alpha_1 v_1 = A'u_1.
        var u = start
        var beta = u.norm
        guard beta.isFinite else { throw KrylovError.nonFinite(method: method, iteration: 0) }
        if beta > 0 { u.scale(by: 1 / beta) }
        var v = try KrylovSupport.applyTransposed(a, u, expected: n)
        var alpha = v.norm
        guard alpha.isFinite else { throw KrylovError.nonFinite(method: method, iteration: 0) }
        if alpha > 0 { v.scale(by: 1 / alpha) }

        let normalRightHandSide = normalRightHandSideNorm ?? alpha * beta
        let normalThreshold = options.threshold(rightHandSideNorm: normalRightHandSide)
        func relative(_ normalResidual: Double) -> Double {
            normalRightHandSide > 0 ? normalResidual / normalRightHandSide : 0
        }

        var d = Vector.zeros(n)
        // ||A'r0|| = alpha_1 beta_1 (the damping term vanishes at d = 0).
        var normalResidual = alpha * beta
        var history: [Double] = options.recordHistory ? [normalResidual] : []
        if beta <= residualThreshold || normalResidual <= normalThreshold {
            let result = KrylovResult(solution: d, status: isWarmStart ? .initialGuessAccepted : .converged,
                                      iterations: 0, residualNorm: normalResidual,
                                      relativeResidual: relative(normalResidual), residualHistory: history)
            return (result, d)
        }

        var w = v
        var phibar = beta
        var rhobar = alpha
        var iteration = 0
        while iteration < cap {
            // Bidiagonalisation: beta u = A v - alpha u,  alpha v = A'u - beta v.
            var av = try KrylovSupport.apply(a, v, expected: m)
            av.add(u, scaledBy: -alpha)
            u = av
            beta = u.norm
            if beta > 0 {
                u.scale(by: 1 / beta)
                var atu = try KrylovSupport.applyTransposed(a, u, expected: n)
                atu.add(v, scaledBy: -beta)
                v = atu
                alpha = v.norm
                if alpha > 0 { v.scale(by: 1 / alpha) }
            }
            guard alpha.isFinite && beta.isFinite else {
                throw KrylovError.nonFinite(method: method, iteration: iteration)
            }
            // Eliminate the damping parameter (rotation of [rhobar; damping]).
            let rhobar1: Double
            if damping > 0 {
                rhobar1 = (rhobar * rhobar + damping * damping).squareRoot()
                phibar *= rhobar / rhobar1
            } else {
                rhobar1 = rhobar
            }
            // Rotation eliminating the subdiagonal beta of the bidiagonal matrix.
            let rho = (rhobar1 * rhobar1 + beta * beta).squareRoot()
            if rho == 0 {
                throw KrylovError.breakdown(method: method, iteration: iteration, reason: "rho = 0 in the bidiagonal QR")
            }
            let c = rhobar1 / rho
            let s = beta / rho
            let theta = s * alpha
            rhobar = -c * alpha
            let phi = c * phibar
            phibar *= s
            // d += (phi / rho) w,  w = v - (theta / rho) w.
            d.add(w, scaledBy: phi / rho)
            w.scale(by: -theta / rho)
            w.add(v, scaledBy: 1)

            iteration += 1
            normalResidual = abs(phibar * alpha * c)
            let residual = abs(phibar)
            if options.recordHistory { history.append(normalResidual) }
            guard normalResidual.isFinite && residual.isFinite else {
                throw KrylovError.nonFinite(method: method, iteration: iteration)
            }
            if residual <= residualThreshold || normalResidual <= normalThreshold {
                let result = KrylovResult(solution: d, status: .converged, iterations: iteration,
                                          residualNorm: normalResidual, relativeResidual: relative(normalResidual),
                                          residualHistory: history)
                return (result, d)
            }
        }
        throw KrylovError.notConverged(method: method, iterations: iteration, residual: normalResidual,
                                       relativeResidual: relative(normalResidual))
    }
}

/// The (preconditioned) conjugate gradient method for symmetric positive definite `A`.
///
/// CG minimises the `A`-norm of the error over the growing Krylov subspace:
/// ```
/// x_k = argmin { ||x - x*||_A : x in x_0 + K_k(M^-1 A, M^-1 r_0) },   x* = A^-1 b
/// ```
/// with the short recurrence (Hestenes & Stiefel; Saad, Algorithm 9.1 for `M != I`):
/// ```
/// r_0 = b - A x_0,  z_0 = M^-1 r_0,  p_0 = z_0
/// alpha_k = (r_k' z_k) / (p_k' A p_k)
/// x_{k+1} = x_k + alpha_k p_k,        r_{k+1} = r_k - alpha_k A p_k
/// z_{k+1} = M^-1 r_{k+1}
/// beta_k  = (r_{k+1}' z_{k+1}) / (r_k' z_k),   p_{k+1} = z_{k+1} + beta_k p_k
/// ```
///
/// Mathematical properties:
/// - One product `A p` and, when preconditioned, one `M^-1 r` per iteration.
/// - The preconditioner is applied symmetrically in effect (`M^-1` must be symmetric
///   positive definite), so CG stays a method on an SPD operator.
/// - The stopping rule is on the true-residual recurrence `||r_k||_2 <= atol + rtol ||b||`,
///   not on the preconditioned residual.
/// - `p_k' A p_k <= 0` proves that `A` is not positive definite and throws
///   ``KrylovError/breakdown(method:iteration:reason:)``; `r_k' z_k <= 0` proves the same of
///   the preconditioner.
///
/// Reference: M. R. Hestenes and E. Stiefel, "Methods of conjugate gradients for solving
/// linear systems", J. Res. Nat. Bur. Standards 49 (1952), doi:10.6028/jres.049.044;
/// Y. Saad, *Iterative Methods for Sparse Linear Systems*, 2nd ed., SIAM 2003, §6.7 and §9.2,
/// doi:10.1137/1.9780898718003.
public struct ConjugateGradient: KrylovSolver {
    public static let name = "cg"
    public var options: KrylovOptions

    /// A solver with the given options.
    public init(options: KrylovOptions = .init()) { self.options = options }

    /// Solves `A x = b` for SPD `A`, from `initialGuess` (zero when `nil`), with an optional
    /// SPD preconditioner `M^-1`.
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
        var x = start.x
        var r = start.r
        var rNorm = start.residualNorm
        var history: [Double] = options.recordHistory ? [rNorm] : []

        // z = M^-1 r (z is r itself without a preconditioner: no copy, no product).
        var z = try preconditioner.map { try KrylovSupport.applyPreconditioner($0, r) }
        var rz = z.map { r.dot($0) } ?? rNorm * rNorm
        var p = z ?? r
        var iteration = 0
        while iteration < cap {
            if !(rz > 0) {
                if rz.isNaN { throw KrylovError.nonFinite(method: method, iteration: iteration) }
                throw KrylovError.breakdown(method: method, iteration: iteration,
                                            reason: "r'M^-1 r = \(rz) <= 0: the preconditioner is not positive definite")
            }
            let q = try KrylovSupport.apply(a, p, expected: n)
            let pq = p.dot(q)
            if !(pq > 0) {
                if !pq.isFinite { throw KrylovError.nonFinite(method: method, iteration: iteration) }
                throw KrylovError.breakdown(method: method, iteration: iteration,
                                            reason: "p'Ap = \(pq) <= 0: the operator is not positive definite")
            }
            let alpha = rz / pq
            x.add(p, scaledBy: alpha)
            r.add(q, scaledBy: -alpha)
            rNorm = r.norm
            iteration += 1
            if options.recordHistory { history.append(rNorm) }
            guard rNorm.isFinite else { throw KrylovError.nonFinite(method: method, iteration: iteration) }
            if rNorm <= start.threshold {
                return KrylovResult(solution: x, status: .converged, iterations: iteration, residualNorm: rNorm,
                                    relativeResidual: rNorm / start.rightHandSideNorm, residualHistory: history)
            }
            let rzNext: Double
            if let m = preconditioner {
                let zNext = try KrylovSupport.applyPreconditioner(m, r)
                rzNext = r.dot(zNext)
                z = zNext
            } else {
                rzNext = rNorm * rNorm
            }
            let beta = rzNext / rz
            rz = rzNext
            p.scale(by: beta)
            p.add(z ?? r, scaledBy: 1)
        }
        throw KrylovSupport.notConverged(method: method, iterations: iteration, residual: rNorm,
                                         rightHandSideNorm: start.rightHandSideNorm)
    }
}

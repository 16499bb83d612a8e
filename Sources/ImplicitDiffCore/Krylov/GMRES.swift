/// Restarted GMRES(m) with right preconditioning (Saad & Schultz).
///
/// Each cycle minimises the residual over a Krylov subspace of dimension at most `m`
/// (``KrylovOptions/restart``), built for the right-preconditioned operator `A M^-1`:
/// ```
/// x = x_0 + M^-1 V_k y,   y = argmin || beta e_1 - H_k y ||_2,   beta = ||r_0||
/// ```
/// where the Arnoldi process gives `A M^-1 V_k = V_{k+1} H_k` (`V` orthonormal, `H_k`
/// upper Hessenberg `(k+1) x k`). Orthogonalisation is modified Gram–Schmidt followed by one
/// reorthogonalisation pass ("twice is enough"), so `V` stays orthonormal to working precision.
/// Givens rotations reduce `H_k` to upper triangular form as it grows; after rotation, the
/// last entry of the rotated `beta e_1` is the residual norm, available at every step without
/// forming `x`.
///
/// Mathematical properties:
/// - Right preconditioning leaves the residual unchanged: the minimised quantity is the true
///   residual `||b - A x||_2`, which is what the stopping rule `atol + rtol ||b||` tests.
///   `M^-1` need not be symmetric.
/// - One product `A z` and one `M^-1 v` per inner iteration; `m + 1` stored basis vectors.
/// - The residual norm is non-increasing; a restart recomputes the true residual
///   `b - A x` (one extra product), which is also the residual reported at convergence.
/// - "Happy breakdown" `h_{k+1,k} = 0` means the subspace is invariant and the cycle's
///   solution is exact: it is treated as convergence, not an error.
/// - ``KrylovOptions/maxIterations`` caps the total number of inner iterations.
///
/// Reference: Y. Saad and M. H. Schultz, "GMRES: a generalized minimal residual algorithm for
/// solving nonsymmetric linear systems", SIAM J. Sci. Stat. Comput. 7 (1986) 856–869,
/// doi:10.1137/0907058; Y. Saad, *Iterative Methods for Sparse Linear Systems*, 2nd ed., SIAM
/// 2003, Algorithm 9.5 (right-preconditioned GMRES), doi:10.1137/1.9780898718003.
public struct GMRES: KrylovSolver {
    public static let name = "gmres"
    public var options: KrylovOptions

    /// A solver with the given options.
    public init(options: KrylovOptions = .init()) { self.options = options }

    /// Solves `A x = b` for general square `A`, from `initialGuess` (zero when `nil`), with an
    /// optional right preconditioner `M^-1`.
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
        let m = Swift.max(1, Swift.min(options.restart, n))
        let threshold = start.threshold
        var x = start.x
        var r = start.r
        var rNorm = start.residualNorm
        var history: [Double] = options.recordHistory ? [rNorm] : []

        // Workspace reused across cycles: the basis, H column by column (h[j][i] = H[i, j]),
        // the rotations and the rotated right-hand side g.
        var basis = [Vector](repeating: .zeros(n), count: m + 1)
        var h = [[Double]](repeating: [Double](repeating: 0, count: m + 1), count: m)
        var cosines = [Double](repeating: 0, count: m)
        var sines = [Double](repeating: 0, count: m)
        var g = [Double](repeating: 0, count: m + 1)
        var y = [Double](repeating: 0, count: m)

        var iteration = 0
        while true {
            // Start of a cycle: v_0 = r / ||r||, g = ||r|| e_1.
            basis[0] = r
            basis[0].scale(by: 1 / rNorm)
            for i in g.indices { g[i] = 0 }
            g[0] = rNorm
            var k = 0                       // columns of H built in this cycle
            while k < m && iteration < cap {
                let j = k
                let z = try preconditioner.map { try KrylovSupport.applyPreconditioner($0, basis[j]) } ?? basis[j]
                var w = try KrylovSupport.apply(a, z, expected: n)
                let wNorm = w.norm
                guard wNorm.isFinite else { throw KrylovError.nonFinite(method: method, iteration: iteration) }
                // Modified Gram–Schmidt, then one reorthogonalisation pass.
                for i in 0...j { h[j][i] = 0 }
                for _ in 0..<2 {
                    for i in 0...j {
                        let c = w.dot(basis[i])
                        h[j][i] += c
                        w.add(basis[i], scaledBy: -c)
                    }
                }
                let hNext = w.norm
                // Apply the previous rotations to the new column, then annihilate H[j+1, j].
                for i in 0..<j {
                    let t = cosines[i] * h[j][i] + sines[i] * h[j][i + 1]
                    h[j][i + 1] = -sines[i] * h[j][i] + cosines[i] * h[j][i + 1]
                    h[j][i] = t
                }
                let diagonal = h[j][j]
                let rho = (diagonal * diagonal + hNext * hNext).squareRoot()
                guard rho.isFinite else { throw KrylovError.nonFinite(method: method, iteration: iteration) }
                if rho == 0 {
                    throw KrylovError.breakdown(method: method, iteration: iteration,
                                                reason: "A M^-1 v = 0 for a basis vector: the (preconditioned) operator is singular")
                }
                cosines[j] = diagonal / rho
                sines[j] = hNext / rho
                h[j][j] = rho
                h[j][j + 1] = 0
                g[j + 1] = -sines[j] * g[j]
                g[j] = cosines[j] * g[j]
                let estimate = abs(g[j + 1])
                iteration += 1
                k += 1
                if options.recordHistory { history.append(estimate) }
                // Happy breakdown: the new direction is (numerically) in the span of V.
                let happy = hNext <= Double.ulpOfOne * wNorm
                if estimate <= threshold || happy { break }
                if k < m {
                    w.scale(by: 1 / hNext)
                    basis[k] = w
                }
            }
            // y = R^-1 g (upper triangular, k x k), then x += M^-1 (V y).
            for i in stride(from: k - 1, through: 0, by: -1) {
                var s = g[i]
                for l in (i + 1)..<k { s -= h[l][i] * y[l] }
                y[i] = s / h[i][i]
            }
            var update = Vector.zeros(n)
            for i in 0..<k { update.add(basis[i], scaledBy: y[i]) }
            if let pre = preconditioner { update = try KrylovSupport.applyPreconditioner(pre, update) }
            x.add(update, scaledBy: 1)
            // True residual: the cycle's next start, and what is tested and reported.
            r = b
            r.add(try KrylovSupport.apply(a, x, expected: n), scaledBy: -1)
            rNorm = r.norm
            // The cycle's last entry becomes the true residual rather than the estimate.
            if options.recordHistory && k > 0 { history[history.count - 1] = rNorm }
            guard rNorm.isFinite else { throw KrylovError.nonFinite(method: method, iteration: iteration) }
            if rNorm <= threshold {
                return KrylovResult(solution: x, status: .converged, iterations: iteration, residualNorm: rNorm,
                                    relativeResidual: rNorm / start.rightHandSideNorm, residualHistory: history)
            }
            if iteration >= cap {
                throw KrylovSupport.notConverged(method: method, iterations: iteration, residual: rNorm,
                                                 rightHandSideNorm: start.rightHandSideNorm)
            }
        }
    }
}

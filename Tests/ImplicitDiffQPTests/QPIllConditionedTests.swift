import Foundation
import Testing
@testable import ImplicitDiffQP

/// A planted QP with `Q = H diag(1 .. kappa) H` (H a Householder reflector, eigenvalues
/// log-spaced), so `max |Q_ij| ~ kappa` and `q = -(Q z* + A'lambda* + G'mu*)` is of that
/// size too while the multipliers are O(1).
func illConditionedQP(n: Int, p: Int, m: Int, activeCount: Int, kappa: Double, seed: UInt64)
    -> (problem: QuadraticProgram, z: Vector, lambda: Vector, mu: Vector) {
    var rng = QPRandom(seed: seed)
    let v = rng.vector(n)
    let vv = v.dot(v)
    var h = Matrix(rows: n, columns: n)
    for i in 0..<n { for j in 0..<n { h[i, j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv } }
    var d = Matrix(rows: n, columns: n)
    for i in 0..<n { d[i, i] = Foundation.pow(kappa, Double(i) / Double(Swift.max(n - 1, 1))) }
    let q = (h * d * h).symmetricPart
    let a = rng.matrix(p, n), g = rng.matrix(m, n)
    let z = rng.vector(n), lambda = rng.vector(p)
    var mu = Vector.zeros(m), slack = Vector.zeros(m)
    for i in 0..<m {
        if i < activeCount { mu[i] = rng.uniform(0.5...1.5) } else { slack[i] = rng.uniform(0.5...1.5) }
    }
    var lin = -(q * z)
    if p > 0 { lin -= a.transposedTimes(lambda) }
    lin -= g.transposedTimes(mu)
    let problem = try! QuadraticProgram(Q: q, q: lin, A: a, b: a * z, G: g, h: g * z + slack)
    return (problem, z, lambda, mu)
}

@Suite("QP solver, ill-conditioned Q")
struct QPIllConditionedTests {
    /// Regression: with cond(Q) >= 1e7 the objective scale (1 / max |Q_ij|) made the scaled
    /// multipliers ~1e-7, so `mu_i > s_i` never named the active set before the
    /// interior point met its (relative) tolerance; its unpolished point was returned with
    /// z wrong in the 4th digit and the active rows called weakly active (exit 4).
    @Test("cond(Q) 1e7 .. 1e9: polished, exact active set, differentiable",
          arguments: [(1e7, 1), (1e8, 2), (1e9, 3)] as [(Double, UInt64)])
    func polishedAndDifferentiable(kappa: Double, seed: UInt64) throws {
        let k = illConditionedQP(n: 8, p: 2, m: 12, activeCount: 5, kappa: kappa, seed: seed)
        let s = try k.problem.solve()
        #expect(s.report.polished)
        #expect(s.activeSet.active == Array(0..<5))
        #expect(s.activeSet.weaklyActive.isEmpty)
        expectClose(s.z, k.z, rtol: 1e-7, "z (kappa \(kappa))")
        expectClose(s.mu, k.mu, rtol: 1e-5, "mu (kappa \(kappa))")
        // The derivative exists, and d value / d h = -mu.
        let d = try s.derivative()
        let g = try d.pullback(QPOutputs(value: 1))
        expectClose(g.h, -s.mu, rtol: 1e-12, "d value / d h")
    }

    /// Regression: a polished solution at cond(Q) = 1e10 judged `mu_i ~ 1` weakly active,
    /// because the threshold `1e-9 * max(1, ||q||, ||Q z||)` was ~10.
    @Test("cond(Q) 1e10: multipliers ~1 are not weakly active")
    func notWeaklyActive() throws {
        let k = illConditionedQP(n: 8, p: 2, m: 12, activeCount: 5, kappa: 1e10, seed: 4)
        let s = try k.problem.solve()
        #expect(s.report.polished)
        #expect(s.activeSet.active == Array(0..<5))
        #expect(s.activeSet.weaklyActive.isEmpty, "\(s.activeSet.weaklyActive), mu \(s.mu)")
        _ = try s.derivative()
    }
}

import Foundation
import Testing
@testable import ImplicitDiffLP
@_exported import ImplicitDiffTestSupport  // the shared SplitMix64, for every file of this target

// Helpers of the LP tests (names prefixed `lp` / `LP`).
//
// Tolerances used throughout, and why:
// * closed forms: the vertex is recomputed from the optimal basis by an LU solve with one
//   refinement step, so values and derivatives are exact to ~1e-15 relative on these
//   well-conditioned small problems; compared at 1e-12.
// * central differences (step h = 1e-6 relative): z, lambda, mu are affine in (b, h) and
//   rational in (A, G) near a non-degenerate vertex, so the truncation error is O(h^2)
//   ~ 1e-12 and the rounding error ~ ulp * cond(M) / h ~ 1e-8; compared at 1e-6.

/// The shared seeded generator (uniform vectors and matrices in [-1, 1]).
typealias LPTestRandom = SplitMix64

/// A random LP with a known non-degenerate optimal vertex: `z*` random, `n - p` of the `m`
/// inequalities active with multipliers in [0.5, 1.5], the others with slack in [0.5, 1.5],
/// `c = -(A'lambda + G'mu)`.
struct LPRandomProblem {
    let problem: LinearProgram
    let z: Vector
    let lambda: Vector
    let mu: Vector
    let active: [Int]

    init(n: Int, p: Int, m: Int, seed: UInt64) {
        precondition(p <= n && n - p <= m)
        var rng = LPTestRandom(seed: seed)
        let a = rng.matrix(p, n), g = rng.matrix(m, n)
        let z = rng.vector(n)
        var indices = Array(0..<m)
        indices.shuffle(using: &rng)
        let active = indices.prefix(n - p).sorted()
        var mu = [Double](repeating: 0, count: m), h = (g * z).scalars
        for i in 0..<m {
            if active.contains(i) { mu[i] = rng.uniform(0.5...1.5) } else { h[i] += rng.uniform(0.5...1.5) }
        }
        let lambda = rng.vector(p)
        let c = -(a.transposedTimes(lambda) + g.transposedTimes(Vector(mu)))
        problem = try! LinearProgram(c: c, A: a, b: a * z, G: g, h: Vector(h))
        self.z = z
        self.lambda = lambda
        self.mu = Vector(mu)
        self.active = active
    }
}

/// Writes `text` to a fresh temporary file and returns its path.
func lpTemporaryFile(_ text: String, suffix: String) throws -> String {
    let path = NSTemporaryDirectory() + "implicitdiff-lp-\(UUID().uuidString)\(suffix)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

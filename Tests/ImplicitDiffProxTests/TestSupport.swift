import Foundation
import Testing
@testable import ImplicitDiffProx
@_exported import ImplicitDiffTestSupport  // the shared SplitMix64, for every file of this target

// Shared helpers. Tolerances are stated where they are used; the common ones:
// * central differences with relative step h = 1e-6 have truncation error O(h^2) and
//   rounding error O(ulp / h) ~ 1e-10 relative, so they are compared at 1e-6 relative
//   (looser, 1e-5, when an inner solve at tolerance ~1e-12 feeds the difference);
// * closed forms evaluated with an independent dense solve agree to ~1e-12.

// The seeded generator `SplitMix64` is the shared ImplicitDiffTestSupport one.

/// The minimiser of a convex scalar function on `[a, b]` by golden-section search to
/// `1e-13` relative (an inner optimisation independent of any prox formula).
func goldenSection(_ f: (Double) -> Double, _ a0: Double, _ b0: Double) -> Double {
    var a = a0, b = b0
    let r = (5.0.squareRoot() - 1) / 2
    var c = b - r * (b - a), d = a + r * (b - a)
    var fc = f(c), fd = f(d)
    for _ in 0..<300 where b - a > 1e-13 * Swift.max(1, abs(a), abs(b)) {
        if fc <= fd { b = d; d = c; fd = fc; c = b - r * (b - a); fc = f(c) } else { a = c; c = d; fc = fd; d = a + r * (b - a); fd = f(d) }
    }
    return (a + b) / 2
}

/// A random sparse regression problem with `k` informative columns: `y = X w* + noise`,
/// and a `lambda` that leaves some but not all coefficients active.
func regressionData(rows n: Int, columns d: Int, informative k: Int, seed: UInt64) -> (x: Matrix, y: Vector, lambda: Double) {
    var rng = SplitMix64(seed: seed)
    let x = rng.normalMatrix(n, d)
    var wStar = Vector.zeros(d)
    for i in 0..<k { wStar[(i * 7) % d] = 2 * rng.normal() + (rng.uniform() > 0 ? 1 : -1) }
    let y = x * wStar + 0.3 * rng.normalVector(n)
    let lambda = 0.2 * x.transposedTimes(y).maxNorm
    return (x, y, lambda)
}

/// A solve to the tightest tolerance, for references.
let tightSolver = ProximalGradientOptions(tolerance: 1e-13, maxIterations: 200_000)

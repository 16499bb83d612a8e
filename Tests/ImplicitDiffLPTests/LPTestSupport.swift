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

/// Checks `max|actual - expected| <= rtol * max(|expected|_inf, floor)` and prints
/// expected, observed and the error when it fails.
func lpAssertClose(_ actual: Vector, _ expected: Vector, rtol: Double, floor: Double = 1e-300, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): length \(actual.count), expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let err = actual.count == 0 ? 0 : (actual - expected).maxNorm
    let scale = Swift.max(expected.maxNorm, floor)
    #expect(err <= rtol * scale,
            "\(what): max error \(err) (relative \(err / scale)) > \(rtol); expected \(expected.scalars.prefix(8)), observed \(actual.scalars.prefix(8))",
            sourceLocation: sourceLocation)
}

func lpAssertClose(_ actual: Double, _ expected: Double, rtol: Double, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    lpAssertClose(Vector([actual]), Vector([expected]), rtol: rtol, floor: 1, what, sourceLocation: sourceLocation)
}

func lpAssertClose(_ actual: Matrix, _ expected: Matrix, rtol: Double, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.rows == expected.rows && actual.columns == expected.columns,
            "\(what): shape \(actual.rows)x\(actual.columns), expected \(expected.rows)x\(expected.columns)",
            sourceLocation: sourceLocation)
    lpAssertClose(Vector(actual.scalars), Vector(expected.scalars), rtol: rtol, what, sourceLocation: sourceLocation)
}

/// Central differences of `f` at `x` along the coordinates `indices` (all by default):
/// the Jacobian's columns for those coordinates.
func lpFiniteDifferences(at x: Vector, indices: [Int]? = nil, relativeStep h: Double = 1e-6,
                         _ f: (Vector) throws -> Vector) rethrows -> Matrix {
    let columns = indices ?? Array(0..<x.count)
    var out: Matrix?
    for (k, i) in columns.enumerated() {
        let step = h * Swift.max(1, abs(x[i]))
        var xp = x, xm = x
        xp[i] += step
        xm[i] -= step
        let d = (try f(xp) - (try f(xm))) / (2 * step)
        if out == nil { out = Matrix(rows: d.count, columns: columns.count) }
        out!.setColumn(k, to: d)
    }
    return out ?? Matrix(rows: 0, columns: 0)
}

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

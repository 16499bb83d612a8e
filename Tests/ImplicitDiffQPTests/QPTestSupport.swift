import Foundation
import Testing
@testable import ImplicitDiffQP
@_exported import ImplicitDiffTestSupport  // the shared SplitMix64, for every file of this target

// Shared helpers of the QP tests: a seeded generator, random QPs with a known optimum,
// central finite differences and closeness checks that print expected/observed/error.

/// The shared seeded `SplitMix64` with the QP tests' conventions: vectors and matrices
/// are standard normal.
struct QPRandom: RandomNumberGenerator {
    private var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func uniform(_ range: ClosedRange<Double> = -1...1) -> Double { base.uniform(range) }
    mutating func normal() -> Double { base.normal() }
    mutating func vector(_ n: Int) -> Vector { base.normalVector(n) }
    mutating func matrix(_ r: Int, _ c: Int) -> Matrix { base.normalMatrix(r, c) }
    mutating func symmetric(_ n: Int) -> Matrix { matrix(n, n).symmetricPart }
}

/// A QP built around a chosen optimum: `z*`, `lambda*`, an active set with `mu* in
/// [0.5, 1.5]`, inactive rows with slack in `[0.5, 1.5]`, and `q` from stationarity
/// `Q z* + q + A'lambda* + G'mu* = 0`. Strict complementarity and (for `Q` positive
/// definite, generic rows) LICQ hold, so the solution is unique and differentiable.
struct KnownQP {
    let problem: QuadraticProgram
    let z: Vector
    let lambda: Vector
    let mu: Vector
    let active: [Int]

    /// - Parameters:
    ///   - rankDeficit: `Q = M M'/n` with `M` of rank `n - rankDeficit` (PSD, singular)
    ///     instead of `M M'/n + 0.5 I`.
    init(n: Int, p: Int, m: Int, activeCount: Int, seed: UInt64, rankDeficit: Int = 0) {
        var rng = QPRandom(seed: seed)
        let r = n - rankDeficit
        let mm = rng.matrix(n, r)
        var q = Matrix.product(mm, transposed: false, mm, transposed: true)
        q = (1.0 / Double(n)) * q
        if rankDeficit == 0 { for i in 0..<n { q[i, i] += 0.5 } }
        q = q.symmetricPart
        let a = rng.matrix(p, n), g = rng.matrix(m, n)
        let z = rng.vector(n), lambda = rng.vector(p)
        var order = Array(0..<m)
        order.shuffle(using: &rng)
        let active = Array(order.prefix(activeCount)).sorted()
        let isActive = Set(active)
        var mu = Vector.zeros(m), slack = Vector.zeros(m)
        for i in 0..<m {
            if isActive.contains(i) { mu[i] = rng.uniform(0.5...1.5) } else { slack[i] = rng.uniform(0.5...1.5) }
        }
        let b = a * z
        let h = g * z + slack
        var lin = -(q * z)
        if p > 0 { lin -= a.transposedTimes(lambda) }
        if m > 0 { lin -= g.transposedTimes(mu) }
        problem = try! QuadraticProgram(Q: q, q: lin, A: a, b: b, G: g, h: h)
        self.z = z
        self.lambda = lambda
        self.mu = mu
        self.active = active
    }
}

extension QuadraticProgram {
    /// The problem with data `self + t * d` (`d` materialised; `dQ` symmetric).
    func perturbed(_ t: Double, along d: QPParameters) -> QuadraticProgram {
        let d = d.materialized(shape)
        return try! QuadraticProgram(Q: Q + t * d.Q, q: q + t * d.q, A: A + t * d.A, b: b + t * d.b,
                                     G: G + t * d.G, h: h + t * d.h)
    }
}

extension QPOutputs {
    /// `[z, lambda, mu, value]` as one vector.
    var stacked: Vector { Vector(z.scalars + lambda.scalars + mu.scalars + [value]) }
}

extension QPParameters {
    /// Random tangent: symmetric `dQ`, every other field dense.
    static func random(_ s: QPShape, _ rng: inout QPRandom) -> QPParameters {
        QPParameters(Q: rng.symmetric(s.n), q: rng.vector(s.n), A: rng.matrix(s.p, s.n), b: rng.vector(s.p),
                     G: rng.matrix(s.m, s.n), h: rng.vector(s.m))
    }

    /// Only the field `name` of `self` (others zero).
    func only(_ name: QPParameter) -> QPParameters {
        switch name {
        case .Q: return QPParameters(Q: Q)
        case .q: return QPParameters(q: q)
        case .A: return QPParameters(A: A)
        case .b: return QPParameters(b: b)
        case .G: return QPParameters(G: G)
        case .h: return QPParameters(h: h)
        }
    }

    /// `sum <self_P, other_P>` over the fields (both materialised).
    func inner(_ o: QPParameters) -> Double {
        flattened(.Q).dot(o.flattened(.Q)) + q.dot(o.q) + flattened(.A).dot(o.flattened(.A)) + b.dot(o.b)
            + flattened(.G).dot(o.flattened(.G)) + h.dot(o.h)
    }
}

/// The outputs of `problem + t d`, solved tightly.
func solvedOutputs(_ problem: QuadraticProgram, _ t: Double, _ d: QPParameters) throws -> QPOutputs {
    try problem.perturbed(t, along: d).solve().outputs
}

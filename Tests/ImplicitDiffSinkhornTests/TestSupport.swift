import Foundation
import Testing
@testable import ImplicitDiffSinkhorn
@_exported import ImplicitDiffTestSupport  // the shared SplitMix64, for every file of this target

/// The seeded generator is the shared ImplicitDiffTestSupport `SplitMix64`.
extension SplitMix64 {
    /// Positive weights summing to 1.
    mutating func weights(_ n: Int) -> Vector {
        let w = vector(n, in: 0.5...1.5)
        return w / w.sum()
    }
}

/// The data of a problem, movable along a parameter tangent (for finite differences).
struct TransportData {
    var costMatrix: Matrix?
    var x: Matrix?
    var y: Matrix?
    var a: Vector
    var b: Vector
    var epsilon: Double
    /// The marginals' relaxations (1: balanced).
    var tauA = 1.0
    var tauB = 1.0

    func problem() throws -> SinkhornProblem {
        if let c = costMatrix { return try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB) }
        return try SinkhornProblem(x: x!, y: y!, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB)
    }

    /// Solved tightly: finite differences divide the forward error by the step. `1e-13`
    /// is about the tightest tolerance the certificate can confirm at `eps = 1e-3`
    /// (every plan entry carries a rounding of `u max|C| / eps ~ 4e-13` relative); the
    /// Newton polish brings these small problems to rounding accuracy anyway.
    func solve(tolerance: Double = 1e-13) throws -> SinkhornSolution {
        try problem().solve(options: SinkhornOptions(tolerance: tolerance))
    }

    func moved(along t: SinkhornParameterTangent, by h: Double) -> TransportData {
        var d = self
        if let c = costMatrix, !t.costMatrix.scalars.isEmpty { d.costMatrix = c + h * t.costMatrix }
        if let x, !t.x.scalars.isEmpty { d.x = x + h * t.x }
        if let y, !t.y.scalars.isEmpty { d.y = y + h * t.y }
        d.a = a + h * t.a.materialized(count: a.count)
        d.b = b + h * t.b.materialized(count: b.count)
        d.epsilon = epsilon + h * t.epsilon
        return d
    }

    /// A random direction in every parameter; `da`, `db` sum to zero (mass-preserving)
    /// for a balanced problem, unrestricted for an unbalanced one.
    func randomTangent(_ rng: inout SplitMix64) -> SinkhornParameterTangent {
        var t = SinkhornParameterTangent()
        if let c = costMatrix { t.costMatrix = rng.matrix(c.rows, c.columns) }
        if let x { t.x = rng.matrix(x.rows, x.columns) }
        if let y { t.y = rng.matrix(y.rows, y.columns) }
        let balanced = tauA == 1 && tauB == 1
        t.a = balanced ? (rng.vector(a.count) * a).projectedToZeroSum() : rng.vector(a.count) * a
        t.b = balanced ? (rng.vector(b.count) * b).projectedToZeroSum() : rng.vector(b.count) * b
        t.epsilon = 0.1 * epsilon * Double.random(in: -1...1, using: &rng)
        return t
    }

    /// Central differences of every output along `t`, step `h`.
    func finiteDifference(along t: SinkhornParameterTangent, h: Double = 1e-5) throws -> SinkhornOutputTangent {
        let p = try moved(along: t, by: h).solve(), q = try moved(along: t, by: -h).solve()
        let s = 1 / (2 * h)
        return SinkhornOutputTangent(plan: s * (p.plan - q.plan), f: s * (p.f - q.f), g: s * (p.g - q.g), cost: s * (p.cost - q.cost))
    }
}

/// Random data: a cost matrix with entries in [0, 1] (max C ~ 1), or 2-D point clouds.
func randomCostData(n: Int, m: Int, epsilon: Double, seed: UInt64) -> TransportData {
    var rng = SplitMix64(seed: seed)
    return TransportData(costMatrix: rng.matrix(n, m, in: 0...1), a: rng.weights(n), b: rng.weights(m), epsilon: epsilon)
}

func randomPointData(n: Int, m: Int, d: Int = 2, epsilon: Double, seed: UInt64) -> TransportData {
    var rng = SplitMix64(seed: seed)
    return TransportData(x: rng.matrix(n, d, in: 0...1), y: rng.matrix(m, d, in: 0...1), a: rng.weights(n), b: rng.weights(m),
                         epsilon: epsilon)
}

/// `<u, v>` of output tangents (plan, potentials, cost).
func inner(_ u: SinkhornOutputTangent, _ v: SinkhornOutputTangent) -> Double {
    Vector(u.plan.scalars).dot(Vector(v.plan.scalars)) + u.f.dot(v.f) + u.g.dot(v.g) + u.cost * v.cost
}

/// `<u, v>` of parameter tangents.
func inner(_ u: SinkhornParameterTangent, _ v: SinkhornParameterTangent) -> Double {
    Vector(u.costMatrix.scalars).dot(Vector(v.costMatrix.scalars)) + Vector(u.x.scalars).dot(Vector(v.x.scalars))
        + Vector(u.y.scalars).dot(Vector(v.y.scalars)) + u.a.dot(v.a) + u.b.dot(v.b) + u.epsilon * v.epsilon
}

/// A random cotangent of every output.
func randomCotangent(n: Int, m: Int, _ rng: inout SplitMix64) -> SinkhornOutputTangent {
    SinkhornOutputTangent(plan: rng.matrix(n, m), f: rng.vector(n), g: rng.vector(m), cost: Double.random(in: -1...1, using: &rng))
}

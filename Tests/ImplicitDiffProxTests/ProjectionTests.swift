import Testing
@testable import ImplicitDiffProx

@Suite("Projections: variational inequality, Jacobians")
struct ProjectionTests {
    @Test func box() throws {
        var rng = SplitMix64(seed: 11)
        let lower = rng.vector(7, in: -1...0), upper = lower + rng.vector(7, in: 0.5...1.5)
        let set = try Box(lower: lower, upper: upper)
        let v = pointAwayFromKinks(set, count: 7, stepSize: 1, seed: 12, range: -2...2)
        // The box's extreme points: every vertex would be 2^7; the VI separates per
        // coordinate, so the 14 points "p with coordinate i at l_i or u_i" make it complete.
        checkProjection(set, v) { p in
            (0..<7).flatMap { i -> [Vector] in
                var a = p, b = p
                a[i] = lower[i]
                b[i] = upper[i]
                return [a, b]
            }
        }
        try checkJacobians(set, at: v, stepSize: 1)
        #expect(throws: ProxError.self) { try Box(lower: [1], upper: [0]) }
    }

    @Test func nonNegativeOrthant() throws {
        let set = NonNegativeOrthant()
        let v = pointAwayFromKinks(set, count: 7, stepSize: 1, seed: 13)
        // A cone: q = 0, q = 2p and q = p + e_i make the VI complete.
        checkProjection(set, v) { p in [.zeros(7), 2 * p] + (0..<7).map { p + .basis($0, count: 7) } }
        try checkJacobians(set, at: v, stepSize: 1)
    }

    @Test func simplex() throws {
        let set = try Simplex(scale: 1.5)
        var v = Vector.zeros(7)
        var rng = SplitMix64(seed: 14)
        for _ in 0..<1000 {
            v = rng.vector(7, in: -1...2)
            let p = set.project(v)
            if set.differentiabilityMargin(at: v) > 0.05, p.scalars.filter({ $0 > 0 }).count >= 2, p.scalars.contains(0) { break }
        }
        expectClose(set.project(v).sum(), 1.5, rtol: 1e-14, "simplex sum")
        // Vertices s e_i make the VI complete (it is linear in q).
        checkProjection(set, v) { _ in (0..<7).map { 1.5 * Vector.basis($0, count: 7) } }
        try checkJacobians(set, at: v, stepSize: 1)
        // Brute force on n = 2: the segment from (s, 0) to (0, s), searched by golden section.
        let v2 = Vector([0.9, -0.2])
        let t = goldenSection({ t in (Vector([1.5 * t, 1.5 * (1 - t)]) - v2).squaredNorm() }, 0, 1)
        expectClose(set.project(v2), Vector([1.5 * t, 1.5 * (1 - t)]), rtol: 1e-7, floor: 1, "simplex n = 2 brute force")
    }

    @Test func l1Ball() throws {
        let set = try L1Ball(radius: 1.2)
        var rng = SplitMix64(seed: 15)
        var v = Vector.zeros(7)
        for _ in 0..<1000 {
            v = rng.vector(7, in: -1...1)
            if v.scalars.reduce(0, { $0 + abs($1) }) > 1.2, set.differentiabilityMargin(at: v) > 0.05,
               set.project(v).scalars.contains(0) { break }
        }
        // Vertices +-r e_i make the VI complete.
        let vertices = (0..<7).flatMap { [1.2 * Vector.basis($0, count: 7), -1.2 * Vector.basis($0, count: 7)] }
        checkProjection(set, v) { _ in vertices }
        try checkJacobians(set, at: v, stepSize: 1)
        // Inside the ball the projection is the identity.
        let inside = 0.1 * v
        #expect(set.project(inside) == inside)
        try checkJacobians(set, at: inside, stepSize: 1)
    }

    @Test func l2Ball() throws {
        let set = try L2Ball(radius: 1.1)
        var rng = SplitMix64(seed: 16)
        let v = 2 * rng.vector(6)
        #expect(v.norm > 1.2)
        // The maximiser of <v - p, q> over the ball is r (v - p)/||v - p||: the VI is complete.
        checkProjection(set, v) { p in [1.1 * (v - p) / (v - p).norm, .zeros(6), p] }
        try checkJacobians(set, at: v, stepSize: 1)
        try checkJacobians(set, at: 0.3 * v, stepSize: 1)
    }

    @Test func lInfinityBall() throws {
        let set = try LInfinityBall(radius: 0.5)
        let v = pointAwayFromKinks(set, count: 7, stepSize: 1, seed: 17, range: -1...1)
        checkProjection(set, v) { p in
            (0..<7).flatMap { i -> [Vector] in
                var a = p, b = p
                a[i] = -0.5
                b[i] = 0.5
                return [a, b]
            }
        }
        try checkJacobians(set, at: v, stepSize: 1)
    }

    @Test func hyperplaneAndHalfspace() throws {
        var rng = SplitMix64(seed: 18)
        let a = rng.vector(6), b = 0.3
        let plane = try Hyperplane(normal: a, offset: b)
        let v = rng.vector(6, in: -2...2)
        let p = plane.project(v)
        expectClose(a.dot(p), b, rtol: 1e-14, floor: 1, "on the hyperplane")
        // v - p is parallel to a (the VI with q = p +- z, z orthogonal to a, both signs).
        let d = v - p
        expectClose(d - (a.dot(d) / a.squaredNorm()) * a, .zeros(6), rtol: 1e-14, floor: 1, "v - p parallel to a")
        try checkJacobians(plane, at: v, stepSize: 1)

        let half = try Halfspace(normal: a, offset: b)
        let outside = a.dot(v) > b ? v : 2 * p - v            // reflect to the violated side
        let inside = 2 * p - outside
        #expect(a.dot(outside) > b && a.dot(inside) < b)
        let ortho = { (z: Vector) in z - (a.dot(z) / a.squaredNorm()) * a }
        checkProjection(half, outside) { q in [q - a] + (0..<6).flatMap { i in [q + ortho(.basis(i, count: 6)), q - ortho(.basis(i, count: 6))] } }
        #expect(half.project(inside) == inside)
        try checkJacobians(half, at: outside, stepSize: 1)
        try checkJacobians(half, at: inside, stepSize: 1)
        #expect(throws: ProxError.self) { try Hyperplane(normal: .zeros(3), offset: 1) }
    }

    @Test func affineSet() throws {
        var rng = SplitMix64(seed: 19)
        let a = Matrix(rows: 2, columns: 6, scalars: rng.vector(12).scalars), b = rng.vector(2)
        let set = try AffineSet(matrix: a, rightHandSide: b)
        let v = rng.vector(6, in: -2...2)
        let p = set.project(v)
        expectClose(a * p, b, rtol: 1e-13, floor: 1, "A p = b")
        // v - p lies in the row space of A (orthogonal to every feasible direction).
        let d = v - p
        let rowSpace = a.transposedTimes(try CholeskyFactorization(a * a.transposed).solve(a * d))
        expectClose(d, rowSpace, rtol: 1e-12, floor: 1, "v - p in range(A')")
        try checkJacobians(set, at: v, stepSize: 1)
        #expect(throws: ProxError.self) {
            try AffineSet(matrix: Matrix(rows: 2, columns: 3, scalars: [1, 2, 3, 2, 4, 6]), rightHandSide: [1, 2])
        }
    }
}

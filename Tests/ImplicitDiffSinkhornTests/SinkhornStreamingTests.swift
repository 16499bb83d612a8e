import Foundation
import Testing
@testable import ImplicitDiffSinkhorn

// Issue 14, part 2: point clouds without n x m memory.

@Suite("Sinkhorn point clouds without the cost matrix (issue 14)")
struct SinkhornStreamingTests {
    /// The streamed solver against the stored-matrix one on the same problem, with sizes
    /// that cross the block boundaries (64 rows, 1024 columns): potentials, cost and every
    /// part of the cost's gradient agree. Both are solved to 1e-12; the potentials are
    /// then determined to ~1e-10 relative (conditioning of the dual at eps = 0.05), the
    /// cost and gradients to ~1e-11.
    @Test(arguments: [(70, 45, 2), (33, 1030, 3)])
    func matchesTheStoredMatrixSolver(n: Int, m: Int, d: Int) throws {
        let data = randomPointData(n: n, m: m, d: d, epsilon: 0.05, seed: UInt64(n + m))
        let p = try data.problem()
        let options = SinkhornOptions(tolerance: 1e-12)
        let streamed = try p.solveStreaming(options: options)
        let dense = try p.solve(options: options)
        #expect(streamed.certificate.passes(tolerance: 1e-12), "\(streamed.certificate)")
        expectClose(streamed.f, dense.f, rtol: 1e-9, "f")
        expectClose(streamed.g, dense.g, rtol: 1e-9, "g")
        expectClose(streamed.cost, dense.cost, rtol: 1e-11, "cost")
        let gs = streamed.costGradient, gd = dense.costGradient
        expectClose(gs.x, gd.x, rtol: 1e-9, "d cost/d x")
        expectClose(gs.y, gd.y, rtol: 1e-9, "d cost/d y")
        expectClose(gs.a, gd.a, rtol: 1e-9, "d cost/d a")
        expectClose(gs.b, gd.b, rtol: 1e-9, "d cost/d b")
        expectClose(gs.epsilon, gd.epsilon, rtol: 1e-9, "d cost/d eps")
        // The certificate's figures against an independent check of the stored plan.
        let check = independentMarginalErrors(try streamed.densified())
        #expect(abs(check.rows - streamed.certificate.rowMarginalError) <= 1e-13)
        #expect(abs(check.columns - streamed.certificate.columnMarginalError) <= 1e-13)
    }

    /// The streamed cost gradient against central differences of re-solved problems
    /// (tolerance 1e-13, step 1e-5: truncation O(h^2 |f'''|) ~ 1e-10, forward error
    /// 1e-13 / 1e-5 = 1e-8 relative at worst), in x, y, a, b (zero sum) and eps.
    @Test func gradientMatchesFiniteDifferences() throws {
        let data = randomPointData(n: 9, m: 7, d: 2, epsilon: 0.03, seed: 77)
        let tight = SinkhornOptions(tolerance: 1e-13)
        let s = try data.problem().solveStreaming(options: tight)
        var rng = SplitMix64(seed: 78)
        for _ in 0..<3 {
            let t = data.randomTangent(&rng)
            let h = 1e-5
            let up = try data.moved(along: t, by: h).problem().solveStreaming(options: tight).cost
            let down = try data.moved(along: t, by: -h).problem().solveStreaming(options: tight).cost
            expectClose(inner(s.costGradient, t), (up - down) / (2 * h), rtol: 1e-7, "d cost along t")
        }
    }

    /// A self term by the symmetric update (`x = y`, `a = b`), streamed: the same as the
    /// stored-matrix symmetric solve, and symmetric itself (f = g up to the gauge).
    @Test func selfTermByTheSymmetricUpdate() throws {
        var rng = SplitMix64(seed: 5)
        let x = rng.matrix(30, 2, in: 0...1)
        let a = SinkhornProblem.uniformWeights(30)
        let p = try SinkhornProblem(x: x, y: x, a: a, b: a, epsilon: 0.01)
        let s = try p.solveStreaming()
        let t = try p.solve()
        #expect(s.certificate.passes(tolerance: 1e-10))
        expectClose(s.cost, t.cost, rtol: 1e-9, "self-term cost")
        expectClose(s.costGradient.x + s.costGradient.y, t.costGradient.x + t.costGradient.y, rtol: 1e-7, "self-term d/dx")
        let diff = s.f - s.g
        #expect((diff - diff.sum() / 30).maxNorm <= 1e-14, "f - g not constant")
    }

    /// Warm start, the cap, and a cost-matrix problem refused.
    @Test func warmStartCapAndRefusals() throws {
        let data = randomPointData(n: 12, m: 10, d: 2, epsilon: 0.05, seed: 3)
        let p = try data.problem()
        let s = try p.solveStreaming()
        let again = try p.solveStreaming(initialPotentials: (s.f, s.g))
        #expect(again.iterations <= 2, "\(again.iterations) iterations from the solution")
        #expect(throws: SinkhornError.self) { try p.solveStreaming(options: SinkhornOptions(maxIterations: 3)) }
        let c = try SinkhornProblem(costMatrix: p.costMatrix, a: p.a, b: p.b, epsilon: 0.05)
        #expect(throws: SinkhornError.self) { try c.solveStreaming() }
    }

    /// Far from the origin (coordinates ~1e3): the cost is computed from centred points,
    /// so the blocked x . y form loses nothing to cancellation.
    @Test func translatedCloudsGiveTheSameAnswer() throws {
        let data = randomPointData(n: 20, m: 15, d: 2, epsilon: 0.02, seed: 8)
        let shift = Matrix(rows: 1, columns: 2, scalars: [1000, -2000])
        var x = data.x!, y = data.y!
        for i in 0..<20 { for k in 0..<2 { x[i, k] += shift[0, k] } }
        for j in 0..<15 { for k in 0..<2 { y[j, k] += shift[0, k] } }
        let s = try data.problem().solveStreaming()
        let t = try SinkhornProblem(x: x, y: y, a: data.a, b: data.b, epsilon: 0.02).solveStreaming()
        expectClose(t.cost, s.cost, rtol: 1e-10, "cost after translation")
        expectClose(t.costGradient.x, s.costGradient.x, rtol: 1e-8, "d cost/d x after translation")
    }

    /// The potentials' derivative without the plan (matrix-free CG on K, blocked passes)
    /// against the stored-matrix pullback (dense Cholesky of the Schur complement) and
    /// against central differences of L = <fbar, f> + <gbar, g> + costbar cost of re-solved
    /// problems (tolerance 1e-13, step 1e-5; agreement to 1e-6 relative: the difference
    /// quotient carries ~1e-8 of forward error and O(h^2) truncation).
    @Test func potentialsPullbackWithoutThePlan() throws {
        let data = randomPointData(n: 11, m: 8, d: 2, epsilon: 0.04, seed: 91)
        let tight = SinkhornOptions(tolerance: 1e-13)
        let s = try data.problem().solveStreaming(options: tight)
        var rng = SplitMix64(seed: 92)
        let cotangent = SinkhornOutputTangent(f: rng.vector(11), g: rng.vector(8), cost: 0.7)
        let (streamed, report) = try s.pullbackWithReport(cotangent, options: ImplicitOptions(linearTolerance: 1e-13))
        #expect(report.method == "cg" && report.relativeResidual <= 1e-13, "\(report)")
        let dense = try s.densified().derivative().pullback(cotangent)
        expectClose(streamed.x, dense.x, rtol: 1e-9, "xbar")
        expectClose(streamed.y, dense.y, rtol: 1e-9, "ybar")
        expectClose(streamed.a, dense.a, rtol: 1e-9, "abar")
        expectClose(streamed.b, dense.b, rtol: 1e-9, "bbar")
        expectClose(streamed.epsilon, dense.epsilon, rtol: 1e-9, "epsbar")
        func loss(_ p: TransportData) throws -> Double {
            let t = try p.problem().solveStreaming(options: tight)
            return cotangent.f.dot(t.f) + cotangent.g.dot(t.g) + cotangent.cost * t.cost
        }
        for _ in 0..<2 {
            let t = data.randomTangent(&rng)
            let h = 1e-5
            let fd = (try loss(data.moved(along: t, by: h)) - loss(data.moved(along: t, by: -h))) / (2 * h)
            expectClose(inner(streamed, t), fd, rtol: 1e-6, "<grad, t> vs central differences")
        }
        // A plan cotangent is refused (it needs the n x m plan).
        #expect(throws: SinkhornError.self) {
            try s.pullbackWithReport(SinkhornOutputTangent(plan: Matrix(rows: 11, columns: 8, repeating: 1)))
        }
    }
}

import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffSinkhorn

// The Swift AD entry points inside `gradient(at:of:)`: against the library's own
// derivative (same numbers: proves the registered derivative runs), against finite
// differences of tight solves (1e-6 relative, see SinkhornDerivativeTests for the
// reasoning) and against AD through the unrolled iteration (1e-9).

@Suite("Sinkhorn under Swift AD")
struct SinkhornSwiftADTests {
    @Test func costGradientWithRespectToTheCostMatrix() throws {
        let data = randomCostData(n: 5, m: 4, epsilon: 0.1, seed: 101)
        let (a, b, eps) = (data.a, data.b, data.epsilon)
        let c = data.costMatrix!
        let g = gradient(at: c) { c in sinkhornCost(costMatrix: c, a: a, b: b, epsilon: eps) }
        let s = try data.solve(tolerance: 1e-10)
        expectClose(g, s.plan, rtol: 1e-8, "d cost/dC = P")
        // Composed with other differentiable code, and against the unrolled reference.
        let theta = packParameters(data)
        let reference = gradient(at: theta) { theta in unrolledLoss(theta, n: 5, m: 4, iterations: 400, cotangent: SinkhornOutputTangent(cost: 1)) }
        expectClose(g.flattened, reference.entries(0..<20), rtol: 1e-9, "vs unrolled AD")
        let (dEps, dA) = gradient(at: eps, a) { e, a in sinkhornCost(costMatrix: c, a: a, b: b, epsilon: e) }
        expectClose(dEps, reference[29], rtol: 1e-9, "d cost/d eps")
        expectClose(dA.projectedToZeroSum(), reference.entries(20..<25).projectedToZeroSum(), rtol: 1e-9, "d cost/da")
    }

    @Test func costGradientWithRespectToPoints() throws {
        let data = randomPointData(n: 6, m: 5, epsilon: 0.05, seed: 102)
        let (y, a, b, eps) = (data.y!, data.a, data.b, data.epsilon)
        let gx = gradient(at: data.x!) { x in 2 * sinkhornCost(x: x, y: y, a: a, b: b, epsilon: eps) }
        var fd = Matrix(rows: 6, columns: 2)
        for k in 0..<12 {
            var e = Matrix(rows: 6, columns: 2)
            e.scalars[k] = 1
            fd.scalars[k] = 2 * (try data.finiteDifference(along: SinkhornParameterTangent(x: e), h: 1e-6).cost)
        }
        expectClose(gx, fd, rtol: 1e-6, "d(2 cost)/dx")
    }

    @Test func planPullbackUnderSwiftAD() throws {
        let data = randomCostData(n: 4, m: 5, epsilon: 0.1, seed: 103)
        let (a, b, eps) = (data.a, data.b, data.epsilon)
        var rng = SplitMix64(seed: 104)
        let weights = rng.vector(20)
        let options = SinkhornOptions(tolerance: 1e-13)
        let g = gradient(at: data.costMatrix!) { c in
            sinkhornPlan(costMatrix: c, a: a, b: b, epsilon: eps, solverOptions: options).flattened.dot(weights)
        }
        let direct = try data.solve(tolerance: 1e-13).derivative()
            .pullback(SinkhornOutputTangent(plan: Matrix(rows: 4, columns: 5, scalars: weights.scalars)))
        expectClose(g, direct.costMatrix, rtol: 1e-12, "same as SinkhornDerivative")
        let reference = gradient(at: packParameters(data)) { theta in
            unrolledLoss(theta, n: 4, m: 5, iterations: 400,
                         cotangent: SinkhornOutputTangent(plan: Matrix(rows: 4, columns: 5, scalars: weights.scalars)))
        }
        expectClose(g.flattened, reference.entries(0..<20), rtol: 1e-9, "vs unrolled AD")
    }

    @Test func failuresAreCollectedByCheckedScope() throws {
        let data = randomCostData(n: 4, m: 4, epsilon: 0.01, seed: 105)
        let (a, b) = (data.a, data.b)
        let capped = SinkhornOptions(maxIterations: 2)
        #expect(throws: SinkhornError.self) {
            _ = try withCheckedDerivatives {
                gradient(at: data.costMatrix!) { c in sinkhornCost(costMatrix: c, a: a, b: b, epsilon: 0.01, solverOptions: capped) }
            }
        }
        #expect(throws: SinkhornError.self) {
            _ = try withCheckedDerivatives {
                gradient(at: data.costMatrix!) { c in sinkhornPlan(costMatrix: c, a: a, b: b, epsilon: -1).flattened.sum() }
            }
        }
        // A healthy call in the same kind of scope passes.
        let g = try withCheckedDerivatives {
            gradient(at: data.costMatrix!) { c in sinkhornCost(costMatrix: c, a: a, b: b, epsilon: 0.1) }
        }
        #expect(g.isFinite && abs(g.scalars.reduce(0, +) - 1) < 1e-9)
    }
}

@Suite("Sinkhorn divergence")
struct SinkhornDivergenceTests {
    @Test func zeroWithZeroGradientForIdenticalMeasures() throws {
        let data = randomPointData(n: 7, m: 7, epsilon: 0.05, seed: 111)
        let x = data.x!, a = data.a
        // Solved to 1e-13: the potentials of the three problems then agree to ~1e-12.
        let tight = SinkhornOptions(tolerance: 1e-13)
        let d = try SinkhornDivergence(x: x, y: x, a: a, b: a, epsilon: 0.05, options: tight)
        #expect(abs(d.value) <= 1e-14, "S(x, x) = \(d.value)")
        let gx = gradient(at: x) { x in sinkhornDivergence(x: x, y: withoutDerivative(at: x), a: a, b: a, epsilon: 0.05, solverOptions: tight) }
        // Each term's gradient is O(1e-1); they cancel to rounding and solver tolerance.
        #expect(gx.maxNorm <= 1e-11, "dS/dx at y = x: \(gx.maxNorm)")
        // a = b minimises S(., b) >= 0, so dS/da = 0 there too.
        #expect(d.gradient.a.maxNorm <= 1e-11 && d.gradient.b.maxNorm <= 1e-11, "dS/da: \(d.gradient.a), dS/db: \(d.gradient.b)")
    }

    @Test func positiveWithGradientMatchingFiniteDifferences() throws {
        let data = randomPointData(n: 5, m: 6, epsilon: 0.05, seed: 112)
        let d = try SinkhornDivergence(x: data.x!, y: data.y!, a: data.a, b: data.b, epsilon: 0.05,
                                       options: SinkhornOptions(tolerance: 1e-14))
        #expect(d.value > 0)
        var rng = SplitMix64(seed: 113)
        for _ in 0..<3 {
            let t = data.randomTangent(&rng)
            let h = 1e-5
            let p = data.moved(along: t, by: h), q = data.moved(along: t, by: -h)
            let sp = try SinkhornDivergence(x: p.x!, y: p.y!, a: p.a, b: p.b, epsilon: p.epsilon, options: SinkhornOptions(tolerance: 1e-14))
            let sq = try SinkhornDivergence(x: q.x!, y: q.y!, a: q.a, b: q.b, epsilon: q.epsilon, options: SinkhornOptions(tolerance: 1e-14))
            expectClose(inner(d.gradient, t), (sp.value - sq.value) / (2 * h), rtol: 1e-6, "dS along t")
        }
        let (y, a, b) = (data.y!, data.a, data.b)
        let gx = gradient(at: data.x!) { x in sinkhornDivergence(x: x, y: y, a: a, b: b, epsilon: 0.05) }
        expectClose(gx, d.gradient.x, rtol: 1e-8, "Swift AD entry point")
    }
}

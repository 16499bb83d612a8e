import Foundation
import Testing
@testable import ImplicitDiffSinkhorn

// The forward solver against its defining properties: marginals, the plan formula, the
// gauge, the primal cost, and agreement of its two code paths (kernel fast path and pure
// log domain) and of runs with and without epsilon scaling. Tolerances: solves at tol
// 1e-12 leave marginal errors <= 1e-12 relative; potentials of two such solves agree to
// about tol / (spectral gap), checked at 1e-8 relative.

@Suite("Sinkhorn forward solver")
struct SinkhornForwardTests {
    @Test(arguments: [(7, 5, 0.1), (4, 9, 0.05), (6, 10, 0.001)])
    func marginalsPlanAndGauge(n: Int, m: Int, epsilon: Double) throws {
        let data = randomCostData(n: n, m: m, epsilon: epsilon, seed: UInt64(n * 100 + m))
        let s = try data.solve(tolerance: 1e-12)
        #expect(s.marginalError <= 1e-12)
        expectClose(s.plan * Vector(repeating: 1, count: m), data.a, rtol: 1e-11, "P 1 = a")
        expectClose(s.plan.transposedTimes(Vector(repeating: 1, count: n)), data.b, rtol: 1e-11, "P' 1 = b")
        #expect(abs(s.g.sum()) <= 1e-13 * Swift.max(1, s.g.maxNorm), "sum(g) = \(s.g.sum())")
        #expect(s.plan.isFinite && s.f.isFinite && s.g.isFinite)
        // Plan formula and primal cost computed independently, entry by entry.
        let c = data.costMatrix!
        var primal = 0.0
        for i in 0..<n {
            for j in 0..<m {
                let logP = (s.f[i] + s.g[j] - c[i, j]) / epsilon
                #expect(abs(s.plan[i, j] - Foundation.exp(logP)) <= 1e-15 + 1e-13 * s.plan[i, j])
                primal += s.plan[i, j] * c[i, j] + epsilon * s.plan[i, j] * (logP - 1)
            }
        }
        expectClose(s.cost, primal, rtol: 1e-12, "cost = <P, C> + eps sum P (log P - 1)")
    }

    @Test func kernelPathMatchesLogDomain() throws {
        // Newton polishing off: the iteration paths themselves must agree.
        for (epsilon, seed) in [(0.2, UInt64(1)), (0.02, 2), (0.002, 3)] {
            let p = try randomCostData(n: 8, m: 6, epsilon: epsilon, seed: seed).problem()
            func run(scaling: Double? = 0.5, kernel: Bool = true, relax: Bool = true) throws -> SinkhornSolution {
                try p.solve(options: SinkhornOptions(tolerance: 1e-12, epsilonScalingFactor: scaling, kernelFastPath: kernel,
                                                     overRelaxation: relax, newtonPolish: false))
            }
            let fast = try run(), log = try run(kernel: false), direct = try run(scaling: nil, kernel: false)
            let plain = try run(relax: false)
            #expect(fast.marginalError <= 1e-12 && log.marginalError <= 1e-12 && plain.marginalError <= 1e-12)
            expectClose(fast.f, log.f, rtol: 1e-8, "f, eps = \(epsilon)")
            expectClose(fast.g, log.g, rtol: 1e-8, "g, eps = \(epsilon)")
            expectClose(direct.f, log.f, rtol: 1e-8, "f without scaling, eps = \(epsilon)")
            expectClose(direct.plan, fast.plan, rtol: 1e-8, "plan, eps = \(epsilon)")
            expectClose(plain.f, fast.f, rtol: 1e-8, "f without over-relaxation, eps = \(epsilon)")
            #expect(fast.stages > 1 && direct.stages == 1)
            // Over-relaxation pays off where the plain iteration is slow.
            if epsilon < 0.01 { #expect(fast.iterations < plain.iterations, "\(fast.iterations) vs \(plain.iterations)") }
        }
    }

    @Test func newtonPolishReachesRounding() throws {
        // A loose Sinkhorn solve (1e-6) polished by Newton steps matches a tight one.
        let p = try randomCostData(n: 30, m: 20, epsilon: 0.002, seed: 9).problem()
        let loose = try p.solve(options: SinkhornOptions(tolerance: 1e-6))
        let tight = try p.solve(options: SinkhornOptions(tolerance: 1e-13, newtonPolish: false))
        let unpolished = try p.solve(options: SinkhornOptions(tolerance: 1e-6, newtonPolish: false))
        #expect(unpolished.marginalError > 1e-9)
        #expect(loose.marginalError <= 1e-14, "polished marginal error \(loose.marginalError)")
        expectClose(loose.f, tight.f, rtol: 1e-10, "f")
        expectClose(loose.plan, tight.plan, rtol: 1e-10, "plan")
    }

    @Test func pointCloudsMatchTheirCostMatrix() throws {
        let data = randomPointData(n: 9, m: 7, d: 3, epsilon: 0.05, seed: 11)
        let p = try data.problem()
        let c = p.costMatrix
        for i in 0..<9 {
            for j in 0..<7 {
                let d = data.x!.row(i) - data.y!.row(j)
                #expect(abs(c[i, j] - d.squaredNorm()) <= 1e-14)
            }
        }
        let fromPoints = try p.solve(options: SinkhornOptions(tolerance: 1e-12))
        let fromMatrix = try SinkhornProblem(costMatrix: c, a: data.a, b: data.b, epsilon: 0.05).solve(options: SinkhornOptions(tolerance: 1e-12))
        expectClose(fromPoints.plan, fromMatrix.plan, rtol: 1e-14, "plan")
        expectClose(fromPoints.cost, fromMatrix.cost, rtol: 1e-14, "cost")
    }

    @Test func verySmallEpsilonStaysFinite() throws {
        // eps = 1e-4 max C: exp(-C/eps) underflows to 0 for most entries; the log-domain
        // steps and absorption keep everything finite.
        let data = randomCostData(n: 12, m: 9, epsilon: 1e-4, seed: 5)
        let s = try data.solve(tolerance: 1e-10)
        #expect(s.marginalError <= 1e-10)
        #expect(s.plan.isFinite && s.f.isFinite && s.g.isFinite && s.cost.isFinite)
        // Close to unregularised transport: the cost is within eps * log(n m) of <P, C>.
        let transport = Vector(s.plan.scalars).dot(Vector(data.costMatrix!.scalars))
        #expect(abs(s.cost - transport) <= 1e-4 * (1 + Foundation.log(108.0)))
    }

    @Test func largeCostsAndUnnormalisedMasses() throws {
        // Costs ~1e3 with eps = 1 and total mass 5: nothing is normalised to 1.
        var rng = SplitMix64(seed: 8)
        let c = 1000 * rng.matrix(6, 4, in: 0...1)
        let a = 5 * rng.weights(6), b = 5 * rng.weights(4)
        let s = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: 1).solve(options: SinkhornOptions(tolerance: 1e-12))
        expectClose(s.plan * Vector(repeating: 1, count: 4), a, rtol: 1e-11, "P 1 = a")
        expectClose(s.plan.transposedTimes(Vector(repeating: 1, count: 6)), b, rtol: 1e-11, "P' 1 = b")
    }

    @Test func iterationCapThrows() throws {
        let p = try randomCostData(n: 6, m: 5, epsilon: 0.01, seed: 3).problem()
        #expect(throws: SinkhornError.self) { _ = try p.solve(options: SinkhornOptions(maxIterations: 3)) }
        do {
            _ = try p.solve(options: SinkhornOptions(maxIterations: 3))
        } catch let SinkhornError.notConverged(iterations, error, tolerance) {
            #expect(iterations == 3 && error > tolerance)
        }
    }
}

@Suite("Sinkhorn input validation")
struct SinkhornValidationTests {
    let c = Matrix(rows: 2, columns: 2, scalars: [0, 1, 1, 0])
    let half: Vector = [0.5, 0.5]

    @Test func rejectsBadData() {
        func rejects(_ expected: SinkhornError, _ body: () throws -> SinkhornProblem) {
            do {
                _ = try body()
                Issue.record("expected \(expected)")
            } catch let e as SinkhornError {
                #expect(e == expected, "\(e)")
                #expect(!e.description.isEmpty)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        rejects(.nonPositiveWeight(marginal: "a", index: 1, value: 0)) {
            try SinkhornProblem(costMatrix: c, a: [1, 0], b: half * 2, epsilon: 0.1)
        }
        rejects(.nonPositiveWeight(marginal: "b", index: 0, value: -0.5)) {
            try SinkhornProblem(costMatrix: c, a: half, b: [-0.5, 1.5], epsilon: 0.1)
        }
        rejects(.unequalMasses(1, 1.5)) { try SinkhornProblem(costMatrix: c, a: half, b: [0.5, 1], epsilon: 0.1) }
        rejects(.nonPositiveEpsilon(-0.1)) { try SinkhornProblem(costMatrix: c, a: half, b: half, epsilon: -0.1) }
        rejects(.nonPositiveEpsilon(0)) { try SinkhornProblem(costMatrix: c, a: half, b: half, epsilon: 0) }
        rejects(.nonFinite("epsilon")) { try SinkhornProblem(costMatrix: c, a: half, b: half, epsilon: .infinity) }
        rejects(.nonFinite("the cost matrix C")) {
            try SinkhornProblem(costMatrix: Matrix(rows: 2, columns: 2, scalars: [0, .nan, 1, 0]), a: half, b: half, epsilon: 0.1)
        }
        rejects(.nonFinite("the marginal a")) { try SinkhornProblem(costMatrix: c, a: [.nan, 0.5], b: half, epsilon: 0.1) }
        rejects(.dimensionMismatch("C is 2 x 2 but a has 3 and b has 2 entries")) {
            try SinkhornProblem(costMatrix: c, a: [0.2, 0.3, 0.5], b: half, epsilon: 0.1)
        }
        rejects(.dimensionMismatch("x has 2 and y has 3 coordinates per point")) {
            try SinkhornProblem(x: Matrix(rows: 2, columns: 2), y: Matrix(rows: 2, columns: 3), a: half, b: half, epsilon: 0.1)
        }
        rejects(.nonFinite("the point cloud y")) {
            try SinkhornProblem(x: Matrix(rows: 2, columns: 1), y: Matrix(rows: 2, columns: 1, scalars: [0, .infinity]), a: half, b: half, epsilon: 0.1)
        }
        rejects(.dimensionMismatch("a measure has no points")) {
            try SinkhornProblem(costMatrix: Matrix(rows: 0, columns: 2), a: [], b: half, epsilon: 0.1)
        }
    }

    @Test func acceptsMassesEqualToRoundoff() throws {
        let p = try SinkhornProblem(costMatrix: c, a: half, b: [0.5, 0.5 + 1e-12], epsilon: 0.1)
        #expect(try p.solve().marginalError < 1e-9)
    }
}

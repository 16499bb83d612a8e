import Foundation
import Testing
@testable import ImplicitDiffSinkhorn

// Issue 14, part 1: self terms by the symmetric update, and a plain solver that does not
// stall on clouds that coincide (a Newton finish on the dual).

/// The cost of `x` against itself with one entry moved up by one ulp: no longer exactly
/// symmetric, so `solve()` runs the plain alternating iteration on what is, to rounding,
/// the self term.
func nearlySymmetricCost(_ x: Matrix) -> Matrix {
    var c = SinkhornProblem.squaredDistances(x, x)
    c.scalars[1] = c.scalars[1].nextUp
    return c
}

@Suite("Sinkhorn convergence (issue 14)")
struct SinkhornConvergenceTests {
    /// The issue's divergence: 30 and 40 points in the unit square, eps = 0.005. Before:
    /// both self terms stopped at 100 000 iterations (marginal error 1.2e-7).
    static func issueClouds() -> (x: Matrix, y: Matrix) {
        var rng = SplitMix64(seed: 5)
        return (rng.matrix(30, 2, in: 0...1), rng.matrix(40, 2, in: 0...1))
    }

    /// ott-jax's `test_diag_sum` case: x = y, 17 points in [0, 1]^4, eps = 0.01.
    static func diagSumCloud() -> Matrix {
        var rng = SplitMix64(seed: 17)
        return rng.matrix(17, 4, in: 0...1)
    }

    @Test func divergenceOfTheIssueConverges() throws {
        let (x, y) = Self.issueClouds()
        let d = try SinkhornDivergence(x: x, y: y, epsilon: 0.005)
        for (name, term) in [("cross", d.crossTerm), ("source", d.sourceTerm), ("target", d.targetTerm)] {
            #expect(term.certificate.passes(tolerance: 1e-10), "\(name): \(term.certificate)")
            #expect(independentMarginalErrors(term).rows <= 1e-10, "\(name): \(independentMarginalErrors(term))")
        }
        // The self terms are symmetric: f = g up to the gauge shift.
        for term in [d.sourceTerm, d.targetTerm] {
            let diff = term.f - term.g
            #expect((diff - diff.sum() / Double(diff.count)).maxNorm <= 1e-12 * term.f.maxNorm, "f - g not constant")
        }
        #expect(d.value > 0)
    }

    /// The plain (alternating) iteration on the self terms of the issue and on ott-jax's
    /// `test_diag_sum`: without the Newton finish it stalls (the test of that shows the
    /// stall is real); with it, it converges to the symmetric update's answer.
    @Test(arguments: [("issue x", 0.005), ("diag_sum", 0.01)])
    func plainSolverConvergesOnIdenticalClouds(name: String, epsilon: Double) throws {
        let x = name == "diag_sum" ? Self.diagSumCloud() : Self.issueClouds().x
        let a = SinkhornProblem.uniformWeights(x.rows)
        let plain = try SinkhornProblem(costMatrix: nearlySymmetricCost(x), a: a, b: a, epsilon: epsilon)
        #expect(!plain.isSymmetric)
        let stalled = SinkhornOptions(maxIterations: 20_000, newtonFinish: false)
        #expect(throws: SinkhornError.self, "\(name): the plain iteration alone stalls") { try plain.solve(options: stalled) }

        let s = try plain.solve()
        #expect(s.certificate.passes(tolerance: 1e-10))
        #expect(s.iterations < 1000, "\(name): \(s.iterations) iterations")
        let symmetric = try SinkhornProblem(x: x, y: x, a: a, b: a, epsilon: epsilon)
        #expect(symmetric.isSymmetric)
        let t = try symmetric.solve()
        // Same problem to one ulp of one cost entry. The potentials themselves are not
        // comparable: along (v, -v) the dual is flat to exp(-min |x_i - x_l|^2 / eps)
        // (e^-50 for diag_sum), so pairs far apart in f - g meet the marginals alike.
        // The plan and the cost are determined: they agree to the tolerance (1e-10)
        // times a modest factor.
        expectClose(s.plan, t.plan, rtol: 1e-8, "\(name): plan, plain vs symmetric")
        expectClose(s.cost, t.cost, rtol: 1e-9, "\(name): cost, plain vs symmetric")
        expectClose(s.f + s.g, t.f + t.g, rtol: 1e-8, "\(name): f + g (fixed by the diagonal of the plan)")
        // The symmetric update alone (no Newton) converges too.
        let u = try symmetric.solve(options: SinkhornOptions(newtonFinish: false))
        #expect(u.certificate.passes(tolerance: 1e-10))
    }

    /// 20 random small problems (n = 10-30) at eps = 0.005 and 0.001 of max C, y close to
    /// x, as self terms (plain iteration, a = b) and as transport with other weights:
    /// every one converges and is certified.
    @Test(arguments: [0.005, 0.001])
    func sweepOfSmallProblemsConverges(relativeEpsilon: Double) throws {
        var failures: [String] = []
        for seed in UInt64(0)..<20 {
            var rng = SplitMix64(seed: 2000 + seed)
            let n = 10 + Int(seed % 21)
            let x = rng.matrix(n, 2, in: 0...1)
            var y = x
            for j in 0..<n { for k in 0..<2 { y[j, k] += 1e-3 * Double.random(in: -1...1, using: &rng) } }
            let maxC = SinkhornProblem.squaredDistances(x, y).scalars.max()!
            let eps = relativeEpsilon * maxC, a = rng.weights(n), b = rng.weights(n)
            let problems = [("transport", try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: eps)),
                            ("self, plain", try SinkhornProblem(costMatrix: nearlySymmetricCost(x), a: a, b: a, epsilon: eps)),
                            ("self, symmetric", try SinkhornProblem(x: x, y: x, a: a, b: a, epsilon: eps))]
            for (kind, p) in problems {
                do {
                    let s = try p.solve()
                    if !(independentMarginalErrors(s).rows <= 1e-10) { failures.append("seed \(seed) \(kind): \(independentMarginalErrors(s))") }
                } catch {
                    failures.append("seed \(seed) \(kind): \(error)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// Gradients at the swept scales: d cost/d x (envelope theorem) of a self term
    /// solved by the plain iteration plus Newton against central differences of re-solved
    /// problems (step 1e-6; truncation O(h^2) and forward error 1e-13/h keep the
    /// difference quotient to ~1e-7 relative).
    @Test(arguments: [UInt64(3), 11])
    func gradientsAfterNewtonFinishMatchFiniteDifferences(seed: UInt64) throws {
        var rng = SplitMix64(seed: 3000 + seed)
        let n = 12, x = rng.matrix(n, 2, in: 0...1)
        var y = x
        for j in 0..<n { for k in 0..<2 { y[j, k] += 1e-3 * Double.random(in: -1...1, using: &rng) } }
        let maxC = SinkhornProblem.squaredDistances(x, y).scalars.max()!
        let data = TransportData(x: x, y: y, a: rng.weights(n), b: rng.weights(n), epsilon: 0.001 * maxC)
        let s = try data.solve()
        for _ in 0..<2 {
            var t = data.randomTangent(&rng)
            t.epsilon = 0
            let h = 1e-6
            let fd = (try data.moved(along: t, by: h).solve().cost - data.moved(along: t, by: -h).solve().cost) / (2 * h)
            expectClose(inner(s.costGradient, t), fd, rtol: 1e-6, "d cost along t, seed \(seed)")
        }
    }

    /// The divergence's gradient at the issue's scale (eps = 0.005) against central
    /// differences of the value along random directions of x, y (and a, b: zero sum).
    @Test func divergenceGradientAtSmallEpsilonMatchesFiniteDifferences() throws {
        var rng = SplitMix64(seed: 41)
        let x = rng.matrix(12, 2, in: 0...1), y = rng.matrix(15, 2, in: 0...1)
        let data = TransportData(x: x, y: y, a: rng.weights(12), b: rng.weights(15), epsilon: 0.005)
        let tight = SinkhornOptions(tolerance: 1e-13)
        func value(_ p: TransportData) throws -> Double {
            try SinkhornDivergence(x: p.x!, y: p.y!, a: p.a, b: p.b, epsilon: p.epsilon, options: tight).value
        }
        let d = try SinkhornDivergence(x: x, y: y, a: data.a, b: data.b, epsilon: 0.005, options: tight)
        for _ in 0..<2 {
            var t = data.randomTangent(&rng)
            t.epsilon = 0
            let h = 1e-6
            let fd = (try value(data.moved(along: t, by: h)) - value(data.moved(along: t, by: -h))) / (2 * h)
            expectClose(inner(d.gradient, t), fd, rtol: 1e-6, "dS along t")
        }
    }

    /// A failure says which of the three problems failed (the target term is solved first).
    @Test func failureNamesTheTerm() throws {
        let (x, y) = Self.issueClouds()
        do {
            _ = try SinkhornDivergence(x: x, y: y, epsilon: 0.005, options: SinkhornOptions(maxIterations: 5))
            Issue.record("expected a failure")
        } catch let SinkhornError.divergenceTermFailed(term, error) {
            #expect(term == .target)
            guard case .notConverged = error else { Issue.record("unexpected \(error)"); return }
            let text = SinkhornError.divergenceTermFailed(term: term, error: error).description
            #expect(text.contains("target self term OT(b, b) of y") && text.contains("5 iterations"), "\(text)")
        }
        // With the target solved, a failing cross term is named as such.
        let target = try SinkhornDivergenceTarget(y: y, b: SinkhornProblem.uniformWeights(40), epsilon: 0.005)
        do {
            _ = try SinkhornDivergence(x: x, a: SinkhornProblem.uniformWeights(30), target: target,
                                       options: SinkhornOptions(maxIterations: 5))
            Issue.record("expected a failure")
        } catch let SinkhornError.divergenceTermFailed(term, _) {
            #expect(term == .cross)
        }
    }

    /// The static target is solved once; the divergence to it equals the full one, and a
    /// warm start from the previous step's potentials gives the same answer with fewer
    /// iterations.
    @Test func staticTargetAndWarmStart() throws {
        let (x, y) = Self.issueClouds()
        let a = SinkhornProblem.uniformWeights(30), b = SinkhornProblem.uniformWeights(40)
        let target = try SinkhornDivergenceTarget(y: y, b: b, epsilon: 0.01)
        let full = try SinkhornDivergence(x: x, y: y, a: a, b: b, epsilon: 0.01)
        let reused = try SinkhornDivergence(x: x, a: a, target: target)
        expectClose(reused.value, full.value, rtol: 1e-12, "S with a precomputed target")
        #expect(reused.targetTerm.cost == target.term.cost)
        let moved = x + 1e-3 * Matrix(rows: 30, columns: 2, repeating: 1)
        let cold = try SinkhornDivergence(x: moved, a: a, target: target)
        let warm = try SinkhornDivergence(x: moved, a: a, target: target, warmStart: reused)
        expectClose(warm.value, cold.value, rtol: 1e-10, "warm vs cold start")
        expectClose(warm.gradient.x, cold.gradient.x, rtol: 1e-8, "gradient, warm vs cold start")
        #expect(warm.crossTerm.iterations < cold.crossTerm.iterations,
                "warm \(warm.crossTerm.iterations) vs cold \(cold.crossTerm.iterations) iterations")
    }

    /// Warm start of a plain problem from its own solution: converged at once; wrong
    /// lengths are rejected.
    @Test func warmStartFromPotentials() throws {
        let data = randomPointData(n: 8, m: 6, epsilon: 0.05, seed: 7)
        let p = try data.problem()
        let s = try p.solve()
        let again = try p.solve(initialPotentials: (s.f, s.g))
        #expect(again.iterations <= 2, "\(again.iterations) iterations from the solution")
        expectClose(again.f, s.f, rtol: 1e-10, "f")
        #expect(throws: SinkhornError.self) { try p.solve(initialPotentials: (s.g, s.f)) }
    }

    /// Uniform default weights.
    @Test func uniformWeightsByDefault() throws {
        let data = randomPointData(n: 5, m: 4, epsilon: 0.1, seed: 9)
        let p = try SinkhornProblem(x: data.x!, y: data.y!, epsilon: 0.1)
        #expect(p.a == Vector(repeating: 0.2, count: 5) && p.b == Vector(repeating: 0.25, count: 4))
        let q = try SinkhornProblem(costMatrix: p.costMatrix, epsilon: 0.1)
        expectClose(try q.solve().cost, try p.solve().cost, rtol: 1e-12, "cost matrix vs points")
    }
}

import Testing
import ImplicitDiffSinkhorn   // only this, as the README's snippet

// The README's ImplicitDiffSinkhorn snippet, compiled and run as written with the names it
// assumes defined here. References: the envelope theorem (dC = P, exact: 1e-12 between the
// two routes to it), the same quantities recomputed directly (1e-9: two solves to the
// default marginal tolerance 1e-10), and central differences of tightly solved problems
// (1e-13) for the plan's pullback: step 1e-5, truncation ~1e-10, forward error 1e-13 / 1e-5
// = 1e-8, and the snippet's derivative sits at a solution within 1e-10: compared at 1e-5.
@Suite("README: ImplicitDiffSinkhorn snippet compiles and runs")
struct SinkhornReadmeSnippetTests {
    @Test func readmeSnippet() throws {
        let data = randomPointData(n: 6, m: 5, epsilon: 0.01, seed: 121)
        let (x, y, a, b) = (data.x!, data.y!, data.a, data.b)
        var rng = SplitMix64(seed: 122)
        let x2 = x + 0.01 * rng.matrix(6, 2)
        let pbar = rng.matrix(6, 5)
        // --- README.md, ImplicitDiffSinkhorn ---
        let s = try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: 0.01).solve()   // or costMatrix:; a, b optional (uniform)
        let (P, f, g, cost) = (s.plan, s.f, s.g, s.cost)   // P = exp((f_i + g_j - C_ij)/eps), sum(g) = 0
        let grad = s.costGradient                // dC = P, da = f, db = g, dx, dy, deps: no linear solve
        let d = try s.derivative()               // plan / potentials: Schur complement, size min(n, m)
        let gp = try d.pullback(SinkhornOutputTangent(plan: pbar))
        let S = try SinkhornDivergence(x: x, y: y, a: a, b: b, epsilon: 0.01)       // S.value, S.gradient
        let T = try SinkhornDivergenceTarget(y: y, b: b, epsilon: 0.01)               // OT(b, b) once, for a flow in x
        let S2 = try SinkhornDivergence(x: x2, a: a, target: T, warmStart: S)
        let big = try SinkhornProblem(x: x, y: y, epsilon: 0.05).solveStreaming()     // O((n + m) d) memory
        let (bigCost, bigDx) = (big.cost, big.costGradient.x)   // one blocked pass; big.plan() forms P on demand
        let dC = gradient(at: s.costMatrix) { C in sinkhornCost(costMatrix: C, a: a, b: b, epsilon: 0.01) }   // Swift AD: P
        // ---
        let C = s.costMatrix
        for i in 0..<6 {
            for j in 0..<5 {
                let formula = Vector([(f[i] + g[j] - C[i, j]) / 0.01]).exp()[0]   // relative rounding ~ |C| u / eps
                #expect(abs(P[i, j] - formula) <= 1e-9 * formula, "P[\(i), \(j)] = \(P[i, j]) vs \(formula)")
            }
        }
        #expect(abs(g.sum()) <= 1e-12 && abs(cost - s.cost) == 0)
        #expect((grad.costMatrix - P).maxNorm <= 1e-12)
        #expect((dC - P).maxNorm <= 1e-12)
        // The plan's pullback in x against central differences of tight solves.
        let dx = rng.matrix(6, 2)
        let tight = SinkhornOptions(tolerance: 1e-13)
        func planInner(_ t: Double) throws -> Double {
            let p = try SinkhornProblem(x: x + t * dx, y: y, a: a, b: b, epsilon: 0.01).solve(options: tight).plan
            return Vector(p.scalars).dot(Vector(pbar.scalars))
        }
        let h = 1e-5
        let fd = (try planInner(h) - (try planInner(-h))) / (2 * h)
        let ad = Vector(gp.x.scalars).dot(Vector(dx.scalars))
        #expect(abs(ad - fd) <= 1e-5 * max(1, abs(fd)), "<d<pbar, P>/dx, dx> = \(ad), central difference \(fd)")
        // The divergences and the streamed solve against direct computations.
        let direct2 = try SinkhornDivergence(x: x2, y: y, a: a, b: b, epsilon: 0.01)
        #expect(abs(S2.value - direct2.value) <= 1e-9, "S2 \(S2.value) vs \(direct2.value)")
        #expect(S.value >= -1e-12)
        let stored = try SinkhornProblem(x: x, y: y, epsilon: 0.05).solve()
        #expect(abs(bigCost - stored.cost) <= 1e-9 * max(1, abs(stored.cost)))
        #expect((bigDx - stored.costGradient.x).maxNorm <= 1e-8)
    }
}

/// The README's unbalanced snippet: the weight gradient is `-rho_a expm1(-f / rho_a)` with
/// `rho_a = eps tau_a / (1 - tau_a)` (1e-12), and the pullback agrees with the pushforward
/// along a tangent in `a` alone (adjoint identity; both from the same factorisation: 1e-10).
@Suite("README: the unbalanced Sinkhorn snippet compiles and runs")
struct UnbalancedReadmeSnippetTests {
    @Test func unbalancedSnippet() throws {
        let c = Matrix(rowArrays: [[0.3, 0.8, 0.1], [0.6, 0.05, 0.5]])!
        let a: Vector = [0.5, 0.5], b: Vector = [0.4, 0.3, 0.3]
        let fbar: Vector = [1, -0.5]
        // --- README.md, unbalanced transport ---
        let u = try SinkhornProblem(costMatrix: c, a: a, b: 1.3 * b, epsilon: 0.1, tauA: 0.7, tauB: 0.8).solve()
        let da = u.costGradient.a                // -rho_a expm1(-f / rho_a): every direction, no projection
        let du = try u.derivative().pullback(SinkhornOutputTangent(f: fbar))
        // ---
        let rho = 0.1 * 0.7 / 0.3
        #expect((da - (-rho) * ((u.f * (-1 / rho)).exp() - 1)).maxNorm <= 1e-12)
        let ta: Vector = [1, -2]
        let df = try u.derivative().pushforward(SinkhornParameterTangent(a: ta)).f
        #expect(abs(df.dot(fbar) - du.a.dot(ta)) <= 1e-10 * max(1, abs(df.dot(fbar))), "<fbar, J ta> = <J' fbar, ta>")
    }
}

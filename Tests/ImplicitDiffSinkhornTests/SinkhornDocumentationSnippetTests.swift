import Testing
import ImplicitDiffSinkhorn   // only this: Matrix, gradient(at:of:) must come with it

// The overview snippet of the ImplicitDiffSinkhorn DocC catalogue, compiled and run as
// written: the gradient of the regularised cost with respect to C is the plan
// (envelope theorem), to the marginal tolerance.
@Suite("ImplicitDiffSinkhorn: the DocC overview snippet compiles and runs")
struct SinkhornDocumentationSnippetTests {
    @Test func overviewSnippet() throws {
        // --- ImplicitDiffSinkhorn.md ---
        let x = Matrix(rowArrays: [[0, 0], [1, 0], [0, 1]])!
        let y = Matrix(rowArrays: [[0.5, 0.5], [1.5, 0.5]])!
        let a = SinkhornProblem.uniformWeights(3), b = SinkhornProblem.uniformWeights(2)
        let s = try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: 0.05).solve()
        let dx = s.costGradient.x                          // d cost / d x: no linear solve
        let d = try s.derivative()                         // Schur complement, factorised once
        let pbar = Matrix(rowArrays: [[1, 0], [0, 0], [0, 0]])!
        let grad = try d.pullback(SinkhornOutputTangent(plan: pbar))   // d P_00 / d(x, y, a, b, eps)

        // Swift AD: the cost's gradient in C is the plan
        let C = s.costMatrix
        let dC = gradient(at: C) { C in sinkhornCost(costMatrix: C, a: a, b: b, epsilon: 0.05) }
        // ---
        #expect((dC - s.plan).maxNorm <= 1e-8)
        #expect(dx.rows == 3 && dx.columns == 2 && dx.isFinite)
        _ = grad
    }

    /// The unbalanced snippet: the transported mass lies between the two masses, the
    /// weight gradient is `-rho_a expm1(-f / rho_a)`, and a tangent in `a` alone (not
    /// mass-preserving) has a derivative.
    @Test func unbalancedSnippet() throws {
        // --- ImplicitDiffSinkhorn.md, Unbalanced transport ---
        let c = Matrix(rowArrays: [[0.3, 0.8, 0.1], [0.6, 0.05, 0.5]])!
        let u = try SinkhornProblem(costMatrix: c, a: [0.5, 0.5], b: [0.5, 0.4, 0.4],   // masses 1 and 1.3
                                    epsilon: 0.1, tauA: 0.7, tauB: 0.8).solve()
        let transported = u.plan.flattened.sum()           // between 1 and 1.3
        let dcda = u.costGradient.a                        // -rho_a expm1(-f / rho_a), not projected
        let df = try u.derivative().pushforward(SinkhornParameterTangent(a: [1, 0]))   // no gauge
        // ---
        #expect(transported > 1 && transported < 1.3)
        let rho = 0.1 * 0.7 / 0.3
        #expect((dcda - (-rho) * ((u.f * (-1 / rho)).exp() - 1)).maxNorm <= 1e-12)
        #expect(df.f.isFinite && df.f.maxNorm > 0)
    }
}

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
}

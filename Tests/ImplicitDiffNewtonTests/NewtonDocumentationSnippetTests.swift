import Testing
import ImplicitDiffNewton   // only this: gradient(at:of:) must come with it

// The overview snippet of the ImplicitDiffNewton DocC catalogue, compiled and run as
// written; the cubic's gradient against its closed form 1 / (3 y^2 + 1) (exact to the
// linear solve, 1e-12).
@Suite("ImplicitDiffNewton: the DocC overview snippet compiles and runs")
struct NewtonDocumentationSnippetTests {
    @Test func overviewSnippet() throws {
        // --- ImplicitDiffNewton.md ---
        let bratu = try BratuProblem(gridPoints: 100)
        let s = try NewtonSolver().solve(bratu, parameters: [1.0], initialGuess: bratu.initialGuess)
        let dydl = try s.derivative(of: bratu, parameters: [1.0]).pushforward([1])   // reuses Newton's LU

        // y_i^3 + y_i = x_i as a differentiable Swift function, inside Swift AD
        let cubic = DifferentiableNonlinearSystem { x, y in y * y * y + y - x }
        let root = NewtonSolver().layer(for: cubic, initialGuess: { x in x })
        let x: Vector = [2, 10]
        let g = try withCheckedDerivatives { gradient(at: x) { x in root(x).sum() } }   // 1 / (3 y_i^2 + 1)
        // ---
        let y = root(x)
        for i in 0..<2 { #expect(abs(g[i] - 1 / (3 * y[i] * y[i] + 1)) <= 1e-12) }
        #expect(dydl.count == 100 && dydl.isFinite && dydl.maxNorm > 0)
    }
}

import Testing
import ImplicitDiffNewton   // only this, as the README's snippet

// The README's ImplicitDiffNewton snippet, compiled and run as written. References: the
// Swift AD gradient through the layer equals the sum of the pushforward (both reuse
// Newton's factorisation: 1e-10 relative), and dy/dlambda against a central difference of
// re-solved Bratu problems (Newton to rounding: step 1e-6, compared at 1e-6 relative).
@Suite("README: ImplicitDiffNewton snippet compiles and runs")
struct NewtonReadmeSnippetTests {
    @Test func readmeSnippet() throws {
        // --- README.md, ImplicitDiffNewton ---
        let bratu = try BratuProblem(gridPoints: 1000)
        let s = try NewtonSolver().solve(bratu, parameters: [1.0], initialGuess: bratu.initialGuess)
        let dydl = try s.derivative(of: bratu, parameters: [1.0]).pushforward([1])   // reuses Newton's LU
        let layer = NewtonSolver().layer(for: bratu, initialGuess: { _ in bratu.initialGuess })   // for Swift AD
        let g = try withCheckedDerivatives { gradient(at: [1.0]) { l in layer(l).sum() } }        // sum(dy/dlambda)
        // ---
        #expect(g.count == 1 && abs(g[0] - dydl.sum()) <= 1e-10 * abs(dydl.sum()))
        let h = 1e-6
        let plus = try NewtonSolver().solve(bratu, parameters: [1.0 + h], initialGuess: bratu.initialGuess).y
        let minus = try NewtonSolver().solve(bratu, parameters: [1.0 - h], initialGuess: bratu.initialGuess).y
        let fd = (plus - minus) / (2 * h)
        #expect((fd - dydl).maxNorm <= 1e-6 * dydl.maxNorm, "dy/dlambda vs central difference")
        #expect(s.y.count == 1000)
    }
}

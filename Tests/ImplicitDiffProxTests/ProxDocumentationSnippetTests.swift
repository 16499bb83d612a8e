import Testing
import ImplicitDiffProx   // only this

// The overview snippet of the ImplicitDiffProx DocC catalogue, compiled and run as
// written; the pullback is checked against the Jacobian's row (both from the same
// factorisation, 1e-12) and the shapes against the snippet's comments.
@Suite("ImplicitDiffProx: the DocC overview snippet compiles and runs")
struct ProxDocumentationSnippetTests {
    @Test func overviewSnippet() throws {
        // --- ImplicitDiffProx.md ---
        let X = Matrix(rowArrays: [[1, 0.2], [0.3, 1], [0.5, 0.4]])!
        let y: Vector = [1, 0.5, 0.2]
        let lasso = try Lasso(design: X, targets: y, lambda: 0.1)
        let solution = try lasso.solve()                   // FISTA + Newton polish
        let derivative = try solution.derivative()         // checks strict complementarity
        let (grad, _) = try derivative.pullback(w: [1, 0]) // d w_0 / d[vec X, y, lambda]
        let J = try derivative.jacobian()                  // dw/dtheta, 2 x 10
        // ---
        #expect(J.rows == 2 && J.columns == 10)
        #expect((grad - J.row(0)).maxNorm <= 1e-12)
    }
}

import Testing
import ImplicitDiffProx   // only this, as the README's snippet

// The README's ImplicitDiffProx snippet, compiled and run as written with the names it
// assumes defined here. References: the lasso's closed form on the support S,
// dw_S/dlambda = -(X_S'X_S)^-1 sign(w_S), 0 off S (exact to the solve: 1e-10), and the
// full layer's gradient against the explicit pullback (the same factorisation: 1e-10).
@Suite("README: ImplicitDiffProx snippet compiles and runs")
struct ProxReadmeSnippetTests {
    @Test func readmeSnippet() throws {
        let (N, p) = (30, 8)
        let data = regressionData(rows: N, columns: p, informative: 3, seed: 131)
        let (X, y) = (data.x, (0.1 / data.lambda) * data.y)   // lambda = 0.1 = 0.2 max |X'y|: a sparse support
        let wbar = Vector((0..<p).map { Double($0 % 3) - 1 })
        // --- README.md, ImplicitDiffProx ---
        let lasso = try Lasso(design: X, targets: y, lambda: 0.1)       // 1/2||Xw - y||^2 + lambda ||w||_1
        let s = try lasso.solve()                                          // FISTA + restart + support polish
        let d = try s.derivative()                                         // reuses the polish's Cholesky of X_S'X_S
        let (g, _) = try d.pullback(w: wbar)                               // gradient w.r.t. [vec X, y, lambda]
        let layer = try Lasso.layer(rows: N, columns: p)                   // ImplicitFunction of [vec X, y, lambda]
        let inLambda = lasso.layer(wrt: [lasso.proxParameterRange])        // of lambda alone, the data fixed
        let dwdl = try inLambda.jacobian(at: [0.1])                        // -(X_S'X_S)^-1 sign(w_S) on the support
        // ---
        let support = (0..<p).filter { s.w[$0] != 0 }
        #expect(!support.isEmpty && support.count < p)
        let xs = Matrix(rows: N, columns: support.count, scalars: (0..<N).flatMap { i in support.map { X[i, $0] } })
        let gram = Matrix.product(xs, transposed: true, xs, transposed: false)
        let signs = Vector(support.map { s.w[$0] > 0 ? 1.0 : -1.0 })
        let onSupport = -(try CholeskyFactorization(gram).solve(signs))
        var expected = Vector.zeros(p)
        for (k, j) in support.enumerated() { expected[j] = onSupport[k] }
        #expect(dwdl.rows == p && dwdl.columns == 1)
        #expect((dwdl.column(0) - expected).maxNorm <= 1e-10 * max(1, expected.maxNorm), "dw/dlambda \(dwdl.column(0)) vs \(expected)")
        #expect(abs(g[g.count - 1] - wbar.dot(expected)) <= 1e-10 * max(1, abs(g[g.count - 1])))
        let gLayer = try withCheckedDerivatives { gradient(at: lasso.parameters) { theta in layer(theta).dot(wbar) } }
        #expect((gLayer - g).maxNorm <= 1e-10 * max(1, g.maxNorm))
    }
}

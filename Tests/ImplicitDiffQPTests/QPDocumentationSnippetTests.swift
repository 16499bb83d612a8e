import Testing
import ImplicitDiffQP   // only this

// The overview snippet of the ImplicitDiffQP DocC catalogue, compiled and run as written,
// against its closed form: z = (0.5, 0.5) - ... on z_0 + z_1 = h, z = (h/2, h/2) so
// dz/dh = (0.5, 0.5).
@Suite("ImplicitDiffQP: the DocC overview snippet compiles and runs")
struct QPDocumentationSnippetTests {
    @Test func overviewSnippet() throws {
        // --- ImplicitDiffQP.md ---
        // minimize 1/2 ||z||^2 - z_0 - z_1   subject to   z_0 + z_1 <= 1
        let qp = try QuadraticProgram(Q: .identity(2), q: [-1, -1],
                                      G: Matrix(rowArrays: [[1, 1]])!, h: [1])
        let s = try qp.solve()                           // z = (0.5, 0.5), mu = [0.5]
        let d = try s.derivative()                       // reuses the solver's KKT factorisation
        let g = try d.pullback(QPOutputs(z: [1, 0]))     // d z_0 / d(Q, q, A, b, G, h)
        let dz = try d.pushforward(QPParameters(h: [1])).z
        let J = try d.jacobian(of: .z, wrt: .h)          // 2 x 1
        // ---
        #expect((s.z - Vector([0.5, 0.5])).maxNorm <= 1e-12)
        #expect((dz - Vector([0.5, 0.5])).maxNorm <= 1e-12)
        #expect(abs(J[0, 0] - 0.5) <= 1e-12 && abs(J[1, 0] - 0.5) <= 1e-12)
        #expect(abs(g.h[0] - 0.5) <= 1e-12)
    }
}

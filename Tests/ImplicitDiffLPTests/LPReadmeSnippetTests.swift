import Foundation
import Testing
import ImplicitDiffLP   // only this, as the snippets (Foundation: the temporary MPS file)

// The README's ImplicitDiffLP snippet and the ImplicitDiffLP DocC overview snippet,
// compiled and run as written with the names they assume defined here. References: the
// known vertex of LPRandomProblem, closed forms (d value/dc = z; the DocC problem's basis
// inverse and duals, exact: 1e-12), and central differences of the smoothed problem
// (step 1e-6 relative, truncation O(1e-12), rounding ~1e-9: compared at 1e-6).

/// Wyndor Glass (Hillier & Lieberman) in free MPS: min -3 doors - 5 windows, optimum (2, 6).
private let wyndorMPS = """
NAME WYNDOR
ROWS
 N PROFIT
 L PLANT1
 L PLANT2
 L PLANT3
COLUMNS
 DOORS PROFIT -3 PLANT1 1
 DOORS PLANT3 3
 WINDOWS PROFIT -5 PLANT2 2
 WINDOWS PLANT3 2
RHS
 RHS PLANT1 4 PLANT2 12
 RHS PLANT3 18
ENDATA

"""

@Suite("README and DocC: ImplicitDiffLP snippets compile and run")
struct LPReadmeSnippetTests {
    @Test func readmeSnippet() throws {
        let r = LPRandomProblem(n: 4, p: 1, m: 7, seed: 91)
        let (c, A, b, G, h) = (r.problem.c, r.problem.A, r.problem.b, r.problem.G, r.problem.h)
        let aSparse = SparseMatrix(A), gSparse = SparseMatrix(G)
        var rng = LPTestRandom(seed: 92)
        let cost = rng.vector(4)
        let path = try lpTemporaryFile(wyndorMPS, suffix: ".mps")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // --- README.md, ImplicitDiffLP ---
        // minimize c'z s.t. A z = b, G z <= h, solved by GLPK's simplex
        let lp = try LinearProgram(c: c, A: A, b: b, G: G, h: h)                 // dense data
        let d = try lp.solve().derivative()         // y = [z, lambda, mu] w.r.t. [c, vec A, b, vec G, h]
        let decide = lp.layer(wrt: [.c], regularization: 0.1)   // x = c alone, smoothed: an informative dz/dc
        let gc = try withCheckedDerivatives { gradient(at: lp.c) { c in lp.layout.z(decide(c)).dot(cost) } }
        let sparse = try SparseLinearProgram(c: c, A: aSparse, b: b, G: gSparse, h: h).solve()  // SparseMatrix A, G
        let (g, _) = try sparse.derivative().pullback(z: .zero, value: 1, wrt: [.c])  // d value/d c = z
        let model = try LPModel.read(path: path, format: .mps)  // e.g. fit2p.mps; also .cplexLP; kept sparse
        let m = try model.solve()
        let (gm, _, _) = try m.derivative().pullback(x: .zero, value: 1, wrt: [.c])
        // ---
        expectClose(g.c, r.z, rtol: 1e-12, "sparse: d value/dc = z")
        expectClose(gm, [2, 6], rtol: 1e-12, "model: d value/dc = x = (2, 6)")
        let layout = lp.layout
        // The dense derivative: a cotangent on z alone pulls back to zero on c (dz/dc = 0 at a vertex).
        let pulled = try d.pullback(cost.concatenated(with: .zeros(layout.solutionCount - 4)))
        #expect(pulled.slice(layout.cRange).maxNorm <= 1e-12, "dz/dc = 0 at the vertex")
        let fd = try finiteDifferenceJacobian(at: c) { c in
            Vector([try LinearProgram(c: c, A: A, b: b, G: G, h: h).solveRegularized(gamma: 0.1).z.dot(cost)])
        }
        expectClose(gc, fd.row(0), rtol: 1e-6, "smoothed layer in c vs central differences")
    }

    @Test func doccOverviewSnippet() throws {
        // --- ImplicitDiffLP.md ---
        // minimize -z_0 - 2 z_1   subject to   z_0 + z_1 <= 4,   z_1 <= 3,   z >= 0
        let lp = try LinearProgram(c: [-1, -2], G: Matrix(rowArrays: [[1, 1], [0, 1], [-1, 0], [0, -1]])!,
                                   h: [4, 3, 0, 0])
        let s = try lp.solve()                                  // z = (1, 3), mu = (1, 1, 0, 0)
        let inH = lp.layer(wrt: [.h])                           // y = [z, lambda, mu] as a function of h alone
        let J = try inH.jacobian(at: lp.h)                      // dz/dh from the basis: [[1, -1, 0, 0], [0, 1, 0, 0]]
        let dValue = try withCheckedDerivatives {
            gradient(at: lp.h) { h in lp.layout.z(inH(h)).dot(lp.c) }   // = -mu
        }
        // ---
        expectClose(s.z, [1, 3], rtol: 1e-12, "z")
        expectClose(s.mu, [1, 1, 0, 0], rtol: 1e-12, "mu")
        #expect(J.rows == 6 && J.columns == 4)
        expectClose(Vector(Array(J.scalars[0..<8])), [1, -1, 0, 0, 0, 1, 0, 0], rtol: 1e-12, "dz/dh")
        expectClose(dValue, [-1, -1, 0, 0], rtol: 1e-12, "d value/dh = -mu")
    }
}

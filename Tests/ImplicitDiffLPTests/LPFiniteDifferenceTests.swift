import Testing
@testable import ImplicitDiffLP

// Implicit derivatives of random non-degenerate LPs against central differences of the
// LP solved again (by GLPK, vertex recomputed from the basis) at perturbed parameters.
// Tolerance 1e-6 relative: see LPTestSupport.swift.

@Suite("LP derivatives vs finite differences")
struct LPFiniteDifferenceTests {
    static let shapes: [(n: Int, p: Int, m: Int, seed: UInt64)] = [(4, 0, 7, 1), (5, 2, 8, 2), (6, 1, 10, 3)]

    /// Every parameter (c, A, b, G, h), every output (z, lambda, mu), through the dense
    /// Jacobian (one factorisation, one multi-right-hand-side solve).
    @Test(arguments: shapes.indices)
    func jacobianOfTheSolution(_ k: Int) throws {
        let (n, p, m, seed) = Self.shapes[k]
        let r = LPRandomProblem(n: n, p: p, m: m, seed: seed)
        let s = try r.problem.solve()
        expectClose(s.z, r.z, rtol: 1e-12, "z at the constructed vertex")
        #expect(s.activeSet.activeInequalities == r.active)
        let layout = r.problem.layout
        let x = r.problem.packed
        let implicit = try s.derivative().jacobian()
        let fd = try finiteDifferenceJacobian(at: x) { x in
            try LinearProgram(packed: x, layout: layout).solve().packedSolution
        }
        expectClose(implicit, fd, rtol: 1e-6, "d(z, lambda, mu)/d(c, A, b, G, h), n=\(n) p=\(p) m=\(m)")
        // dz/dc is exactly zero at a vertex.
        for j in layout.cRange { #expect(implicit.column(j).slice(0..<n).maxNorm == 0) }
    }

    /// The value's envelope gradient [z, lambda z', -lambda, mu z', -mu].
    @Test(arguments: shapes.indices)
    func valueGradient(_ k: Int) throws {
        let (n, p, m, seed) = Self.shapes[k]
        let r = LPRandomProblem(n: n, p: p, m: m, seed: seed)
        let s = try r.problem.solve()
        let layout = r.problem.layout
        let fd = try finiteDifferenceJacobian(at: r.problem.packed) { x in
            Vector([try LinearProgram(packed: x, layout: layout).solve().value])
        }
        expectClose(try s.valueGradientChecked(), fd.row(0), rtol: 1e-6, "dvalue/dx")
        expectClose(s.valueGradient.slice(layout.bRange), -r.lambda, rtol: 1e-12, floor: 1, "dvalue/db = -lambda")
        expectClose(s.valueGradient.slice(layout.hRange), -r.mu, rtol: 1e-12, "dvalue/dh = -mu")
    }

    /// Reverse mode (pullback of random cotangents) and forward mode (pushforward of random
    /// tangents) against directional finite differences.
    @Test func reverseAndForwardModes() throws {
        let r = LPRandomProblem(n: 6, p: 2, m: 9, seed: 7)
        let layout = r.problem.layout
        let s = try r.problem.solve()
        let d = try s.derivative()
        var rng = LPTestRandom(seed: 5)
        let x = r.problem.packed
        let dx = rng.vector(layout.parameterCount)
        let solveAt = { (t: Double) throws -> Vector in
            var xt = x
            xt.add(dx, scaledBy: t)
            return try LinearProgram(packed: xt, layout: layout).solve().packedSolution
        }
        let step = 1e-6
        let directional = (try solveAt(step) - (try solveAt(-step))) / (2 * step)
        expectClose(try d.pushforward(dx), directional, rtol: 1e-6, "pushforward")
        let ybar = rng.vector(layout.solutionCount)
        expectClose(Vector([try d.pullback(ybar).dot(dx)]), Vector([ybar.dot(directional)]), rtol: 1e-6, "<pullback, dx>")
    }
}

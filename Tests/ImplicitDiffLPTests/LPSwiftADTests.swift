import Testing
import _Differentiation
@testable import ImplicitDiffLP

// The LP as a layer inside Swift's `gradient(at:of:)`. GLPK is C code: Swift AD cannot
// see into it, so any gradient that comes out went through the implicit derivative
// (LinearProgramConditions); it is checked against the explicit pullback, the envelope
// formula and finite differences. Tolerances: 1e-12 for identities, 1e-6 for FD.

@Suite("LP under Swift AD")
struct LPSwiftADTests {
    @Test func gradientThroughTheSolutionMap() throws {
        let r = LPRandomProblem(n: 5, p: 1, m: 8, seed: 31)
        let layout = r.problem.layout
        let map = LinearProgram.layer(layout: layout)
        let x = r.problem.packed
        var rng = LPTestRandom(seed: 77)
        let weights = rng.vector(layout.solutionCount)
        let g = try withCheckedDerivatives { gradient(at: x) { x in map(x).dot(weights) } }
        let explicit = try r.problem.solve().derivative().pullback(weights)
        expectClose(g, explicit, rtol: 1e-12, "AD gradient = implicit pullback")
        let fd = try finiteDifferenceJacobian(at: x) { x in
            Vector([try LinearProgram(packed: x, layout: layout).solve().packedSolution.dot(weights)])
        }
        expectClose(g, fd.row(0), rtol: 1e-6, "AD gradient vs finite differences")
    }

    /// value(x) = c'z(x): Swift AD through the map gives the envelope gradient
    /// [z, lambda z', -lambda, mu z', -mu].
    @Test func objectiveValueGradientIsTheEnvelope() throws {
        let r = LPRandomProblem(n: 4, p: 1, m: 7, seed: 32)
        let layout = r.problem.layout
        let map = LinearProgram.layer(layout: layout)
        let (value, g) = try withCheckedDerivatives {
            valueWithGradient(at: r.problem.packed) { x in LinearProgram.objectiveValue(x, layer: map, layout: layout) }
        }
        let s = try r.problem.solve()
        expectClose(value, s.value, rtol: 1e-12, "value")
        expectClose(g, s.valueGradient, rtol: 1e-10, "AD value gradient = envelope")
        expectClose(g.slice(layout.cRange), r.z, rtol: 1e-10, "dvalue/dc = z")
    }

    /// At a degenerate vertex the failure is thrown by withCheckedDerivatives (never a NaN
    /// gradient); the smoothed map differentiates there.
    @Test func degenerateVertexUnderAD() throws {
        let lp = try LinearProgram(c: [-1, -1], G: Matrix(rowArrays: [[1, 0], [0, 1], [1, 1]])!, h: [1, 1, 2])
        let x = lp.packed
        let map = LinearProgram.layer(layout: lp.layout)
        #expect(throws: LPError.self) {
            try withCheckedDerivatives { gradient(at: x) { x in map(x).sum() } }
        }
        // gamma = 1.25: the smoothed solution (0.8, 0.8) is interior, hence differentiable.
        let smoothed = LinearProgram.layer(layout: lp.layout, regularization: 1.25)
        let g = try withCheckedDerivatives { gradient(at: x) { x in smoothed(x).entries(0..<2).sum() } }
        #expect(g.isFinite && g.count == lp.layout.parameterCount)
        let fd = try finiteDifferenceJacobian(at: x) { x in
            Vector([try LinearProgram(packed: x, layout: lp.layout).solveRegularized(gamma: 1.25).z.sum()])
        }
        expectClose(g, fd.row(0), rtol: 1e-6, "smoothed AD gradient vs finite differences")
        expectClose(g.slice(lp.layout.cRange), [-0.8, -0.8], rtol: 1e-12, "d sum(z)/dc = -1/gamma per entry")
        // gamma = 0.5 projects -c/gamma = (2, 2) onto the corner (1, 1), where all three
        // constraints are active: the smoothed problem itself is degenerate there, which is
        // reported (weakly active constraints), and the derivative of the working set is given.
        let corner = try lp.solveRegularized(gamma: 0.5)
        expectClose(corner.z, [1, 1], rtol: 1e-12, "corner")
        #expect(!corner.activeSet.weaklyActiveInequalities.isEmpty)
        #expect(try corner.derivative().jacobian().isFinite)
    }
}

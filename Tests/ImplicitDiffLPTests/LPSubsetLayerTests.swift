import Testing
import _Differentiation
@testable import ImplicitDiffLP

// LP layers in a subset of the parameters (`lp.layer(wrt:)`) and the differentiable
// packing of LPParameterLayout. GLPK is C code, so any gradient that comes out went
// through the implicit derivative. References: the full layer's pullback restricted to
// the blocks (the same LU of the basis: 1e-12) and central differences of re-solved
// programs (LPTestSupport: z, lambda, mu are affine in c and in (b, h) near a
// non-degenerate vertex, so the differences are exact up to rounding ~1e-9; the smoothed
// solution is piecewise rational in c, truncation O(h^2); compared at 1e-6).
@Suite("LP layers in a subset of the parameters")
struct LPSubsetLayerTests {
    let r = LPRandomProblem(n: 5, p: 1, m: 8, seed: 41)

    @Test("in c alone: x = c, the gradient is the full pullback's c block and matches finite differences")
    func layerInC() throws {
        let lp = r.problem, layout = lp.layout
        let layer = lp.layer(wrt: [.c])
        let c = lp.packed(wrt: [.c])
        expectClose(c, lp.c, rtol: 0, "packed(wrt: [.c]) = c")
        var rng = LPTestRandom(seed: 42)
        let weights = rng.vector(layout.solutionCount)
        let g = try withCheckedDerivatives { gradient(at: c) { c in layer(c).dot(weights) } }
        #expect(g.count == layout.variableCount)
        let full = try lp.solve().derivative().pullback(weights)
        expectClose(g, full.slice(layout.cRange), rtol: 1e-12, "d<w, y>/dc vs the full pullback's c block")
        let fd = try finiteDifferenceJacobian(at: c) { c in
            Vector([try LinearProgram(c: c, A: lp.A, b: lp.b, G: lp.G, h: lp.h).solve().packedSolution.dot(weights)])
        }
        expectClose(g, fd.row(0), rtol: 1e-6, "d<w, y>/dc vs central differences")
        // dz/dc = 0 at a non-degenerate vertex: a cotangent on z alone gives zero.
        let gz = try withCheckedDerivatives { gradient(at: c) { c in layout.z(layer(c)).sum() } }
        #expect(gz.maxNorm <= 1e-12, "dz/dc = 0 at a vertex: \(gz)")
        // Forward mode: dy = J dc, against the same differences.
        let dc = rng.vector(layout.variableCount)
        let dy = try layer.pushforward(at: c, along: dc)
        let fdy = try finiteDifferenceJacobian(at: Vector([0])) { t in
            try LinearProgram(c: c + t[0] * dc, A: lp.A, b: lp.b, G: lp.G, h: lp.h).solve().packedSolution
        }
        expectClose(dy, fdy.column(0), rtol: 1e-6, "pushforward in c vs central differences")
    }

    @Test("smoothed layer in c (decision-focused learning): gradient and pushforward against finite differences")
    func smoothedLayerInC() throws {
        let lp = r.problem, layout = lp.layout, gamma = 0.5
        let decide = lp.layer(wrt: [.c], regularization: gamma)
        let c = lp.c
        var rng = LPTestRandom(seed: 43)
        let target = rng.vector(layout.variableCount)
        let g = try withCheckedDerivatives { gradient(at: c) { c in layout.z(decide(c)).dot(target) } }
        let fd = try finiteDifferenceJacobian(at: c) { c in
            Vector([try LinearProgram(c: c, A: lp.A, b: lp.b, G: lp.G, h: lp.h).solveRegularized(gamma: gamma).z.dot(target)])
        }
        #expect(g.maxNorm > 1e-3, "the smoothed dz/dc is informative")
        expectClose(g, fd.row(0), rtol: 1e-6, "smoothed d<t, z>/dc vs central differences")
        let dc = rng.vector(layout.variableCount)
        let dz = layout.z(try decide.pushforward(at: c, along: dc))
        expectClose(dz.dot(target), g.dot(dc), rtol: 1e-10, "adjoint identity <t, J dc> = <J't, dc>")
    }

    @Test("in (b, h): gradient and pushforward equal the full layer's; B is restricted to those blocks")
    func layerInRightHandSides() throws {
        let lp = r.problem, layout = lp.layout
        let layer = lp.layer(wrt: [.b, .h])
        let x = lp.packed(wrt: [.h, .b])     // the order of the set does not matter: x = [b, h]
        expectClose(x, lp.b.concatenated(with: lp.h), rtol: 0, "packed = [b, h]")
        var rng = LPTestRandom(seed: 44)
        let weights = rng.vector(layout.solutionCount)
        let g = try withCheckedDerivatives { gradient(at: x) { x in layer(x).dot(weights) } }
        let full = try lp.solve().derivative().pullback(weights)
        expectClose(g, full.slice(layout.bRange).concatenated(with: full.slice(layout.hRange)), rtol: 1e-12, "blocks b, h")
        let fd = try finiteDifferenceJacobian(at: x) { x in
            let b = x.slice(0..<layout.equalityCount), h = x.slice(layout.equalityCount..<x.count)
            return Vector([try LinearProgram(c: lp.c, A: lp.A, b: b, G: lp.G, h: h).solve().packedSolution.dot(weights)])
        }
        expectClose(g, fd.row(0), rtol: 1e-6, "vs central differences")
        // The implicit path: the solver's LU of the basis, and B on {b, h} only.
        let (y, derivative) = try layer.derivative(at: x)
        #expect(derivative.system.method == "factorization")
        let (_, byproduct) = try layer.solve(at: x)
        let lin = try layer.conditions.linearize(x: x, y: y, byproduct: byproduct)
        let b = try #require(lin.b as? LPParameterOperator)
        #expect(b.blocks == [.b, .h] && b.columnCount == x.count)
    }

    @Test("Swift AD traps: joint differentiation in (c, w); c is the explicit input")
    func adTraps() throws {
        let lp = r.problem, layout = lp.layout
        let decide = lp.layer(wrt: [.c], regularization: 0.5)
        var rng = LPTestRandom(seed: 45)
        let w = rng.vector(layout.variableCount)
        let (_, pullback) = try withCheckedDerivatives {
            valueWithPullback(at: lp.c, w) { c, w in layout.z(decide(c)).dot(w) }
        }
        let (gc, gw) = pullback(1)
        let alone = try withCheckedDerivatives { gradient(at: lp.c) { c in layout.z(decide(c)).dot(w) } }
        expectClose(gc, alone, rtol: 1e-12, "d/dc jointly = alone")
        expectClose(gw, try lp.solveRegularized(gamma: 0.5).z, rtol: 1e-10, "d/dw = z")
        #expect(gc.maxNorm > 1e-3)
    }

    @Test("pack, split, z, lambda, mu are differentiable: their pullbacks place and split the blocks")
    func differentiablePacking() throws {
        let lp = r.problem, layout = lp.layout
        var rng = LPTestRandom(seed: 46)
        let v = rng.vector(layout.parameterCount)
        // pack: the pullback of <v, pack(c, A, b, G, h)> is v cut into the blocks (Swift's
        // gradient takes at most three arguments: two calls, each w.r.t. all of its closure's).
        let (gc, gA, gb) = gradient(at: lp.c, lp.A, lp.b) { c, A, b in
            layout.pack(c: c, A: A, b: b, G: lp.G, h: lp.h).dot(v)
        }
        let (gG, gh) = gradient(at: lp.G, lp.h) { G, h in
            layout.pack(c: lp.c, A: lp.A, b: lp.b, G: G, h: h).dot(v)
        }
        expectClose(gc, v.slice(layout.cRange), rtol: 0, "c")
        expectClose(Vector(gA.scalars), v.slice(layout.aRange), rtol: 0, "vec A")
        expectClose(gb, v.slice(layout.bRange), rtol: 0, "b")
        expectClose(Vector(gG.scalars), v.slice(layout.gRange), rtol: 0, "vec G")
        expectClose(gh, v.slice(layout.hRange), rtol: 0, "h")
        #expect(gA.rows == lp.A.rows && gG.columns == lp.G.columns)
        expectClose(layout.pack(c: lp.c, A: lp.A, b: lp.b, G: lp.G, h: lp.h), lp.packed, rtol: 0, "value")
        // split / z / lambda / mu: the pullbacks put each cotangent in its range of y.
        let y = rng.vector(layout.solutionCount)
        let wz = rng.vector(layout.variableCount), wl = rng.vector(layout.equalityCount), wm = rng.vector(layout.inequalityCount)
        let gSplit = gradient(at: y) { y in
            let (z, lambda, mu) = layout.split(solution: y)
            return z.dot(wz) + lambda.dot(wl) + 2 * mu.dot(wm)
        }
        expectClose(gSplit, wz.concatenated(with: wl).concatenated(with: 2 * wm), rtol: 0, "split")
        let gBlocks = gradient(at: y) { y in layout.z(y).dot(wz) + layout.lambda(y).dot(wl) + layout.mu(y).dot(wm) }
        expectClose(gBlocks, wz.concatenated(with: wl).concatenated(with: wm), rtol: 0, "z, lambda, mu")
        let zOnly = gradient(at: y) { y in layout.split(solution: y).z.sum() }
        expectClose(zOnly, Vector.ones(layout.variableCount).concatenated(with: .zeros(layout.solutionCount - layout.variableCount)),
                      rtol: 0, "split, z only")
    }
}

import Testing
import _Differentiation
@testable import ImplicitDiffQP

// Layers in a subset of the QP's parameters (`qp.layer(wrt:)`): x = the chosen blocks,
// the others fixed. References: the full layer's reduced-KKT pullback restricted to the
// blocks (same factorisation: 1e-12), and central differences of re-solved problems
// (the solver's polish makes every solve exact to ~1e-15, so a step of 1e-6 leaves a
// truncation error O(1e-12) and a rounding error ~1e-15 / 1e-6 = 1e-9: compared at 1e-6
// relative). The interior-point solver is opaque to Swift AD: any gradient that comes
// out went through the implicit derivative, and the tests below check that it did.
@Suite("QP layers in a subset of the parameters")
struct QPSubsetLayerTests {
    let k = KnownQP(n: 6, p: 2, m: 8, activeCount: 3, seed: 61)

    /// Central differences of `w . y(x)` along `dx`, re-solving the QP with the blocks of
    /// `wrt` replaced.
    func finiteDifference(_ wrt: Set<QPParameter>, at x: Vector, along dx: Vector, weights w: Vector) throws -> Double {
        let p = k.problem, shape = p.shape
        let selection = ParameterSelection(blocks: shape.ranges(of: wrt), fullCount: shape.parameterCount)
        let fd = try centralDifference { t in
            let full = selection.embed(x + t * dx, into: shape.pack(p))
            return Vector([w.dot(try shape.unpackProblem(full).solve().packed)])
        }
        return fd[0]
    }

    @Test("reverse mode in q, in h, in (q, h), in (Q, b): AD gradient = full pullback's blocks = finite differences",
          arguments: [[QPParameter.q], [.h], [.q, .h], [.Q, .b], [.A, .G]])
    func reverseMode(_ wrt: [QPParameter]) throws {
        let p = k.problem, shape = p.shape, set = Set(wrt)
        let layer = p.layer(wrt: set)
        let x = p.packed(wrt: set)
        #expect(x.count == wrt.reduce(0) { $0 + $1.count(shape) })
        var rng = QPRandom(seed: 62)
        let wz = rng.vector(shape.n), wl = rng.vector(shape.p), wm = rng.vector(shape.m)
        let g = try withCheckedDerivatives {
            gradient(at: x) { x in
                let y = layer(x)
                return shape.z(y).dot(wz) + shape.lambda(y).dot(wl) + shape.mu(y).dot(wm)
            }
        }
        let full = try p.solve().derivative().pullback(QPOutputs(z: wz, lambda: wl, mu: wm))
        let expected = Vector(QPParameter.allCases.filter(set.contains).flatMap { full.flattened($0).scalars })
        expectClose(g, expected, rtol: 1e-11, atol: 1e-13, "subset gradient vs full pullback's blocks \(wrt)")
        // Q: the layer symmetrises, so only symmetric directions are compared with FD.
        var dx = rng.vector(x.count)
        if set.contains(.Q) {
            let dQ = rng.symmetric(shape.n).flattened
            dx.scalars.replaceSubrange(0..<(shape.n * shape.n), with: dQ.scalars)
        }
        let w = wz.concatenated(with: wl).concatenated(with: wm)
        let fd = try finiteDifference(set, at: x, along: dx, weights: w)
        expectClose(g.dot(dx), fd, rtol: 1e-6, atol: 1e-9, "<gradient, dx> vs central difference \(wrt)")
    }

    @Test("forward mode in (q, h): pushforward = full pushforward of the embedded tangent = finite differences")
    func forwardMode() throws {
        let p = k.problem, shape = p.shape
        let layer = p.layer(wrt: [.q, .h])
        let x = p.packed(wrt: [.q, .h])
        expectClose(x, p.q.concatenated(with: p.h), rtol: 0, "packed(wrt:) = [q, h]")
        var rng = QPRandom(seed: 63)
        let dq = rng.vector(shape.n), dh = rng.vector(shape.m)
        let dy = try layer.pushforward(at: x, along: dq.concatenated(with: dh))
        let direct = try p.solve().derivative().pushforward(QPParameters(q: dq, h: dh))
        expectClose(dy, shape.packSolution(direct), rtol: 1e-11, atol: 1e-13, "pushforward")
        let fd = try centralDifference { t in
            try QuadraticProgram(Q: p.Q, q: p.q + t * dq, A: p.A, b: p.b, G: p.G, h: p.h + t * dh).solve().packed
        }
        expectClose(dy, fd, rtol: 1e-6, atol: 1e-9, "pushforward vs central differences")
        let jac = try layer.jacobian(at: x)
        #expect(jac.rows == shape.solutionCount && jac.columns == shape.n + shape.m)
        expectClose(jac * dq.concatenated(with: dh), dy, rtol: 1e-11, atol: 1e-13, "Jacobian times tangent")
    }

    @Test("the implicit path runs: the solver's factorisation, and B restricted to the asked blocks only")
    func implicitPathAndRestrictedB() throws {
        let p = k.problem, shape = p.shape
        let layer = p.layer(wrt: [.q, .h])
        let x = p.packed(wrt: [.q, .h])
        let (y, derivative) = try layer.derivative(at: x)
        #expect(derivative.system.method == "factorization")     // the solver's reduced KKT, reused
        #expect(derivative.conditionResidual <= 1e-12)
        // The conditions' B is the QP operator on {q, h}, not a gather from the full B' w.
        let (_, byproduct) = try layer.solve(at: x)
        let lin = try layer.conditions.linearize(x: x, y: y, byproduct: byproduct)
        let b = try #require(lin.b as? QPParameterOperator)
        #expect(b.blocks == [.q, .h] && b.columnCount == shape.n + shape.m)
        // A finer selection (part of a block) falls back to the generic gather, same values.
        let part = QuadraticProgram.layer(shape: shape).restricted(to: [shape.rangeq.lowerBound..<(shape.rangeq.lowerBound + 2)],
                                                                   fixing: shape.pack(p))
        let (_, pb) = try part.valueWithPullback(at: p.q.slice(0..<2))
        let ybar = Vector.basis(0, count: shape.solutionCount)
        let (_, pbFull) = try layer.valueWithPullback(at: x)
        expectClose(try pb(ybar), try pbFull(ybar).slice(0..<2), rtol: 1e-12, atol: 1e-14, "partial block")
    }

    @Test("Swift AD traps: differentiate jointly in all arguments; parameters are explicit inputs")
    func adTraps() throws {
        let p = k.problem, shape = p.shape
        let layer = p.layer(wrt: [.q])
        var rng = QPRandom(seed: 64)
        let w = rng.vector(shape.n)
        // Joint in (q, w): the q part must be the layer's gradient, the w part z.
        let (value, pullback) = valueWithPullback(at: p.q, w) { q, w in shape.z(layer(q)).dot(w) }
        let (gq, gw) = pullback(1)
        let reference = try p.solve().derivative().pullback(QPOutputs(z: w))
        expectClose(gq, reference.q, rtol: 1e-11, atol: 1e-13, "d/dq (joint)")
        expectClose(gw, try p.solve().z, rtol: 1e-12, atol: 1e-14, "d/dw = z (joint)")
        expectClose(value, try p.solve().z.dot(w), rtol: 1e-12, "value")
        // q as the explicit input: the gradient is not zero (a captured q would give 0).
        #expect(reference.q.maxNorm > 1e-3 && gq.maxNorm > 1e-3)
    }
}

import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffQP

// The QP as an ImplicitFunction of its packed parameters: Swift AD entry point,
// the generic ImplicitDerivative through QPConditions, and a cross-check against KKT
// conditions written as a differentiable Swift closure (Swift AD linearises those).

/// The KKT conditions of ``QPConditions`` written as a differentiable function; Swift's AD
/// supplies their linearisation.
func differentiableKKT(_ shape: QPShape) -> DifferentiableConditions<QPByproduct>.Function {
    { x, y, byproduct in
        let n = shape.n, p = shape.p, m = shape.m
        let q0 = Matrix(reshaping: x.entries(shape.rangeQ), rows: n, columns: n)
        let qs = 0.5 * (q0 + q0.transposed)
        let a = Matrix(reshaping: x.entries(shape.rangeA), rows: p, columns: n)
        let g = Matrix(reshaping: x.entries(shape.rangeG), rows: m, columns: n)
        let z = shape.z(y), lambda = shape.lambda(y), mu = shape.mu(y)
        let mask = withoutDerivative(at: Vector((0..<m).map { byproduct.activeSet.active.contains($0) ? 1.0 : 0.0 }))
        let fz = qs * z + x.entries(shape.rangeq) + a.transposedTimes(lambda) + g.transposedTimes(mu * mask)
        let fe = a * z - x.entries(shape.rangeb)
        let fm = mask * (g * z - x.entries(shape.rangeh)) + (1 - mask) * mu
        return fz.concatenated(with: fe).concatenated(with: fm)
    }
}

@Suite("QP layer (ImplicitFunction, Swift AD)")
struct QPLayerTests {
    let k = KnownQP(n: 6, p: 2, m: 8, activeCount: 3, seed: 51)
    var shape: QPShape { k.problem.shape }

    func loss(_ y: Vector, _ w: Vector) -> Double { y.dot(w) }

    @Test("gradient(at:of:) through the layer equals the reduced-KKT pullback and finite differences")
    func gradientThroughLayer() throws {
        let shape = self.shape
        let layer = QuadraticProgram.layer(shape: shape)
        let x = shape.pack(k.problem)
        var rng = QPRandom(seed: 52)
        let wz = rng.vector(shape.n), wl = rng.vector(shape.p), wm = rng.vector(shape.m)
        let g = try withCheckedDerivatives {
            gradient(at: x) { x in
                let y = layer(x)
                return shape.z(y).dot(wz) + shape.lambda(y).dot(wl) + shape.mu(y).dot(wm)
            }
        }
        let reference = try k.problem.solve().derivative().pullback(QPOutputs(z: wz, lambda: wl, mu: wm))
        expectClose(g, shape.pack(reference), rtol: 1e-10, atol: 1e-12, "AD gradient vs QPDerivative")
        // Directional finite difference in packed coordinates, with a non-symmetric dQ:
        // the layer uses (Q + Q')/2, so the symmetric gradient is the right one.
        let dx = rng.vector(shape.parameterCount)
        let w = Vector(wz.scalars + wl.scalars + wm.scalars)
        let fd = try centralDifference { t in Vector([w.dot(try layer.value(at: x + t * dx))]) }
        expectClose(g.dot(dx), fd[0], rtol: 1e-6, atol: 1e-8, "<gradient, dx> vs finite difference")
    }

    @Test("the layer composes with differentiable packing: gradient with respect to h alone")
    func composedGradient() throws {
        let p = k.problem, shape = self.shape
        let layer = QuadraticProgram.layer(shape: shape)
        var rng = QPRandom(seed: 53)
        let wz = rng.vector(shape.n)
        let gh = try withCheckedDerivatives {
            gradient(at: p.h) { h in
                shape.z(layer(shape.pack(Q: p.Q, q: p.q, A: p.A, b: p.b, G: p.G, h: h))).dot(wz)
            }
        }
        let reference = try p.solve().derivative().pullback(QPOutputs(z: wz))
        expectClose(gh, reference.h, rtol: 1e-10, atol: 1e-12, "d<wz, z>/dh")
    }

    @Test("a failing solve inside gradient(at:of:) surfaces as an error, never as a silent NaN")
    func failureUnderAD() throws {
        let infeasible = try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[1, 0], [-1, 0]])!, h: [0, -1])
        let shape = infeasible.shape
        let layer = QuadraticProgram.layer(shape: shape)
        let x = shape.pack(infeasible)
        expectQPError("infeasible under AD", { if case .infeasible = $0 { return true }; return false }) {
            _ = try withCheckedDerivatives { gradient(at: x) { x in layer(x).sum() } }
        }
        // A weakly active point under AD: rejected with the constraint named.
        let weak = try QuadraticProgram(Q: .identity(2), q: [0, -1], G: Matrix(rowArrays: [[1, 0], [0, 1]])!, h: [0, 2])
        let wl = QuadraticProgram.layer(shape: weak.shape)
        let msg = expectQPError("weakly active under AD", { if case .notDifferentiable = $0 { return true }; return false }) {
            _ = try withCheckedDerivatives { gradient(at: weak.shape.pack(weak)) { x in wl(x).sum() } }
        }
        #expect(msg.contains("inequality 0"))
    }

    @Test("the generic ImplicitDerivative through QPConditions reuses the solver's factorisation and agrees")
    func genericImplicitDerivative() throws {
        let shape = self.shape
        let layer = QuadraticProgram.layer(shape: shape)
        let x = shape.pack(k.problem)
        let (y, derivative) = try layer.derivative(at: x)
        #expect(derivative.system.method == "factorization")
        #expect(derivative.conditionResidual <= 1e-12)
        let d = try k.problem.solve().derivative()
        var rng = QPRandom(seed: 54)
        let tangent = QPParameters.random(shape, &rng)
        let viaCore = try derivative.pushforward(shape.pack(tangent))
        let direct = try d.pushforward(tangent)
        expectClose(viaCore, shape.packSolution(direct), rtol: 1e-11, atol: 1e-13, "pushforward")
        let ybar = rng.vector(shape.solutionCount)
        let pulled = try derivative.pullback(ybar)
        expectClose(pulled, shape.pack(try d.pullback(shape.unpackSolution(ybar))), rtol: 1e-11, atol: 1e-13, "pullback")
        let jac = try layer.jacobian(at: x)
        #expect(jac.rows == shape.solutionCount && jac.columns == shape.parameterCount)
        expectClose(jac * shape.pack(tangent), viaCore, rtol: 1e-11, atol: 1e-13, "Jacobian column space")
        expectClose(y, try k.problem.solve().packed, rtol: 1e-14, atol: 1e-15, "value")
    }

    @Test("hand-derived QPConditions agree with the same conditions differentiated by Swift AD")
    func againstSwiftADConditions() throws {
        let shape = self.shape
        let solver: @Sendable (Vector) throws -> (Vector, QPByproduct) = { x in
            let s = try shape.unpackProblem(x).solve()
            return (s.packed, s.byproduct)
        }
        let handWritten = ImplicitFunction(solver: solver, conditions: QPConditions(shape: shape))
        let automatic = ImplicitFunction(solver: solver, conditions: differentiableKKT(shape))
        let x = shape.pack(k.problem)
        // The residuals agree at the solution.
        let (y, byproduct) = try handWritten.solve(at: x)
        expectClose(QPConditions(shape: shape).residual(x: x, y: y, byproduct: byproduct),
                    differentiableKKT(shape)(x, y, byproduct), rtol: 0, atol: 1e-12, "residuals")
        var rng = QPRandom(seed: 55)
        for _ in 0..<3 {
            let ybar = rng.vector(shape.solutionCount)
            let (_, pb1) = try handWritten.valueWithPullback(at: x)
            let (_, pb2) = try automatic.valueWithPullback(at: x)
            expectClose(try pb1(ybar), try pb2(ybar), rtol: 1e-10, atol: 1e-12, "pullbacks")
        }
        let dx = rng.vector(shape.parameterCount)
        expectClose(try handWritten.pushforward(at: x, along: dx), try automatic.pushforward(at: x, along: dx),
                    rtol: 1e-10, atol: 1e-12, "pushforwards")
    }
}

/// Issue 16: the layer's reverse mode solves through the core's one linear-solve entry
/// point and multiplies by the reduced KKT matrix once per solve (the refinement's
/// product also gives the reported residual).
@Suite("QP layer: one KKT product per solve")
struct QPLayerLinearSolveTests {
    let k = KnownQP(n: 7, p: 2, m: 9, activeCount: 4, seed: 61)

    @Test("the layer's factorisation measures its own residual, an upper estimate of the honest one")
    func measuredResidual() throws {
        let shape = k.problem.shape
        let layer = QuadraticProgram.layer(shape: shape)
        let (y, derivative) = try layer.derivative(at: shape.pack(k.problem))
        let factorization = try #require(derivative.system.factorization as? QPFullKKTFactorization)
        var rng = QPRandom(seed: 62)
        let ybar = rng.vector(y.count)
        // The core reports what the factorisation measured: no product with A.
        let (w, report) = try derivative.system.solveTransposed(ybar)
        let (same, measured) = try #require(factorization.solveMeasuringResidual(ybar, transposed: true))
        #expect(w == same && report.relativeResidual == measured)
        // The honest residual of the returned solution, with the full dF/dy.
        let honest = (derivative.system.linearization.a.apply(w) - ybar).norm / ybar.norm
        #expect(honest <= Swift.max(measured, 1e-15), "honest \(honest) vs reported \(measured)")
        #expect(measured < 1e-12)
        // And the pullback it serves is the reduced-KKT pullback.
        let xbar = try derivative.pullback(ybar)
        let o = shape.unpackSolution(ybar)
        let reference = try k.problem.solve().derivative().pullback(QPOutputs(z: o.z, lambda: o.lambda, mu: o.mu))
        expectClose(xbar, shape.pack(reference), rtol: 1e-10, atol: 1e-12, "layer pullback vs QPDerivative")
    }
}

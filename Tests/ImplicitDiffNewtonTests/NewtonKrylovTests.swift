import Foundation
import _Differentiation
import ImplicitDiffNewton
import Testing

/// Bratu written matrix-free: `A v` and `A' v` (the stencil is symmetric) by closures,
/// never a stored Jacobian.
struct MatrixFreeBratu: MatrixFreeNonlinearSystem {
    let structured: BratuProblem

    init(gridPoints n: Int) throws { structured = try BratuProblem(gridPoints: n) }

    func residual(x: Vector, y: Vector) -> Vector { structured.residual(x: x, y: y) }

    func jacobianOperator(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        let s = Double((y.count + 1) * (y.count + 1)), d = x[0] * y.exp()
        let apply: @Sendable (Vector) -> Vector = { v in
            let n = v.count
            var out = [Double](repeating: 0, count: n)
            for i in 0..<n {
                out[i] = (2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i < n - 1 ? v[i + 1] : 0)) * s - d[i] * v[i]
            }
            return Vector(out)
        }
        return FunctionOperator(rows: y.count, columns: y.count, apply: apply, applyTransposed: apply)
    }

    func parameterJacobian(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        structured.parameterJacobian(x: x, y: y)
    }
}

/// Bratu with only a residual: the Jacobian operator is the finite-difference default.
struct ResidualOnlyBratu: MatrixFreeNonlinearSystem {
    let structured: BratuProblem
    func residual(x: Vector, y: Vector) -> Vector { structured.residual(x: x, y: y) }
    func parameterJacobian(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        structured.parameterJacobian(x: x, y: y)
    }
}

/// The exact inverse of the tridiagonal Jacobian at the current iterate, as a preconditioner.
struct TridiagonalPreconditioner: Preconditioner {
    let factorization: TridiagonalFactorization
    func apply(_ r: Vector) -> Vector { factorization.solve(r) }
}

@Suite("Newton-Krylov")
struct NewtonKrylovTests {
    let n = 30, lambda = 2.0

    func dense() throws -> (BratuProblem, NewtonSolution<TridiagonalMatrix>) {
        let p = try BratuProblem(gridPoints: n)
        return (p, try NewtonSolver().solve(p, parameters: [lambda], initialGuess: p.initialGuess))
    }

    @Test("matches Newton with a factorised Jacobian, with exact and finite-difference products",
          arguments: [NewtonKrylovOptions.JacobianProducts.system, .finiteDifferences])
    func agreesWithDirectNewton(products: NewtonKrylovOptions.JacobianProducts) throws {
        let (_, reference) = try dense()
        let system = try MatrixFreeBratu(gridPoints: n)
        let s = try NewtonKrylovSolver(options: NewtonKrylovOptions(jacobianProducts: products))
            .solve(system, parameters: [lambda], initialGuess: .zeros(n))
        // Both stop at the step test or the rounding floor: the roots agree to ~1e-12.
        expectClose(s.y, reference.y, rtol: 1e-10)
        #expect(s.linearIterations > 0)
        // Eisenstat-Walker: eta_0 = 0.5, then smaller as ||F|| drops quadratically.
        #expect(s.history.first?.forcingTerm == 0.5)
        #expect(s.history.count >= 2 && s.history[1].forcingTerm < 0.5)
    }

    @Test("implicit derivative of a Newton-Krylov root: GMRES on the exact operator vs the factorised path")
    func derivative() throws {
        let (p, reference) = try dense()
        let expected = try reference.derivative(of: p, parameters: [lambda]).pushforward([1])
        let system = try MatrixFreeBratu(gridPoints: n)
        let s = try NewtonKrylovSolver().solve(system, parameters: [lambda], initialGuess: .zeros(n))
        let options = ImplicitOptions(linearSolver: .gmres, linearTolerance: 1e-13)
        let d = try s.derivative(of: system, parameters: [lambda], options: options)
        #expect(d.system.method == "gmres")
        // cond(A) ~ 4e2 and GMRES to 1e-13 relative residual: error ~4e-11.
        expectClose(try d.pushforward([1]), expected, rtol: 1e-9)
        var rng = SplitMix64(seed: 3)
        let w = rng.vector(n)
        expectClose(try d.pullback(w), [w.dot(expected)], rtol: 1e-9)
        // A NonlinearSystem solved matrix-free offers its own O(n) factorisation.
        let t = try NewtonKrylovSolver().solve(p, parameters: [lambda], initialGuess: .zeros(n))
        let e = try t.derivative(of: p, parameters: [lambda])
        #expect(e.system.factorization is TridiagonalFactorization)
        expectClose(try e.pushforward([1]), expected, rtol: 1e-9)
    }

    @Test("a residual-only system: finite-difference Jacobian, derivatives accurate to ~sqrt(ulp)")
    func residualOnly() throws {
        let (p, reference) = try dense()
        let expected = try reference.derivative(of: p, parameters: [lambda]).pushforward([1])
        let system = ResidualOnlyBratu(structured: p)
        let s = try NewtonKrylovSolver().solve(system, parameters: [lambda], initialGuess: .zeros(n))
        expectClose(s.y, reference.y, rtol: 1e-10)
        let d = try s.derivative(of: system, parameters: [lambda])
        // Forward differences with h ~ sqrt(ulp): each entry of A to ~1e-8 relative,
        // amplified by cond(A) ~ 4e2 at most; 1e-5 bounds it.
        expectClose(try d.pushforward([1]), expected, rtol: 1e-5)
        let w = Vector(repeating: 1, count: n)
        expectClose(try d.pullback(w), [w.dot(expected)], rtol: 1e-5)
    }

    @Test("a preconditioner built at each iterate cuts GMRES to a few iterations per step")
    func preconditioned() throws {
        let m = 200
        let p = try BratuProblem(gridPoints: m)
        let preconditioner: @Sendable (Vector, Vector) -> any Preconditioner = { x, y in
            TridiagonalPreconditioner(factorization: try! p.jacobian(x: x, y: y).factorized())
        }
        let options = NewtonKrylovOptions(preconditioner: preconditioner)
        let s = try NewtonKrylovSolver(options: options).solve(try MatrixFreeBratu(gridPoints: m), parameters: [1],
                                                               initialGuess: .zeros(m))
        // With M^-1 = A^-1 one GMRES iteration solves each step exactly.
        #expect(s.history.allSatisfy { $0.linearIterations <= 2 }, "\(s.history)")
        let reference = try NewtonSolver().solve(p, parameters: [1], initialGuess: p.initialGuess)
        expectClose(s.y, reference.y, rtol: 1e-10)
    }

    @Test("GMRES failing inside a step is a typed error with the history")
    func linearSolveFailure() throws {
        let options = NewtonKrylovOptions(forcing: .constant(1e-12), maxLinearIterations: 2)
        do {
            _ = try NewtonKrylovSolver(options: options).solve(try MatrixFreeBratu(gridPoints: n), parameters: [lambda],
                                                               initialGuess: .zeros(n))
            Issue.record("two GMRES iterations cannot reach 1e-12 on a 30-point Laplacian")
        } catch let NewtonError.linearSolveFailed(k, reason, _) {
            #expect(k == 0)
            if case .notConverged = reason {} else { Issue.record("unexpected Krylov failure \(reason)") }
        }
    }

    @Test("beyond the fold Newton-Krylov fails with a typed error")
    func beyondTheFold() throws {
        #expect(throws: NewtonError.self) {
            try NewtonKrylovSolver().solve(try MatrixFreeBratu(gridPoints: 5), parameters: [3.49], initialGuess: .zeros(5))
        }
    }

    @Test("invalid forcing terms are rejected")
    func invalidOptions() throws {
        #expect(throws: NewtonError.self) {
            try NewtonKrylovSolver(options: NewtonKrylovOptions(forcing: .constant(1.5)))
                .solve(try MatrixFreeBratu(gridPoints: 5), parameters: [1], initialGuess: .zeros(5))
        }
    }

    @Test("the Newton-Krylov implicit function works under gradient(at:of:)")
    func swiftAD() throws {
        let (p, reference) = try dense()
        let expected = try reference.derivative(of: p, parameters: [lambda]).pushforward([1]).sum()
        let system = try MatrixFreeBratu(gridPoints: n)
        let f = NewtonKrylovSolver().layer(for: system, initialGuess: { _ in .zeros(30) })
        let g = try withCheckedDerivatives { gradient(at: [lambda]) { x in f(x).sum() } }
        expectClose(g, [expected], rtol: 1e-9)
    }
}

import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffCore

// `.automatic` for conditions written as Swift functions (matrix-free: A known through
// pullbacks only). Reference: the closed form of the fixed point y = tanh(W y + u),
// F = y - tanh(W y + u), A = I - D W, B = -D with D = diag(1 - y_i^2), so
// d sum(y) / du = D A^-T 1, computed by a dense LU of the explicit A. The Krylov solves
// stop at relative residual 1e-10 and A is well conditioned (||D W|| <= 0.5), so the
// gradients agree to 1e-8 relative.

/// The fixed point by plain iteration: opaque to Swift AD.
func tanhFixedPoint(w: Matrix, u: Vector) -> Vector {
    var y = Vector.zeros(u.count)
    for _ in 0..<500 {
        let next = (w * y + u).tanh()
        if (next - y).maxNorm <= 1e-16 { return next }
        y = next
    }
    return y
}

struct TanhFixedPoint {
    let w: Matrix, u: Vector
    init(n: Int, seed: UInt64) {
        var g = SplitMix64(seed: seed)
        w = Matrix(rows: n, columns: n, scalars: (0..<(n * n)).map { _ in Double.random(in: -1...1, using: &g) * 0.5 / Double(n).squareRoot() })
        u = Vector((0..<n).map { _ in Double.random(in: -1...1, using: &g) })
    }

    func function(_ options: ImplicitOptions = .init()) -> ImplicitFunction<Void> {
        let w = self.w
        return ImplicitFunction(solver: { u in (tanhFixedPoint(w: w, u: u), ()) },
                                conditions: { u, y, _ in y - (w * y + u).tanh() }, options: options)
    }

    /// `D A^-T ybar` from the explicit `A = I - D W`.
    func referencePullback(_ ybar: Vector) throws -> Vector {
        let y = tanhFixedPoint(w: w, u: u)
        let d = y.map { 1 - $0 * $0 }
        var a = Matrix.identity(u.count)
        for i in 0..<u.count { for j in 0..<u.count { a[i, j] -= d[i] * w[i, j] } }
        return d * (try LUFactorization(a).solveTransposed(ybar))
    }
}

func relativeError(_ a: Vector, _ b: Vector) -> Double { (a - b).maxNorm / max(b.maxNorm, 1e-300) }

@Suite("Automatic linear solver for matrix-free (closure) conditions")
struct MatrixFreeAutomaticTests {
    @Test("a pullback at n = 120 runs GMRES on A' (no dense A) and matches the closed form")
    func pullbackIsKrylov() throws {
        let p = TanhFixedPoint(n: 120, seed: 11)
        let ybar = Vector((0..<120).map { Double($0 % 5) - 2 })
        let (_, d) = try p.function().derivative(at: p.u)
        #expect(d.system.method == "gmres")
        let (g, report) = try d.pullbackWithReport(ybar)
        #expect(report.method == "gmres" && report.iterations > 0)
        #expect(relativeError(g, try p.referencePullback(ybar)) <= 1e-8)
        // Swift AD through the call uses the same path.
        let f = p.function()
        let viaAD = try withCheckedDerivatives { gradient(at: p.u) { u in f(u).dot(ybar) } }
        #expect(relativeError(viaAD, g) <= 1e-12)
    }

    @Test("below matrixFreeDenseLimit the pullback factorises; forward mode and Jacobians always do")
    func directWhereItPays() throws {
        let small = TanhFixedPoint(n: 20, seed: 3)
        #expect(try small.function().derivative(at: small.u).derivative.system.method == "lu")
        let p = TanhFixedPoint(n: 60, seed: 4)
        let (_, d) = try p.function().derivative(at: p.u)
        let dx = Vector((0..<60).map { sin(Double($0)) })
        let (dy, report) = try d.pushforwardWithReport(dx)
        #expect(report.method == "lu")
        // <ybar, J dx> = <J' ybar, dx> against the closed-form pullback.
        let ybar = Vector((0..<60).map { cos(Double($0)) })
        let lhs = ybar.dot(dy), rhs = try p.referencePullback(ybar).dot(dx)
        #expect(abs(lhs - rhs) <= 1e-10 * max(abs(rhs), 1))
        let (j, jr) = try d.jacobianWithReport()
        #expect(jr.method == "lu")
        #expect(relativeError(j.transposedTimes(ybar), try p.referencePullback(ybar)) <= 1e-10)
    }

    @Test("the residual check still rejects an unconverged y (A v by central differences)")
    func residualCheckWithoutDenseA() throws {
        let p = TanhFixedPoint(n: 80, seed: 5)
        let f = p.function()
        let y = try f.value(at: p.u)
        let off = y + Vector(repeating: 1e-4, count: 80)
        #expect(throws: ImplicitDifferentiationError.self) {
            try f.derivative(at: p.u, solution: off, byproduct: ())
        }
        do {
            _ = try f.derivative(at: p.u, solution: off, byproduct: ())
        } catch let ImplicitDifferentiationError.residualTooLarge(residual, _) {
            // The Newton correction of a uniform 1e-4 offset is about 1e-4 (A ~ I).
            #expect(residual > 3e-5 && residual < 3e-4, "\(residual)")
        }
        #expect(try f.derivative(at: p.u, solution: y, byproduct: ()).conditionCorrection! <= 1e-12)
    }

    @Test("MINRES, CG or a symmetric declaration on a non-symmetric A: a typed error that says so")
    func symmetricMethodsOnNonSymmetricA() throws {
        let p = TanhFixedPoint(n: 40, seed: 6)
        for options in [ImplicitOptions(linearSolver: .minres), ImplicitOptions(linearSolver: .cg),
                        ImplicitOptions(symmetric: true)] {
            do {
                _ = try p.function(options).derivative(at: p.u)
                Issue.record("accepted a non-symmetric A with \(options.linearSolver.rawValue)")
            } catch let ImplicitDifferentiationError.unsuitableLinearSolver(why) {
                #expect(why.contains("not") && why.contains(".gmres"), "\(why)")
            }
        }
    }

    @Test("a declared symmetric positive definite A (a gradient condition) runs CG and is right")
    func symmetricDeclaration() throws {
        // y = argmin 1/2 y'Hy - u'y + sum log cosh(y): F = H y - u + tanh(y), A = H + diag(1 - tanh^2) SPD,
        // H = M'M + I with M_ij ~ U(-1, 1)/sqrt(n): cond(A) ~ 10, so CG at 1e-10 gives ~1e-9.
        let n = 70
        var g = SplitMix64(seed: 9)
        let m = Matrix(rows: n, columns: n, scalars: (0..<(n * n)).map { _ in Double.random(in: -1...1, using: &g) / Double(n).squareRoot() })
        var h = Matrix.product(m, transposed: true, m, transposed: false)
        for i in 0..<n { h[i, i] += 1 }
        let u = Vector((0..<n).map { _ in Double.random(in: -3...3, using: &g) })
        let hh = h
        let solver: @Sendable (Vector) throws -> (Vector, Void) = { u in
            var y = Vector.zeros(u.count)
            for _ in 0..<50 {  // Newton on the strictly convex objective
                let t = y.tanh()
                var jac = hh
                for i in 0..<u.count { jac[i, i] += 1 - t[i] * t[i] }
                let step = try CholeskyFactorization(jac).solve(hh * y - u + t)
                y = y - step
                if step.maxNorm <= 1e-15 * max(1, y.maxNorm) { break }
            }
            return (y, ())
        }
        let f = ImplicitFunction(solver: solver, conditions: { u, y, _ in hh * y - u + y.tanh() },
                                 options: ImplicitOptions(positiveDefinite: true))
        let (y, d) = try f.derivative(at: u)
        #expect(d.system.method == "cg")
        let ybar = Vector((0..<n).map { Double($0 % 3) - 1 })
        var a = h
        for i in 0..<n { a[i, i] += 1 - tanh(y[i]) * tanh(y[i]) }
        let reference = try LUFactorization(a).solve(ybar)  // B = -I, so ubar = A^-1 ybar
        #expect(relativeError(try d.pullback(ybar), reference) <= 1e-8)
    }

    @Test("a Jacobi preconditioner makes a badly scaled system solvable and keeps the answer; the restart length is used")
    func preconditionerAndRestart() throws {
        // Badly scaled conditions: F_i = s_i (y_i - tanh(W y + u)_i), s_i from 1 to 1e4. The
        // pullback is that of the unscaled conditions (S cancels): D A^-T ybar.
        let p = TanhFixedPoint(n: 100, seed: 8)
        let s = Vector((0..<100).map { pow(10, 4 * Double($0) / 99) })
        let w = p.w
        let y = tanhFixedPoint(w: w, u: p.u)
        let scaled = { (options: ImplicitOptions) in
            ImplicitFunction(solver: { u in (tanhFixedPoint(w: w, u: u), ()) },
                             conditions: { u, y, _ in s * (y - (w * y + u).tanh()) }, options: options)
        }
        let ybar = Vector(repeating: 1, count: 100)
        // Unpreconditioned GMRES(50) stalls on the scaling within its 200 iterations...
        #expect(throws: ImplicitDifferentiationError.self) {
            try scaled(.init()).derivative(at: p.u, solution: y, byproduct: ()).pullback(ybar)
        }
        // ...diag(A) = s_i (1 - d_i w_ii) ~ s_i undoes it.
        let jacobi = ImplicitPreconditioner.jacobi(diagonal: s)
        let (g, report) = try scaled(ImplicitOptions(preconditioner: jacobi))
            .derivative(at: p.u, solution: y, byproduct: ()).pullbackWithReport(ybar)
        #expect(report.iterations < 60)
        #expect(relativeError(g, try p.referencePullback(ybar)) <= 1e-8)
        // The restart length reaches GMRES: keeping 2 Krylov vectors instead of 50 costs iterations.
        let (_, full) = try p.function().derivative(at: p.u).derivative.pullbackWithReport(ybar)
        let (short, restarted) = try p.function(ImplicitOptions(restart: 2)).derivative(at: p.u).derivative.pullbackWithReport(ybar)
        #expect(restarted.iterations > full.iterations)
        #expect(relativeError(short, try p.referencePullback(ybar)) <= 1e-8)
    }
}

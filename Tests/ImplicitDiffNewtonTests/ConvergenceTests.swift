import Foundation
import ImplicitDiffNewton
import Testing

/// Issue 13: Newton's convergence test must never accept a wrong root. The root is
/// accepted only when the Newton correction `d = -A^-1 F` computed **at the returned y**
/// is small in every component against that component's own magnitude; these tests check
/// that independently, with a fresh factorisation of `A` at the returned `y`.
@Suite("Newton's convergence test: per component, certified at the root")
struct ConvergenceTests {
    /// `max_i |d_i| / |y_i|` for the Newton correction at `y`, recomputed from scratch.
    func independentRelativeStep<S: NonlinearSystem>(_ system: S, x: Vector, y: Vector) throws -> Double {
        let a = try system.jacobian(x: x, y: y)
        let d = try a.factorized().solve(system.residual(x: x, y: y))
        var worst = 0.0
        for i in 0..<y.count where d[i] != 0 { worst = Swift.max(worst, abs(d[i]) / abs(y[i])) }
        return worst
    }

    /// Regression (Bratu at n = 10^7 was "converged" after one Newton step with max y
    /// 0.13949 instead of 0.14054). The old test accepted a residual at its rounding floor,
    /// `|F_i| <= 8 ulp (|A| |y|)_i`, a backward error that the Jacobian's condition number
    /// (~0.4 n^2) turns into a forward error. The same mechanism shows at n = 10^5 after
    /// two steps: |F| = 1.2e-6 was under the floor ~1e-5 while y was wrong by 6e-8
    /// (relative 4e-7, for a tolerance of 1e-10).
    @Test("Bratu at n = 100 000: the rounding floor of F no longer accepts a y that is 4e-7 off")
    func bratuFineGrid() throws {
        let n = 100_000
        let p = try BratuProblem(gridPoints: n)
        let s = try NewtonSolver().solve(p, parameters: [1], initialGuess: p.initialGuess)
        let rho = try independentRelativeStep(p, x: [1], y: s.y)
        #expect(rho <= 1e-10, "Newton correction at the returned y: \(rho) relative (history \(s.history))")
        // max y of the discrete solution is 0.1405392143877 (NumPy/LAPACK Newton to its
        // noise level, which is ~1e-11 here); one step short it was 0.14053915.
        expectClose(s.y.maxNorm, 0.1405392143877, rtol: 1e-10)
        #expect(s.iterations >= 3, "\(s.history)")  // the old test stopped after 2
        #expect(s.convergence == .stepTolerance)
        #expect(s.certificate.relativeStep.map { $0 <= 1e-10 } == true, "\(s.certificate)")
        #expect(s.certificate.relativeResidual < 1e-12, "\(s.certificate)")
    }

    /// When the tolerance is below the rounding level of the Newton corrections (they are
    /// rounding noise of F amplified by cond(A) ~ 0.4 n^2), the answer is an error with the
    /// figures, never "converged". At n = 10^5 the corrections at the root are ~1e-11
    /// relative; 1e-14 cannot be reached (n = 10^7 is the same with the default 1e-10).
    @Test("Bratu at n = 100 000 with stepTolerance 1e-14: toleranceNotReached with the figures")
    func unreachableTolerance() throws {
        let p = try BratuProblem(gridPoints: 100_000)
        do {
            let s = try NewtonSolver(options: NewtonOptions(stepTolerance: 1e-14))
                .solve(p, parameters: [1], initialGuess: p.initialGuess)
            Issue.record("accepted with certificate \(s.certificate) after \(s.history)")
        } catch let NewtonError.toleranceNotReached(k, step, tol, history) {
            #expect(tol == 1e-14)
            #expect(step > 1e-14 && step < 1e-8, "relative step \(step)")
            #expect(k < 12 && !history.isEmpty, "stopped at iteration \(k)")
            let e = NewtonError.toleranceNotReached(iteration: k, relativeStep: step, tolerance: tol, history: history)
            #expect(e.description.contains("cannot reach the step tolerance"))
        }
    }

    /// Regression: y^3 + y = x with x = [-3.9464, 1e30] returned y_0 = -1.39419 for the
    /// root -1.37076: the step test was ||d||_inf <= tol ||y||_inf, and ||y|| = 1e10 made
    /// a correction of 0.02 in y_0 "small".
    @Test("elementwise cubic with x = [-3.9464, 1e30]: y_0 is judged on its own scale")
    func componentScales() throws {
        let x: Vector = [-3.9464, 1e30]
        let system = ElementwiseCubic()
        let s = try NewtonSolver().solve(system, parameters: x, initialGuess: ElementwiseCubic.initialGuess(for: x))
        // The one real root of y^3 + y + 3.9464 = 0 (Cardano: y^3 + p y + q, p = 1).
        let half = 3.9464 / 2, disc = (half * half + 1.0 / 27).squareRoot()
        let root0 = Foundation.cbrt(-half + disc) + Foundation.cbrt(-half - disc)
        expectClose(s.y[0], root0, rtol: 1e-13)
        expectClose(s.y[0], -1.37076, rtol: 1e-5)
        expectClose(s.y[1], 1e10, rtol: 1e-14)
        #expect(try independentRelativeStep(system, x: x, y: s.y) <= 1e-10)
        #expect(s.certificate.relativeStep.map { $0 <= 1e-10 } == true, "\(s.certificate)")
    }

    /// The same per-component rule in Newton-Krylov (GMRES corrections).
    @Test("Newton-Krylov judges each component on its own scale too")
    func newtonKrylovComponentScales() throws {
        let x: Vector = [-3.9464, 1e30]
        let s = try NewtonKrylovSolver().solve(ElementwiseCubic(), parameters: x,
                                               initialGuess: ElementwiseCubic.initialGuess(for: x))
        expectClose(s.y[0], -1.3707606, rtol: 1e-6)
        #expect(s.relativeStep.map { $0 <= 1e-10 } == true, "\(String(describing: s.relativeStep))")
    }

    @Test("typicalMagnitude floors the scale of a component; invalid values are rejected")
    func typicalMagnitude() throws {
        let p = try BratuProblem(gridPoints: 4)
        #expect(throws: NewtonError.invalidOptions("typicalMagnitude must be finite and non-negative, got -1.0")) {
            try NewtonSolver(options: NewtonOptions(typicalMagnitude: -1)).solve(p, parameters: [1], initialGuess: .zeros(4))
        }
        // A huge floor makes every correction "small": the test is then absolute, and
        // says so in the certificate's figure (relative to the floor, not to y).
        let s = try NewtonSolver(options: NewtonOptions(typicalMagnitude: 1e3)).solve(p, parameters: [1], initialGuess: .zeros(4))
        #expect(s.certificate.relativeStep.map { $0 <= 1e-10 } == true)
    }
}

import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffCore

// References: closed forms and central finite differences of tightly solved problems.
// Tolerances: implicit derivatives are exact up to the linear solve (~1e-13 relative
// for direct solves at these sizes) and to the forward solver's accuracy (solved to
// ~1e-14 here), so closed forms are compared at 1e-9 relative. Central differences
// with step h have truncation error O(h^2) ~ 1e-10 and rounding error O(ulp/h) ~ 1e-11
// at h = 1e-5, so they are compared at 1e-6 relative.

/// Newton's method for sqrt on plain Doubles: a solver Swift AD cannot see into
/// (the closure is never differentiated; only its conditions are).
@Sendable func opaqueSqrt(_ x: Vector) -> (Vector, Int) {
    var y = x.scalars.map { Swift.max($0, 1) }
    var iterations = 0
    for _ in 0..<100 {
        iterations += 1
        var done = true
        for i in y.indices {
            let next = 0.5 * (y[i] + x.scalars[i] / y[i])
            if abs(next - y[i]) > 1e-15 * next { done = false }
            y[i] = next
        }
        if done { break }
    }
    return (Vector(y), iterations)
}

let sqrtFunction = ImplicitFunction(solver: { x in opaqueSqrt(x) },
                                    conditions: { x, y, _ in y * y - x })

@Suite("ImplicitFunction: sqrt by its conditions y*y - x = 0")
struct SqrtTests {
    let x: Vector = [0.25, 2, 9, 17.5]
    var closedForm: Vector { Vector(x.scalars.map { 0.5 / $0.squareRoot() }) }

    @Test func plainCallSolves() {
        expectClose(sqrtFunction(x), x.sqrt(), rtol: 1e-14, "y")
    }

    @Test func gradientThroughSwiftAD() {
        let g = gradient(at: x) { x in sqrtFunction(x).sum() }
        expectClose(g, closedForm, rtol: 1e-9, "gradient of sum sqrt(x)")
    }

    @Test func gradientComposesWithOtherOperations() {
        // L = sum(x * sqrt(x)) = sum x^1.5, dL/dx = 1.5 sqrt(x).
        let g = gradient(at: x) { x in (x * sqrtFunction(x)).sum() }
        expectClose(g, 1.5 * x.sqrt(), rtol: 1e-9, "gradient of sum x^1.5")
    }

    @Test func jacobianIsDiagonal() throws {
        let j = try sqrtFunction.jacobian(at: x)
        expectClose(j, Matrix.diagonal(closedForm), rtol: 1e-9, "Jacobian")
    }

    @Test func pullbackCanBeCalledRepeatedly() throws {
        let (y, pullback) = try sqrtFunction.valueWithPullback(at: x)
        expectClose(y, x.sqrt(), rtol: 1e-14, "y")
        for k in 0..<x.count {
            expectClose(try pullback(.basis(k, count: x.count)), closedForm * .basis(k, count: x.count), rtol: 1e-9, "row \(k)")
        }
    }

    @Test func pushforward() throws {
        let dx: Vector = [1, -2, 0.5, 3]
        expectClose(try sqrtFunction.pushforward(at: x, along: dx), closedForm * dx, rtol: 1e-9, "pushforward")
    }

    @Test func byproductReachesConditions() throws {
        // The byproduct (Newton's iteration count) is passed through untouched.
        let (_, iterations) = try sqrtFunction.solve(at: x)
        #expect(iterations > 1 && iterations < 100)
    }
}

@Suite("ImplicitFunction: failures are loud")
struct FailureTests {
    @Test func inaccurateSolverIsRejected() throws {
        let sloppy = ImplicitFunction(solver: { x in (x, ()) }, conditions: { x, y, _ in y * y - x })
        #expect(throws: ImplicitDifferentiationError.self) { _ = try sloppy.jacobian(at: [4, 9]) }
        do {
            _ = try sloppy.valueWithPullback(at: [4, 9])
            Issue.record("expected a residual error")
        } catch let ImplicitDifferentiationError.residualTooLarge(residual, tolerance) {
            // The Newton correction |F_i / (2 y_i)| = [12/8, 72/18]: y is 4 away from sqrt(9).
            #expect(residual == 4 && tolerance > 0)
        }
    }

    @Test func singularSystemIsRejected() throws {
        // y = sqrt(x) at x = 0: dF/dy = 2y = 0 is singular; the derivative does not exist.
        #expect(throws: ImplicitDifferentiationError.self) { _ = try sqrtFunction.jacobian(at: [0, 1]) }
    }

    @Test func failureUnderSwiftADIsCollected() throws {
        #expect(throws: ImplicitDifferentiationError.self) {
            _ = try withCheckedDerivatives { gradient(at: [0, 1] as Vector) { x in sqrtFunction(x).sum() } }
        }
        // And a healthy call inside the scope passes.
        let g = try withCheckedDerivatives { gradient(at: [4] as Vector) { x in sqrtFunction(x).sum() } }
        expectClose(g, [0.25], rtol: 1e-9, "gradient")
    }

    @Test func solverErrorsPropagate() {
        struct Boom: Error {}
        let f = ImplicitFunction(solver: { (_: Vector) throws -> (Vector, Void) in throw Boom() },
                                 conditions: { x, y, _ in y - x })
        #expect(throws: Boom.self) { _ = try f.value(at: [1]) }
        #expect(throws: Boom.self) { _ = try withCheckedDerivatives { gradient(at: [1] as Vector) { x in f(x).sum() } } }
    }

    @Test func solverFailureKeepsTheOutputLengthWhenKnown() {
        // y has 3 entries, x has 1. A failing solver's NaN placeholder has outputCount
        // entries, so a loss that combines y with a 3-vector runs to the end of the
        // checked scope (a 1-entry placeholder would trap on the length mismatch) and
        // the solver's error is what comes out. (ImplicitDiffProx's RidgeTests check that
        // the ridge map sets the count itself.)
        struct Boom: Error {}
        let f = ImplicitFunction(solver: { (_: Vector) throws -> (Vector, Void) in throw Boom() },
                                 conditions: { x, y, _ in y - x }).withOutputCount { _ in 3 }
        let target: Vector = [1, 2, 3]
        #expect(throws: Boom.self) {
            _ = try withCheckedDerivatives { gradient(at: [1] as Vector) { x in (f(x) - target).squaredNorm() } }
        }
        #expect(f.outputCount?(.zeros(1)) == 3)
    }
}

@Suite("Swift AD traps")
struct ADTrapTests {
    /// Trap 1: differentiating a multi-argument differentiable closure with respect to a
    /// subset of its arguments can return another argument's derivative. The conditions
    /// are linearised jointly; here dF/dx and dF/dy differ, so a mix-up fails.
    @Test func jointLinearisationKeepsBlocksApart() throws {
        let conditions = DifferentiableConditions<Void> { x, y, _ in 3 * y - (x * x) }
        let x: Vector = [1, 2], y: Vector = [1.0 / 3, 4.0 / 3]
        let lin = try conditions.linearize(x: x, y: y, byproduct: ())
        expectClose(lin.denseA(), Matrix.diagonal([3, 3]), rtol: 1e-15, "A = dF/dy")
        expectClose(lin.denseB(), Matrix.diagonal([-2, -4]), rtol: 1e-15, "B = dF/dx")
        expectClose(lin.a.applyTransposed([1, 1]), [3, 3], rtol: 1e-15, "A'1")
        expectClose(lin.b.applyTransposed([1, 1]), [-2, -4], rtol: 1e-15, "B'1")
    }

    /// Trap 2: a parameter captured by a closure instead of passed in is a constant to AD
    /// (gradient 0). The implicit function takes parameters as its explicit input; this
    /// checks both that the explicit path is non-zero and correct, and that the captured
    /// path is indeed zero, so a refactor that captures `x` would be caught.
    @Test func parametersMustBeExplicitInputs() {
        let x: Vector = [4, 9]
        let explicit = gradient(at: x) { x in sqrtFunction(x).sum() }
        expectClose(explicit, [0.25, 1.0 / 6], rtol: 1e-9, "explicit")
        let captured = gradient(at: Vector([0, 0])) { dummy in (sqrtFunction(x) + dummy * 0).sum() }
        #expect(captured.maxNorm == 0)
    }
}

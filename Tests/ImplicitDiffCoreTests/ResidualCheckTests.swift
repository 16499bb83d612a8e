import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffCore

/// `y_i^2 = x_i`, with the conditions multiplied by `scale`: `F = scale (y * y - x)`.
/// The roots, and the derivative `dy/dx = 1 / (2 y)`, do not depend on `scale`.
struct ScaledSquareConditions: ImplicitConditions {
    let scale: Double

    func residual(x: Vector, y: Vector, byproduct: Void) -> Vector { scale * (y * y - x) }

    func linearize(x: Vector, y: Vector, byproduct: Void) throws -> ConditionsLinearization {
        ConditionsLinearization(a: Matrix.diagonal(2 * scale * y), b: Matrix.diagonal(Vector(repeating: -scale, count: x.count)))
    }
}

/// Issue 13: the check before differentiating was `||F(x, y)||_inf <= residualTolerance *
/// max(1, ||y||_inf)` in the units of `F`, so conditions multiplied by 1e-9 accepted a `y`
/// that is 0.1% off and returned a gradient 0.1% off without a word. The check is now the
/// Newton correction `||A^-1 F||_inf` (units of `y`, unchanged by `F -> S F`).
@Suite("The residual check before differentiating is invariant to the scale of F")
struct ResidualCheckTests {
    let x: Vector = [4, 9, 2]

    func function(scale: Double, error: Double, solver: LinearSolverChoice = .automatic) -> ImplicitFunction<Void> {
        ImplicitFunction(solver: { x in (x.map { $0.squareRoot() * (1 + error) }, ()) },
                                conditions: ScaledSquareConditions(scale: scale),
                                options: ImplicitOptions(linearSolver: solver))
    }

    @Test("conditions scaled by 1e-9 around a y that is 1e-3 off: residualTooLarge with the correction",
          arguments: [LinearSolverChoice.automatic, .gmres, .cg])
    func scaledConditionsRejectAWrongY(solver: LinearSolverChoice) throws {
        let f = function(scale: 1e-9, error: 1e-3, solver: solver)
        // ||F||_inf = 1e-9 * 9 * 2e-3 ~ 1.8e-11 passed the old test (1e-6 * max(1, 3)).
        do {
            _ = try f.valueWithPullback(at: x)
            Issue.record("a y that is 1e-3 off was accepted with conditions scaled by 1e-9 (\(solver))")
        } catch let ImplicitDifferentiationError.residualTooLarge(residual, tolerance) {
            // The correction is (y^2 - x) / (2y) ~ 1e-3 y: about 3e-3 for y = 3.
            #expect(residual > 1e-3 && residual < 4e-3, "residual \(residual)")
            #expect(abs(tolerance - 1e-6 * 3 * (1 + 1e-3)) < 1e-12)
        }
        // Under Swift AD the same failure surfaces from the checked scope.
        #expect(throws: ImplicitDifferentiationError.self) {
            try withCheckedDerivatives { gradient(at: x) { x in f(x).sum() } }
        }
    }

    @Test("the correct y passes whatever the scale of the conditions", arguments: [1e-9, 1.0, 1e9])
    func scaledConditionsAcceptTheRoot(scale: Double) throws {
        let f = function(scale: scale, error: 0)
        let (y, d) = try f.derivative(at: x)
        #expect(d.conditionCorrection.map { $0 <= 1e-15 * 3 } == true, "\(String(describing: d.conditionCorrection))")
        expectClose(try d.pullback([1, 1, 1]), y.map { 0.5 / $0 }, rtol: 1e-14, "dy/dx = 1/(2y) at scale \(scale)")
    }

    @Test("conditions scaled by 1e9 around a y that is 1e-9 off: accepted (the check is in the units of y)")
    func largeScaleSmallError() throws {
        // ||F|| ~ 1e9 * 2e-9 * 9 = 18 failed the old test although y is good to 1e-9.
        let f = function(scale: 1e9, error: 1e-9)
        let (_, d) = try f.derivative(at: x)
        #expect(d.conditionResidual > 1 && d.conditionCorrection.map { $0 < 1e-8 } == true)
    }

    @Test("an exact root (F = 0) is accepted without a solve; a singular A far from the root is a residual error")
    func exactRootAndSingularFarAway() throws {
        let exact = ImplicitFunction(solver: { x in (x, ()) }, conditions: { x, y, _ in y - x })
        let (_, d) = try exact.derivative(at: [1, 2])
        #expect(d.conditionCorrection == 0 && d.conditionResidual == 0)
        // y = 0 for sqrt: A = 2y = 0 is singular, and F = -x is not small: reported as the
        // residual, not as a singular system.
        let zero = ImplicitFunction(solver: { x in (x * 0, ()) }, conditions: ScaledSquareConditions(scale: 1))
        do {
            _ = try zero.derivative(at: [4])
            Issue.record("accepted y = 0 for sqrt(4)")
        } catch let ImplicitDifferentiationError.residualTooLarge(residual, _) {
            #expect(residual == 4)
        }
    }
}

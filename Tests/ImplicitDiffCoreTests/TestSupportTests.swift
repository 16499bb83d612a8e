import Testing
import Foundation
import ImplicitDiffCore

// The shared checks must be able to fail: a closeness check that passes everything, or a
// finite difference that returns zeros, would make every test built on them vacuous.

@Suite("Test support: the shared closeness check and central differences")
struct TestSupportTests {
    @Test("expectClose records an issue beyond the tolerance and none within it")
    func expectCloseCanFail() {
        withKnownIssue("0.1 apart at rtol 1e-3") {
            expectClose(Vector([1, 2]), Vector([1, 2.1]), rtol: 1e-3, "far")
        }
        withKnownIssue("different lengths") {
            expectClose(Vector([1]), Vector([1, 2]), rtol: 1, "lengths")
        }
        withKnownIssue("an exact zero is expected, atol 0") {
            expectClose(1e-12, 0, rtol: 1e-6, "zero")
        }
        expectClose(Vector([1, 2]), Vector([1, 2 + 1e-9]), rtol: 1e-6, "near")
        expectClose(1e-12, 0, rtol: 1e-6, atol: 1e-10, "absolute part")
    }

    @Test("central differences reproduce closed-form derivatives to O(h^2)")
    func centralDifferencesMatchClosedForms() throws {
        let x: Vector = [0.3, -1.2, 2.0]
        // f(x) = (sin x0 * x1, exp x2): J = [[cos x0 x1, sin x0, 0], [0, 0, exp x2]].
        let jacobian = finiteDifferenceJacobian(at: x) { v in Vector([Foundation.sin(v[0]) * v[1], Foundation.exp(v[2])]) }
        let exact = try #require(Matrix(rowArrays: [[Foundation.cos(0.3) * -1.2, Foundation.sin(0.3), 0], [0, 0, Foundation.exp(2.0)]]))
        expectClose(jacobian, exact, rtol: 1e-8, "Jacobian")
        let gradient = finiteDifferenceGradient(at: x) { v in v[0] * v[0] + v[1] * v[2] }
        expectClose(gradient, Vector([0.6, 2.0, -1.2]), rtol: 1e-8, "gradient")
        let along = finiteDifference(at: x, along: Vector([1, 0, 1])) { v in Vector([v[0] * v[2]]) }
        expectClose(along, Vector([2.0 + 0.3]), rtol: 1e-8, "directional")
    }
}

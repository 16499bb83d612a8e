import Testing
import _Differentiation
@testable import ImplicitDiffCore

/// Conditions with a hand-written linearisation, a non-square B (n_x = 3 parameters,
/// n_y = 2 unknowns) and a byproduct the derivative uses.
///
/// y solves the linear system M(x) y = r with M(x) = [[2 + x0, x1], [x1, 3]] and
/// r = [1, x2]: F = M(x) y - r. A = M(x); B = dF/dx = [[y0, y1, 0], [0, y0, -1]].
/// Closed form of the Jacobian: dy/dx = -M^-1 B.
struct LinearSystemConditions: ImplicitConditions {
    struct Byproduct { let factorization: LUFactorization }

    static func m(_ x: Vector) -> Matrix { Matrix(rows: 2, columns: 2, scalars: [2 + x[0], x[1], x[1], 3]) }

    func residual(x: Vector, y: Vector, byproduct: Byproduct) -> Vector {
        Self.m(x) * y - Vector([1, x[2]])
    }

    func linearize(x: Vector, y: Vector, byproduct: Byproduct) throws -> ConditionsLinearization {
        let b = Matrix(rows: 2, columns: 3, scalars: [y[0], y[1], 0, 0, y[0], -1])
        return ConditionsLinearization(a: Self.m(x), b: b, factorizedA: byproduct.factorization)
    }
}

@Suite("Conditions with their own linearisation")
struct CustomConditionsTests {
    let f = ImplicitFunction(solver: { x in
        let lu = try LUFactorization(LinearSystemConditions.m(x))
        return (lu.solve([1, x[2]]), LinearSystemConditions.Byproduct(factorization: lu))
    }, conditions: LinearSystemConditions())

    let x: Vector = [0.5, -0.3, 2.0]

    @Test func jacobianMatchesClosedFormAndFiniteDifferences() throws {
        let (y, d) = try f.derivative(at: x)
        #expect(d.system.method == "factorization")  // the solver's LU is reused
        let b = Matrix(rows: 2, columns: 3, scalars: [y[0], y[1], 0, 0, y[0], -1])
        let closed = -1.0 * (try LUFactorization(LinearSystemConditions.m(x))).solve(b)
        let j = try d.jacobian()
        expectClose(j, closed, rtol: 1e-12, "Jacobian vs closed form")
        let fd = try finiteDifferenceJacobian(at: x, h: 1e-5) { try f.value(at: $0) }
        expectClose(j, fd, rtol: 1e-6, "Jacobian vs finite differences")
    }

    @Test func reverseAndForwardModesAreAdjoint() throws {
        // <ybar, J dx> = <J' ybar, dx> for any ybar, dx.
        let (_, d) = try f.derivative(at: x)
        let ybar: Vector = [0.7, -1.9], dx: Vector = [1.5, 0.25, -2]
        let lhs = ybar.dot(try d.pushforward(dx)), rhs = (try d.pullback(ybar)).dot(dx)
        #expect(abs(lhs - rhs) <= 1e-13 * Swift.max(abs(lhs), 1))
    }

    @Test func shapesAreChecked() throws {
        let (_, d) = try f.derivative(at: x)
        #expect(throws: ImplicitDifferentiationError.self) { _ = try d.pullback([1, 2, 3]) }
        #expect(throws: ImplicitDifferentiationError.self) { _ = try d.pushforward([1]) }
        #expect(throws: ImplicitDifferentiationError.self) { _ = try d.pullback([.nan, 1]) }
    }

    @Test func differentiableConditionsAgreeWithHandWritten() throws {
        // The same conditions written as a Swift function: AD supplies A and B.
        let ad = ImplicitFunction(solver: { x in (try f.value(at: x), ()) }, conditions: { x, y, _ in
            let f0 = (2 + x.element(0)) * y.element(0) + x.element(1) * y.element(1) - 1
            let f1 = x.element(1) * y.element(0) + 3 * y.element(1) - x.element(2)
            return f0 * Vector([1, 0]) + f1 * Vector([0, 1])
        })
        expectClose(try ad.jacobian(at: x), try f.jacobian(at: x), rtol: 1e-12, "AD vs hand-written Jacobian")
    }

    @Test func derivativeFailureUnderSwiftADKeepsTheOutputLength() throws {
        // The solver "succeeds" with a wrong y (2 entries for 3 parameters): the residual
        // check fails inside Swift AD; the NaN placeholder must have y's length so the
        // surrounding code (a product with a length-2 vector) runs on and the scope throws.
        let sloppy = ImplicitFunction(solver: { _ in (Vector([1, 1]), LinearSystemConditions.Byproduct(factorization: try LUFactorization(.identity(2)))) },
                                      conditions: LinearSystemConditions())
        #expect(throws: ImplicitDifferentiationError.self) {
            _ = try withCheckedDerivatives { gradient(at: x) { x in (sloppy(x) * Vector([1, 2])).sum() } }
        }
    }
}

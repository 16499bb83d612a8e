import Testing
import _Differentiation
import ImplicitDiffCore

// Every linear solver choice against every kind of conditions, on one system whose
// derivative is known in closed form: y(x) = H^-1 x solves F(x, y) = H y - x = 0 with H
// symmetric positive definite (n = 6, condition number ~ 10), so A = H, B = -I,
// dy/dx = H^-1: the VJP of ybar is H^-1 ybar and the JVP of dx is H^-1 dx. Every
// method applies (CG and MINRES need symmetry, which holds); Krylov solves stop at
// 1e-12 relative, so with cond(H) ~ 10 the answers agree with the closed form to ~1e-11
// (compared at 1e-9).

private let size = 6

/// H = M M' / n + I, M seeded.
private let spd: Matrix = {
    var rng = SplitMix64(seed: 17)
    let m = rng.matrix(size, size)
    return m * m.transposed / Double(size) + Matrix.identity(size)
}()

/// The solver: a dense solve the derivative never sees (opaque to AD).
@Sendable private func solve(_ x: Vector) throws -> (Vector, Void) {
    (try CholeskyFactorization(spd).solve(x), ())
}

/// The same conditions, spelled the ways the core accepts them.
private enum ConditionsKind: String, CaseIterable, CustomTestStringConvertible {
    /// A Swift closure differentiated by Swift AD.
    case closure
    /// `DifferentiableConditions` built explicitly.
    case differentiable
    /// Hand-written linearisation: dense `A` and `B`, flagged symmetric positive definite.
    case denseOperators
    /// Hand-written linearisation known only through products (matrix-free).
    case matrixFree
    /// Hand-written linearisation with the solver's own factorisation of `A`.
    case ownFactorization

    var testDescription: String { rawValue }

    func function(_ choice: LinearSolverChoice) -> ImplicitFunction<Void> {
        let options = ImplicitOptions(linearSolver: choice, linearTolerance: 1e-12)
        switch self {
        case .closure:
            return ImplicitFunction(solver: solve, conditions: { x, y, _ in spd * y - x }, options: options)
        case .differentiable:
            return ImplicitFunction(solver: solve, conditions: DifferentiableConditions<Void> { x, y, _ in spd * y - x },
                                    options: options)
        case .denseOperators, .matrixFree, .ownFactorization:
            return ImplicitFunction(solver: solve, conditions: LinearizedConditions(kind: self), options: options)
        }
    }
}

/// `F = H y - x` with its linearisation given by hand, in three forms.
private struct LinearizedConditions: ImplicitConditions {
    let kind: ConditionsKind

    func residual(x: Vector, y: Vector, byproduct: Void) -> Vector { spd * y - x }

    func linearize(x: Vector, y: Vector, byproduct: Void) throws -> ConditionsLinearization {
        let minusIdentity = -1.0 * Matrix.identity(size)
        switch kind {
        case .matrixFree:
            let a = FunctionOperator(rows: size, columns: size, apply: { spd * $0 }, applyTransposed: { spd * $0 })
            let b = FunctionOperator(rows: size, columns: size, apply: { -1.0 * $0 }, applyTransposed: { -1.0 * $0 })
            return ConditionsLinearization(a: a, b: b, isPositiveDefinite: true, isMatrixFree: true)
        case .ownFactorization:
            return ConditionsLinearization(a: spd, b: minusIdentity, factorizedA: try CholeskyFactorization(spd),
                                           isPositiveDefinite: true)
        default:
            return ConditionsLinearization(a: spd, b: minusIdentity, isPositiveDefinite: true)
        }
    }
}

@Suite("Every linear solver choice x every kind of conditions (closed form H^-1)")
struct SolverChoiceMatrixTests {
    static let x: Vector = [0.3, -1.1, 2.0, 0.7, -0.4, 1.5]
    static let ybar: Vector = [1, -2, 0.5, 0, 3, -1]
    static let dx: Vector = [-0.6, 0.2, 1.0, -1.3, 0.4, 0.9]

    @Test(arguments: ConditionsKind.allCases, LinearSolverChoice.allCases)
    fileprivate func vjpAndJvpMatchTheClosedForm(kind: ConditionsKind, choice: LinearSolverChoice) throws {
        let f = kind.function(choice)
        let (y, derivative) = try f.derivative(at: Self.x)
        let cholesky = try CholeskyFactorization(spd)
        expectClose(y, cholesky.solve(Self.x), rtol: 1e-12, "y")
        let (w, report) = try derivative.pullbackWithReport(Self.ybar)
        expectClose(w, cholesky.solve(Self.ybar), rtol: 1e-9, "VJP, \(kind) x \(choice): \(report.method)")
        let (dy, _) = try derivative.pushforwardWithReport(Self.dx)
        expectClose(dy, cholesky.solve(Self.dx), rtol: 1e-9, "JVP, \(kind) x \(choice)")
        // The method that ran is the one asked for (automatic and direct: a factorisation,
        // the conditions' own where they have one; a matrix-free automatic choice may be CG).
        switch choice {
        case .automatic:
            #expect(!report.method.isEmpty)
        case .direct:
            #expect(["cholesky", "ldlt", "lu", "factorization"].contains(report.method), "\(report.method)")
            if kind == .ownFactorization { #expect(report.method == "factorization") }
        default:
            #expect(report.method == choice.rawValue, "asked \(choice), ran \(report.method)")
        }
    }
}

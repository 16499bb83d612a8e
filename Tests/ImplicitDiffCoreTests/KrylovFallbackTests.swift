import Testing
@testable import ImplicitDiffCore

/// y solves K y = x with K symmetric indefinite (a small KKT matrix): F = K y - x,
/// A = K, B = -I, so dy/dx = K^-1 exactly.
struct IndefiniteConditions: ImplicitConditions {
    static let k = Matrix(rows: 3, columns: 3, scalars: [2, 0, 1,
                                                         0, 3, 1,
                                                         1, 1, 0])
    func residual(x: Vector, y: Vector, byproduct: Void) -> Vector { Self.k * y - x }
    func linearize(x: Vector, y: Vector, byproduct: Void) throws -> ConditionsLinearization {
        ConditionsLinearization(a: Self.k, b: -1.0 * Matrix.identity(3), isSymmetric: true)
    }
}

@Suite("Krylov breakdown falls back to a method that cannot break down that way")
struct KrylovFallbackTests {
    let f = ImplicitFunction(solver: { x in (try LUFactorization(IndefiniteConditions.k).solve(x), ()) },
                             conditions: IndefiniteConditions())

    @Test(arguments: [LinearSolverChoice.cg, .bicgstab])
    func indefiniteSystemFallsBack(choice: LinearSolverChoice) throws {
        // CG breaks down on the indefinite K (p'Kp = 0 for the KKT-like right-hand side
        // with a zero first block); the answer must still be K^-1 ybar, reported as MINRES.
        var g = f
        g.options = ImplicitOptions(linearSolver: choice, linearTolerance: 1e-12)
        let x: Vector = [1, 2, 3]
        let (_, d) = try g.derivative(at: x)
        let ybar: Vector = [0, 0, 1]
        let (xbar, report) = try d.pullbackWithReport(ybar)
        let exact = try LUFactorization(IndefiniteConditions.k).solveTransposed(ybar)
        expectClose(xbar, exact, rtol: 1e-10, "pullback with \(choice)")
        #expect(report.relativeResidual < 1e-10)
        if report.method != choice.rawValue {
            #expect(report.method == "minres (\(choice.rawValue) broke down)")
        }
    }

    @Test func cgOnIndefiniteReportsTheFallback() throws {
        var g = f
        g.options = ImplicitOptions(linearSolver: .cg, linearTolerance: 1e-12)
        let (_, d) = try g.derivative(at: [1, 2, 3])
        let (_, report) = try d.pullbackWithReport([0, 0, 1])
        #expect(report.method == "minres (cg broke down)")
    }
}

import Testing
@testable import ImplicitDiffProx

@Suite("Matrix-free derivatives (Krylov) agree with the factorised ones")
struct KrylovDerivativeTests {
    // Krylov solves stop at ||r|| <= 1e-12 ||b|| here; the systems are well conditioned
    // (condition ~1e2), so solutions agree with the direct ones to ~1e-10 relative.
    let tight = ImplicitOptions(linearTolerance: 1e-12)

    @Test func lassoOnTheReducedSystem() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 12, informative: 4, seed: 61)
        let solution = try Lasso(design: x, targets: y, lambda: lambda).solve()
        let direct = try solution.derivative()
        var rng = SplitMix64(seed: 62)
        let wbar = rng.vector(12), dtheta = rng.vector(30 * 12 + 30 + 1)
        let (gDirect, _) = try direct.pullback(w: wbar, value: 0.5)
        let (dwDirect, dvDirect, _) = try direct.pushforward(dtheta)
        for choice in [LinearSolverChoice.cg, .minres, .gmres, .bicgstab] {
            var options = tight
            options.linearSolver = choice
            let krylov = try solution.derivative(options: options)
            #expect(krylov.factorization == nil && krylov.method == choice.rawValue)
            let (g, report) = try krylov.pullback(w: wbar, value: 0.5)
            #expect(report.iterations > 0 && report.iterations <= 2 * (krylov.support?.count ?? 0) + 5)
            expectClose(g, gDirect, rtol: 1e-9, "\(choice) pullback")
            let (dw, dv, _) = try krylov.pushforward(dtheta)
            expectClose(dw, dwDirect, rtol: 1e-9, "\(choice) pushforward")
            expectClose(dv, dvDirect, rtol: 1e-9, "\(choice) value pushforward")
        }
        // .automatic switches to CG on the support above denseLimit (when no factorisation
        // is at hand: the polish is off here).
        let unpolished = try Lasso(design: x, targets: y, lambda: lambda).solve(options: .init(tolerance: 1e-13, polish: false))
        let auto = try unpolished.derivative(options: ImplicitOptions(linearTolerance: 1e-12, denseLimit: 1))
        #expect(auto.method == "cg")
        expectClose(try auto.pullback(w: wbar, value: 0.5).gradient, gDirect, rtol: 1e-8, "automatic CG")
    }

    @Test func groupLassoOnTheGeneralSystem() throws {
        let (x, y, lambda) = regressionData(rows: 20, columns: 8, informative: 2, seed: 63)
        let solution = try GroupLassoRegression(design: x, targets: y, lambda: 2 * lambda, groups: [[0, 1], [2, 3, 4], [5, 6, 7]])
            .solve(options: tightSolver)
        let direct = try solution.derivative()
        #expect(direct.method == "lu")
        var rng = SplitMix64(seed: 64)
        let wbar = rng.vector(8)
        let (gDirect, _) = try direct.pullback(w: wbar)
        for choice in [LinearSolverChoice.gmres, .bicgstab, .cg] {
            var options = tight
            options.linearSolver = choice
            let krylov = try solution.derivative(options: options)
            #expect(krylov.method == (choice == .cg ? "gmres" : choice.rawValue), "CG is replaced on a non-symmetric system")
            expectClose(try krylov.pullback(w: wbar).gradient, gDirect, rtol: 1e-9, "\(choice) pullback")
            expectClose(try krylov.jacobian(), try direct.jacobian(), rtol: 1e-9, "\(choice) Jacobian")
        }
    }

    @Test func iterationCapIsAnError() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 12, informative: 6, seed: 65)
        let solution = try Lasso(design: x, targets: y, lambda: 0.3 * lambda).solve()
        #expect((solution.result.factorization?.support.count ?? 0) >= 3)
        let options = ImplicitOptions(linearSolver: .cg, linearTolerance: 1e-14, linearMaxIterations: 1)
        #expect(throws: ImplicitDifferentiationError.self) {
            try solution.derivative(options: options).pullback(w: Vector(repeating: 1, count: 12))
        }
    }
}

import ImplicitDiffCore
import Testing

@Suite("GMRES")
struct KrylovGMRESTests {
    @Test("Non-symmetric systems without restart: solution matches LU", arguments: testSeeds)
    func nonsymmetric(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 40
        let a = TestData.nonsymmetric(n, &rng)
        let b = TestData.vector(n, &rng)
        let result = try GMRES(options: tightOptions).solve(a, b)
        #expect(result.status == .converged)
        // GMRES reports the true residual b - A x, recomputed at the end of the cycle: no drift.
        expectSolves(result, a, b, options: tightOptions, slack: 1.0001)
        // Eigenvalues within ~0.3 of 1, cond(A) ~ 2: forward error <= ~2e-12.
        expectClose(result.solution, try LUFactorization(a).solve(b), relativeTolerance: 1e-10)
        #expect(result.residualHistory.count == result.iterations + 1)
        #expect(GMRES.name == "gmres")
    }

    @Test("Restarted GMRES(5) on non-symmetric and symmetric indefinite systems", arguments: testSeeds)
    func restarted(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 40
        var options = tightOptions
        options.restart = 5
        options.maxIterations = 1000
        let a = TestData.nonsymmetric(n, &rng)
        let b = TestData.vector(n, &rng)
        let result = try GMRES(options: options).solve(a, b)
        expectSolves(result, a, b, options: options, slack: 1.0001)
        #expect(result.iterations > 5)
        expectClose(result.solution, try LUFactorization(a).solve(b), relativeTolerance: 1e-10)

        options.restart = 20
        let indefinite = try TestData.symmetricIndefinite(n, &rng)
        let r2 = try GMRES(options: options).solve(indefinite, b)
        expectSolves(r2, indefinite, b, options: options, slack: 1.0001)
    }

    @Test("Happy breakdown: an operator with few distinct eigenvalues converges exactly")
    func happyBreakdown() throws {
        // A = diag(2, 2, ..., 5, 5, ...): the minimal polynomial has degree 2, so the Krylov
        // space is invariant after 2 steps and h_{3,2} = 0.
        let n = 20
        let a = Matrix.diagonal(Vector((0..<n).map { $0 < n / 2 ? 2.0 : 5.0 }))
        var rng = SplitMix64(seed: 1)
        let b = TestData.vector(n, &rng)
        let result = try GMRES(options: tightOptions).solve(a, b)
        #expect(result.status == .converged)
        #expect(result.iterations <= 2)
        expectClose(result.solution, b / TestData.diagonal(a), relativeTolerance: 1e-13)
    }

    @Test("Right Jacobi preconditioning on a badly scaled non-symmetric matrix", arguments: testSeeds)
    func jacobi(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 50
        // D (I + 0.3 B / sqrt n): rows scaled over four decades.
        let d = Matrix.diagonal(Vector((0..<n).map { 1 + 9999 * Double($0) / Double(n - 1) }))
        let a = d * TestData.nonsymmetric(n, &rng)
        let b = TestData.vector(n, &rng)
        let options = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 500, restart: 20)
        let m = JacobiPreconditioner(diagonal: TestData.diagonal(a))
        let preconditioned = try GMRES(options: options).solve(a, b, initialGuess: nil, preconditioner: m)
        // Right preconditioning minimises the true residual, which is recomputed at the end.
        expectSolves(preconditioned, a, b, options: options, slack: 1.0001)
        do {
            let plain = try GMRES(options: options).solve(a, b)
            #expect(preconditioned.iterations < plain.iterations)
        } catch KrylovError.notConverged {
            // Unpreconditioned GMRES(20) may stagnate on this scaling: that is the point.
        }
    }

    @Test("Warm start, zero right-hand side, iteration cap, invalid input")
    func commonBehaviour() throws {
        var rng = SplitMix64(seed: 13)
        let n = 30
        let a = TestData.nonsymmetric(n, &rng)
        let b = TestData.vector(n, &rng)
        let solver = GMRES(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-8))
        try checkWarmStart(solver, a, b, exact: try LUFactorization(a).solve(b), &rng)
        try checkZeroRightHandSide(solver, a, TestData.vector(n, &rng))
        checkNotConverged(GMRES(options: KrylovOptions(maxIterations: 3)), a, b, cap: 3)
        checkNotConverged(GMRES(options: KrylovOptions(maxIterations: 7, restart: 2)), a, b, cap: 7)
        checkInvalidInput(solver, a, &rng)
    }
}

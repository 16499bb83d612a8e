import ImplicitDiffCore
import Testing

@Suite("MINRES")
struct KrylovMINRESTests {
    @Test("SPD systems: solution matches Cholesky", arguments: testSeeds)
    func spd(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 40
        let a = TestData.spd(n, &rng)
        let b = TestData.vector(n, &rng)
        let result = try MINRES(options: tightOptions).solve(a, b)
        #expect(result.status == .converged)
        expectSolves(result, a, b, options: tightOptions)
        // cond(A) <= ~5: forward error <= cond * 1e-12 plus the reference's own ~cond * ulp.
        expectClose(result.solution, try CholeskyFactorization(a).solve(b), relativeTolerance: 1e-10)
        #expect(MINRES.name == "minres")
    }

    @Test("Symmetric indefinite systems: solution matches LDL'", arguments: testSeeds)
    func indefinite(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 40
        let a = try TestData.symmetricIndefinite(n, &rng)
        let b = TestData.vector(n, &rng)
        let result = try MINRES(options: tightOptions).solve(a, b)
        expectSolves(result, a, b, options: tightOptions)
        // |eigenvalues| in [1, 3], so cond(A) <= 3: forward error <= ~3e-12.
        expectClose(result.solution, try SymmetricIndefiniteFactorization(a).solve(b), relativeTolerance: 1e-10)
        // MINRES minimises ||r|| over nested subspaces: the history never increases (up to rounding).
        for (previous, next) in zip(result.residualHistory, result.residualHistory.dropFirst()) {
            #expect(next <= previous * (1 + 1e-12))
        }
        #expect(result.residualHistory.count == result.iterations + 1)
    }

    @Test("Jacobi preconditioning (SPD M^-1) on badly scaled SPD and indefinite matrices", arguments: testSeeds)
    func jacobi(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 50
        let options = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 2000)
        let solver = MINRES(options: options)
        let a = TestData.badlyScaledSPD(n, &rng)
        let b = TestData.vector(n, &rng)
        let m = JacobiPreconditioner(diagonal: TestData.diagonal(a))
        let preconditioned = try solver.solve(a, b, initialGuess: nil, preconditioner: m)
        // The 2-norm residual is updated by a recurrence; cond(A) ~ 1e4 makes it drift from the
        // true residual by more than in well-conditioned tests: allow 100 x the threshold.
        expectSolves(preconditioned, a, b, options: options, slack: 100)
        let plain = try solver.solve(a, b)
        #expect(preconditioned.iterations < plain.iterations,
                "Jacobi: \(preconditioned.iterations) iterations, plain: \(plain.iterations)")

        // Indefinite, scaled by D = diag(1...10): Jacobi must use |diag| to stay SPD.
        let d = Matrix.diagonal(Vector((0..<n).map { 1 + 9 * Double($0) / Double(n - 1) }))
        let indefinite = d * (try TestData.symmetricIndefinite(n, &rng)) * d
        let absDiagonal = TestData.diagonal(indefinite).map { Swift.max(abs($0), 1e-3) }
        let result = try solver.solve(indefinite, b, initialGuess: nil,
                                      preconditioner: JacobiPreconditioner(diagonal: absDiagonal))
        expectSolves(result, indefinite, b, options: options, slack: 100)
    }

    @Test("Indefinite preconditioner: breakdown")
    func indefinitePreconditioner() throws {
        var rng = SplitMix64(seed: 8)
        let a = TestData.spd(10, &rng)
        let b = TestData.vector(10, &rng)
        let m = JacobiPreconditioner(diagonal: Vector((0..<10).map { $0 % 2 == 0 ? 1.0 : -1.0 }))
        #expect {
            _ = try MINRES().solve(a, b, initialGuess: nil, preconditioner: m)
        } throws: { error in
            guard case let .breakdown(method, _, reason)? = error as? KrylovError else { return false }
            return method == "minres" && reason.contains("preconditioner")
        }
    }

    @Test("Warm start, zero right-hand side, iteration cap, invalid input")
    func commonBehaviour() throws {
        var rng = SplitMix64(seed: 12)
        let n = 30
        let a = try TestData.symmetricIndefinite(n, &rng)
        let b = TestData.vector(n, &rng)
        let solver = MINRES(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-8))
        try checkWarmStart(solver, a, b, exact: try SymmetricIndefiniteFactorization(a).solve(b), &rng)
        try checkZeroRightHandSide(solver, a, TestData.vector(n, &rng))
        checkNotConverged(MINRES(options: KrylovOptions(maxIterations: 4)), a, b, cap: 4)
        checkInvalidInput(solver, a, &rng)
    }
}

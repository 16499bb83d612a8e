import ImplicitDiffCore
import Testing

@Suite("BiCGStab")
struct KrylovBiCGStabTests {
    @Test("Non-symmetric systems: solution matches LU", arguments: testSeeds)
    func nonsymmetric(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 40
        let a = TestData.nonsymmetric(n, &rng)
        let b = TestData.vector(n, &rng)
        let result = try BiCGStab(options: tightOptions).solve(a, b)
        #expect(result.status == .converged)
        expectSolves(result, a, b, options: tightOptions)
        // cond(A) ~ 2: forward error <= ~2e-12 at ||r|| <= 1e-12 ||b||, plus recurrence drift.
        expectClose(result.solution, try LUFactorization(a).solve(b), relativeTolerance: 1e-10)
        #expect(result.residualHistory.count == result.iterations + 1)
        #expect(BiCGStab.name == "bicgstab")
    }

    @Test("Right Jacobi preconditioning on a badly scaled non-symmetric matrix", arguments: testSeeds)
    func jacobi(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 50
        let d = Matrix.diagonal(Vector((0..<n).map { 1 + 9999 * Double($0) / Double(n - 1) }))
        let a = d * TestData.nonsymmetric(n, &rng)
        let b = TestData.vector(n, &rng)
        let options = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 500)
        let m = JacobiPreconditioner(diagonal: TestData.diagonal(a))
        let preconditioned = try BiCGStab(options: options).solve(a, b, initialGuess: nil, preconditioner: m)
        // The residual recurrence drifts by ~ulp ||A|| ||x|| per step; ||A|| ~ 1e4 here.
        expectSolves(preconditioned, a, b, options: options, slack: 100)
        do {
            let plain = try BiCGStab(options: options).solve(a, b)
            #expect(preconditioned.iterations < plain.iterations)
        } catch is KrylovError {
            // Unpreconditioned BiCGStab may fail on this scaling: that is the point.
        }
    }

    @Test("Breakdown: skew-symmetric A gives r̂'A p = 0")
    func breakdown() throws {
        // A = [[0, 1], [-1, 0]]: v = A r0 is orthogonal to r̂ = r0 for every r0.
        let a = Matrix(rows: 2, columns: 2, scalars: [0, 1, -1, 0])
        #expect {
            _ = try BiCGStab().solve(a, [1, 0.5])
        } throws: { error in
            guard case let .breakdown(method, iteration, _)? = error as? KrylovError else { return false }
            return method == "bicgstab" && iteration == 0
        }
    }

    @Test("Warm start, zero right-hand side, iteration cap, invalid input")
    func commonBehaviour() throws {
        var rng = SplitMix64(seed: 14)
        let n = 30
        let a = TestData.nonsymmetric(n, &rng)
        let b = TestData.vector(n, &rng)
        let solver = BiCGStab(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-8))
        try checkWarmStart(solver, a, b, exact: try LUFactorization(a).solve(b), &rng)
        try checkZeroRightHandSide(solver, a, TestData.vector(n, &rng))
        checkNotConverged(BiCGStab(options: KrylovOptions(maxIterations: 2)), a, b, cap: 2)
        checkInvalidInput(solver, a, &rng)
    }
}

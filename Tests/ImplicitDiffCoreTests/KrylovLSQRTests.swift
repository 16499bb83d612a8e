import ImplicitDiffCore
import Testing

@Suite("LSQR")
struct KrylovLSQRTests {
    @Test("Overdetermined least squares: matches QR", arguments: testSeeds)
    func overdetermined(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let (m, n) = (50, 20)
        let a = TestData.matrix(m, n, &rng)
        let b = TestData.vector(m, &rng)         // generic b: inconsistent, ||r*|| > 0
        let options = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        let result = try LSQR(options: options).solve(a, b, initialGuess: nil)
        #expect(result.status == .converged)
        let reference = try QRFactorization(a).leastSquares(b)
        // Stopping at ||A'r|| <= 1e-12 ||A'b|| bounds the error by ~cond(A)^2 * 1e-12 relative;
        // a random 50 x 20 matrix has cond(A) ~ 4, so 1e-9 leaves room.
        expectClose(result.solution, reference, relativeTolerance: 1e-9)
        // The normal-equation residual, recomputed, is small relative to ||A'b||.
        let normal = a.transposedTimes(b - a * result.solution).norm
        #expect(normal <= 1e-10 * a.transposedTimes(b).norm)
        #expect(result.residualHistory.count == result.iterations + 1)
        #expect(LSQR.name == "lsqr")
    }

    @Test("Underdetermined consistent system: the minimum-norm solution", arguments: testSeeds)
    func underdetermined(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let (m, n) = (20, 45)
        let a = TestData.matrix(m, n, &rng)
        let b = TestData.vector(m, &rng)
        let result = try LSQR(options: tightOptions).solve(a, b, initialGuess: nil)
        // Consistent: the ||r|| <= rtol ||b|| rule fires. Recurrence drift allowance: 10 x.
        #expect(trueResidual(a, result.solution, b) <= 10 * tightOptions.threshold(rightHandSideNorm: b.norm))
        // From x0 = 0 LSQR stays in range(A'), so it finds min ||x|| s.t. A x = b, which QR of A'
        // gives directly; cond(A) ~ 5, forward error ~ cond * 1e-12.
        let minimumNorm = try QRFactorization(a.transposed).minimumNormSolveTransposed(b)
        expectClose(result.solution, minimumNorm, relativeTolerance: 1e-9)
    }

    @Test("Damped least squares matches QR of [A; λI]")
    func damped() throws {
        var rng = SplitMix64(seed: 21)
        let (m, n) = (30, 15)
        let a = TestData.matrix(m, n, &rng)
        let b = TestData.vector(m, &rng)
        let lambda = 0.7
        var augmentedRows = a.rowArrays
        for i in 0..<n { augmentedRows.append((0..<n).map { $0 == i ? lambda : 0 }) }
        let augmented = Matrix(rowArrays: augmentedRows)!
        let reference = try QRFactorization(augmented).leastSquares(b.concatenated(with: .zeros(n)))
        let options = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)
        let result = try LSQR(options: options).solve(a, b, initialGuess: nil, damping: lambda)
        // Damping lowers the condition number; the 1e-12 relative stop gives ~1e-11 error.
        expectClose(result.solution, reference, relativeTolerance: 1e-9)

        // Warm start with damping: the augmented formulation reaches the same minimiser.
        let guess = reference + 1e-3 * TestData.vector(n, &rng)
        let warm = try LSQR(options: options).solve(a, b, initialGuess: guess, damping: lambda)
        expectClose(warm.solution, reference, relativeTolerance: 1e-9)
    }

    @Test("Warm start: the least-squares solution is accepted; a nearby guess converges faster")
    func warmStart() throws {
        var rng = SplitMix64(seed: 22)
        let a = TestData.matrix(40, 20, &rng)
        let b = TestData.vector(40, &rng)
        let options = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-8)
        let solver = LSQR(options: options)
        let exact = try QRFactorization(a).leastSquares(b)
        let accepted = try solver.solve(a, b, initialGuess: exact)
        #expect(accepted.status == .initialGuessAccepted)
        #expect(accepted.iterations == 0)
        #expect(accepted.solution == exact)
        let nearby = exact + 1e-4 * TestData.vector(20, &rng)
        let warm = try solver.solve(a, b, initialGuess: nearby)
        let cold = try solver.solve(a, b, initialGuess: nil)
        #expect(warm.status == .converged)
        #expect(warm.iterations < cold.iterations)
        expectClose(warm.solution, exact, relativeTolerance: 1e-6)
    }

    @Test("Zero right-hand side, b orthogonal to range(A), iteration cap, invalid input")
    func edgeCases() throws {
        var rng = SplitMix64(seed: 23)
        let a = TestData.matrix(30, 10, &rng)
        let zero = try LSQR().solve(a, .zeros(30), initialGuess: TestData.vector(10, &rng))
        #expect(zero.status == .zeroRightHandSide && zero.solution == .zeros(10) && zero.iterations == 0)

        // b in the null space of A': x = 0 is the least-squares solution, found at once.
        let q = try QRFactorization(a)
        let b = TestData.vector(30, &rng)
        let orthogonal = b - a * q.leastSquares(b)
        let result = try LSQR().solve(a, orthogonal, initialGuess: nil)
        #expect(result.iterations <= 1)
        #expect(result.solution.norm <= 1e-6 * orthogonal.norm)

        let c = TestData.vector(30, &rng)
        do {
            _ = try LSQR(options: KrylovOptions(maxIterations: 3)).solve(a, c, initialGuess: nil)
            Issue.record("expected notConverged")
        } catch let error as KrylovError {
            guard case let .notConverged(method, iterations, residual, _) = error else {
                Issue.record("expected notConverged, got \(error)"); return
            }
            #expect(method == "lsqr" && iterations == 3 && residual > 0)
            #expect(error.description.contains("lsqr") && error.description.contains("\(residual)"))
        }

        var nan = c
        nan[0] = .nan
        #expect(throws: KrylovError.nonFinite(method: "lsqr", iteration: 0)) {
            _ = try LSQR().solve(a, nan, initialGuess: nil)
        }
        #expect(throws: KrylovError.self) { _ = try LSQR().solve(a, .zeros(29), initialGuess: nil) }
        #expect(throws: KrylovError.self) { _ = try LSQR().solve(a, c, initialGuess: .zeros(11)) }
    }
}

import ImplicitDiffCore
import Testing

@Suite("Conjugate gradient")
struct KrylovCGTests {
    @Test("SPD systems: solution matches Cholesky", arguments: testSeeds)
    func spd(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 40
        let a = TestData.spd(n, &rng)
        let b = TestData.vector(n, &rng)
        let result = try ConjugateGradient(options: tightOptions).solve(a, b)
        #expect(result.status == .converged)
        expectSolves(result, a, b, options: tightOptions)
        // ||x - x*|| / ||x*|| <= cond(A) ||r|| / ||b||; cond(A) <= ~5 here, ||r|| <= 1e-12 ||b||,
        // and the Cholesky reference is itself accurate to ~cond * ulp.
        let reference = try CholeskyFactorization(a).solve(b)
        expectClose(result.solution, reference, relativeTolerance: 1e-10)
        #expect(result.residualHistory.count == result.iterations + 1)
        #expect(result.residualHistory.first == b.norm)
    }

    @Test("Default tolerances: ||r|| <= sqrt(ulp) (1 + ||b||)")
    func defaultOptions() throws {
        var rng = SplitMix64(seed: 7)
        let a = TestData.spd(30, &rng)
        let b = TestData.vector(30, &rng)
        let solver = ConjugateGradient()
        let result = try solver.solve(a, b)
        expectSolves(result, a, b, options: solver.options)
        #expect(ConjugateGradient.name == "cg")
    }

    @Test("Jacobi preconditioning on a badly scaled SPD matrix", arguments: testSeeds)
    func jacobi(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 50
        let a = TestData.badlyScaledSPD(n, &rng)
        let b = TestData.vector(n, &rng)
        let options = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-10, maxIterations: 2000)
        let solver = ConjugateGradient(options: options)
        let m = JacobiPreconditioner(diagonal: TestData.diagonal(a))
        let preconditioned = try solver.solve(a, b, initialGuess: nil, preconditioner: m)
        // The rule is on the unpreconditioned residual; cond(A) ~ 1e4 here, so the drift of the
        // recurrence residual is larger than in the well-conditioned tests: allow 100 x.
        expectSolves(preconditioned, a, b, options: options, slack: 100)
        let plain = try solver.solve(a, b)
        #expect(preconditioned.iterations < plain.iterations,
                "Jacobi: \(preconditioned.iterations) iterations, plain: \(plain.iterations)")
    }

    @Test("Warm start: the exact solution is accepted, a nearby one converges")
    func warmStart() throws {
        var rng = SplitMix64(seed: 11)
        let n = 30
        let a = TestData.spd(n, &rng)
        let b = TestData.vector(n, &rng)
        let exact = try CholeskyFactorization(a).solve(b)
        let solver = ConjugateGradient(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-8))
        let accepted = try solver.solve(a, b, initialGuess: exact, preconditioner: nil)
        #expect(accepted.status == .initialGuessAccepted)
        #expect(accepted.iterations == 0)
        #expect(accepted.solution == exact)

        let nearby = exact + 1e-3 * TestData.vector(n, &rng)
        let warm = try solver.solve(a, b, initialGuess: nearby, preconditioner: nil)
        let cold = try solver.solve(a, b)
        #expect(warm.status == .converged)
        expectSolves(warm, a, b, options: solver.options)
        #expect(warm.iterations < cold.iterations)
        #expect(warm.residualHistory.first! < b.norm)
    }

    @Test("b = 0 returns x = 0 without iterating, whatever the initial guess")
    func zeroRightHandSide() throws {
        var rng = SplitMix64(seed: 3)
        let a = TestData.spd(10, &rng)
        let result = try ConjugateGradient().solve(a, .zeros(10), initialGuess: TestData.vector(10, &rng),
                                                   preconditioner: nil)
        #expect(result.status == .zeroRightHandSide)
        #expect(result.solution == .zeros(10))
        #expect(result.iterations == 0)
        #expect(result.residualNorm == 0)
    }

    @Test("Iteration cap: throws notConverged naming method, iterations and residual")
    func notConverged() throws {
        var rng = SplitMix64(seed: 5)
        let a = TestData.badlyScaledSPD(40, &rng)
        let b = TestData.vector(40, &rng)
        let solver = ConjugateGradient(options: KrylovOptions(maxIterations: 3))
        do {
            _ = try solver.solve(a, b)
            Issue.record("expected notConverged")
        } catch let error as KrylovError {
            guard case let .notConverged(method, iterations, residual, relative) = error else {
                Issue.record("expected notConverged, got \(error)"); return
            }
            #expect(method == "cg")
            #expect(iterations == 3)
            #expect(residual > 0 && relative > 0)
            #expect(abs(relative - residual / b.norm) <= 1e-15 * relative)
            let message = error.description
            #expect(message.contains("cg") && message.contains("3 iterations") && message.contains("\(residual)"))
        }
    }

    @Test("Indefinite operator: breakdown (p'Ap <= 0)")
    func indefiniteBreaksDown() throws {
        var rng = SplitMix64(seed: 9)
        let a = try TestData.symmetricIndefinite(20, &rng)
        let b = TestData.vector(20, &rng)
        #expect {
            _ = try ConjugateGradient().solve(a, b)
        } throws: { error in
            guard case let .breakdown(method, _, reason)? = error as? KrylovError else { return false }
            return method == "cg" && reason.contains("not positive definite")
        }
    }

    @Test("NaN in b or in the operator: nonFinite")
    func nonFinite() throws {
        var rng = SplitMix64(seed: 4)
        let a = TestData.spd(10, &rng)
        var b = TestData.vector(10, &rng)
        b[3] = .nan
        #expect(throws: KrylovError.nonFinite(method: "cg", iteration: 0)) {
            _ = try ConjugateGradient().solve(a, b)
        }
        var bad = a
        bad[2, 2] = .infinity
        #expect(throws: KrylovError.self) {
            _ = try ConjugateGradient().solve(bad, TestData.vector(10, &rng))
        }
    }

    @Test("Shape mismatch: dimensionMismatch")
    func shapes() throws {
        var rng = SplitMix64(seed: 6)
        let a = TestData.spd(10, &rng)
        #expect(throws: KrylovError.self) { _ = try ConjugateGradient().solve(a, .zeros(9)) }
        #expect(throws: KrylovError.self) {
            _ = try ConjugateGradient().solve(TestData.matrix(10, 9, &rng), TestData.vector(10, &rng))
        }
        #expect(throws: KrylovError.self) {
            _ = try ConjugateGradient().solve(a, TestData.vector(10, &rng), initialGuess: .zeros(3), preconditioner: nil)
        }
    }

    @Test("Matrix-free operator: 1-D Laplacian through FunctionOperator")
    func matrixFree() throws {
        let n = 50
        let laplacian = FunctionOperator(rows: n, columns: n, apply: { v in
            var out = 2 * v
            for i in 0..<n {
                if i > 0 { out[i] -= v[i - 1] }
                if i < n - 1 { out[i] -= v[i + 1] }
            }
            return out
        })
        let b = Vector(repeating: 1, count: n)
        let result = try ConjugateGradient(options: tightOptions).solve(laplacian, b)
        // Exact solution of the discrete Poisson problem with unit load: x_i = (i+1)(n-i)/2.
        let exact = Vector((0..<n).map { i in Double((i + 1) * (n - i)) / 2 })
        // cond(L) ~ 4 n^2 / pi^2 ~ 1000, so relative error up to ~1e-9 at ||r|| <= 1e-12 ||b||.
        expectClose(result.solution, exact, relativeTolerance: 1e-8)
        // In exact arithmetic CG finishes in n steps; allow a few more for rounding.
        #expect(result.iterations <= n + 5)
    }
}

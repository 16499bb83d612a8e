import Testing
@testable import ImplicitDiffProx

@Suite("Proximal gradient solver (FISTA, backtracking, restart, polish)")
struct ProximalGradientTests {
    @Test func orthogonalDesignHasClosedForm() throws {
        // X = I: the lasso solution is soft thresholding of y, w = sign(y) max(|y| - lambda, 0).
        var rng = SplitMix64(seed: 21)
        let y = rng.vector(9, in: -2...2)
        let lasso = try Lasso(design: .identity(9), targets: y, lambda: 0.5)
        let expected = y.map { $0 > 0.5 ? $0 - 0.5 : ($0 < -0.5 ? $0 + 0.5 : 0) }
        for options in [ProximalGradientOptions(polish: false), ProximalGradientOptions()] {
            let s = try lasso.solve(options: options)
            expectClose(s.w, expected, rtol: 1e-12, "orthogonal lasso (polish \(options.polish))")
        }
    }

    @Test func variantsAgreeAndPolishIsExact() throws {
        let (x, y, lambda) = regressionData(rows: 40, columns: 15, informative: 4, seed: 22)
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        let reference = try lasso.solve(options: tightSolver)
        // KKT of the reference: X_S'(y - Xw) = lambda sign(w_S), |X_j'(y - Xw)| < lambda off S.
        let c = x.transposedTimes(y - x * reference.w)
        for j in 0..<15 {
            if reference.w[j] != 0 {
                expectClose(c[j], lambda * (reference.w[j] > 0 ? 1 : -1), rtol: 1e-11, "KKT on the support, j = \(j)")
            } else {
                #expect(abs(c[j]) < lambda)
            }
        }
        #expect(reference.result.polished)
        let plain = try lasso.solve(options: .init(acceleration: false, polish: false))
        let noRestart = try lasso.solve(options: .init(adaptiveRestart: false, polish: false))
        let restart = try lasso.solve(options: .init(polish: false))
        // Without polish the answer is accurate to the tolerance 1e-10 relative to ||X'y||
        // (times the conditioning of X_S'X_S, ~10 here).
        for (name, s) in [("ISTA", plain), ("FISTA", noRestart), ("FISTA + restart", restart)] {
            expectClose(s.w, reference.w, rtol: 1e-8, name)
            #expect(s.result.relativeResidual <= 1e-10)
        }
        #expect(restart.result.iterations < plain.result.iterations)
        #expect(restart.result.restarts > 0)
        // The polish lands on the restricted normal equations: residual at rounding level.
        let polished = try lasso.solve()
        #expect(polished.result.polished)
        #expect(polished.result.relativeResidual < 1e-13)
        #expect(polished.result.factorization != nil, "the polish's factorisation is kept for the derivative")
        #expect(polished.result.iterations < restart.result.iterations)
    }

    @Test func backtrackingRepairsATooLongStep() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 10, informative: 3, seed: 23)
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        let lipschitz = lasso.smooth.powerIteration(at: .zeros(10), iterations: 200)
        let s = try lasso.solve(options: .init(stepSize: 50 / lipschitz, polish: false))
        #expect(s.result.backtracks > 0)
        #expect(s.result.stepSize < 50 / lipschitz)
        expectClose(s.w, try lasso.solve(options: tightSolver).w, rtol: 1e-8, "backtracked solution")
    }

    @Test func iterationCapThrows() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 10, informative: 3, seed: 24)
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        #expect(throws: ProxError.self) { try lasso.solve(options: .init(maxIterations: 3, polish: false)) }
        do {
            _ = try lasso.solve(options: .init(maxIterations: 3, polish: false))
        } catch let ProxError.notConverged(iterations, residual, tolerance) {
            #expect(iterations == 3 && residual > tolerance)
        }
        #expect(throws: ProxError.self) { try lasso.solve(options: .init(tolerance: -1)) }
    }

    @Test func projectedGradientMatchesActiveSetEnumeration() throws {
        // NNLS with d = 5: the brute-force reference enumerates all 32 supports, solves the
        // restricted least squares, keeps the feasible ones and takes the best objective.
        var rng = SplitMix64(seed: 25)
        let x = rng.normalMatrix(12, 5), y = rng.normalVector(12)
        let nnls = try NonNegativeLeastSquares(design: x, targets: y)
        var best = (value: Double.infinity, w: Vector.zeros(5))
        for mask in 0..<32 {
            let s = (0..<5).filter { mask & (1 << $0) != 0 }
            var w = Vector.zeros(5)
            if !s.isEmpty {
                let xs = nnls.smooth.columns(s)
                let ws = try CholeskyFactorization(xs.transposed * xs).solve(xs.transposedTimes(y))
                guard ws.scalars.allSatisfy({ $0 >= 0 }) else { continue }
                for (a, i) in s.enumerated() { w[i] = ws[a] }
            }
            let value = 0.5 * (x * w - y).squaredNorm()
            if value < best.value { best = (value, w) }
        }
        let solved = try nnls.solve()
        expectClose(solved.w, best.w, rtol: 1e-12, floor: 1, "NNLS vs enumeration")
        #expect(solved.w.scalars.contains(0), "the test needs an active constraint")
    }

    @Test func rejectsBadData() {
        #expect(throws: ProxError.self) { try Lasso(design: Matrix(rows: 3, columns: 2), targets: [1, 2], lambda: 1) }
        #expect(throws: ProxError.self) { try Lasso(design: Matrix(rows: 1, columns: 1, scalars: [.nan]), targets: [1], lambda: 1) }
        #expect(throws: ProxError.self) { try Lasso(design: .identity(2), targets: [1, 2], lambda: -1) }
        #expect(throws: ProxError.self) { try Lasso(design: .identity(2), targets: [1, 2], lambda: 1).solve(from: [1, 2, 3]) }
        #expect(throws: ProxError.self) {
            try ProximalProblem(smooth: LeastSquares(design: .identity(3), targets: [1, 2, 3]), prox: Box(lower: [0], upper: [1]))
        }
    }
}

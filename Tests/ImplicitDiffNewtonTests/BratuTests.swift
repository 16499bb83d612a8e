import Foundation
import _Differentiation
import ImplicitDiffNewton
import Testing

/// The 1-D Bratu problem: dy/dlambda against finite differences and a closed form, and
/// the fold, which must be reported, never answered.
@Suite("Newton on the Bratu problem")
struct BratuTests {
    func solve(lambda: Double, n: Int, options: NewtonOptions = .init()) throws -> (BratuProblem, NewtonSolution<TridiagonalMatrix>) {
        let p = try BratuProblem(gridPoints: n)
        return (p, try NewtonSolver(options: options).solve(p, parameters: [lambda], initialGuess: p.initialGuess))
    }

    @Test("dy/dlambda matches Richardson central differences of re-solves",
          arguments: [0.5, 2.0, 3.3])
    func derivativeAgainstFiniteDifferences(lambda: Double) throws {
        let n = 20
        let (p, s) = try solve(lambda: lambda, n: n)
        #expect(s.convergence != .residualTolerance)
        let d = try s.derivative(of: p, parameters: [lambda])
        #expect(d.system.method == "factorization")
        let forward = try d.pushforward([1])
        let fd = try centralDifference({ x in try solve(lambda: x[0], n: n).1.y }, at: [lambda], along: [1])
        // FD error: O(h^4) truncation + solver noise / h; 1e-7 is ~100x above what is seen.
        expectClose(forward, fd, rtol: 1e-7, "lambda = \(lambda)")
        // Jacobian (n x 1) = the pushforward of e_1; pullback = its transpose.
        let j = try d.jacobian()
        expectClose(j.column(0), forward, rtol: 1e-14)
        var rng = SplitMix64(seed: 11)
        let w = rng.vector(n)
        expectClose(try d.pullback(w), [w.dot(forward)], rtol: 1e-12)
        // Asked at parameters it does not solve, the root is checked and rejected.
        #expect(throws: ImplicitDifferentiationError.self) { try s.derivative(of: p, parameters: [lambda + 0.1]) }
    }

    @Test("n = 1 has the closed form dy/dlambda = e^y / (8 - lambda e^y), up to the fold 8/e")
    func singlePoint() throws {
        for lambda in [0.5, 2.0, 2.94] {
            let (p, s) = try solve(lambda: lambda, n: 1)
            let y = s.y[0]
            expectClose(8 * y, lambda * Foundation.exp(y), rtol: 1e-14)
            let exact = Foundation.exp(y) / (8 - lambda * Foundation.exp(y))
            // Near the fold (lambda = 2.94 vs 8/e = 2.9430) the derivative is ~40 and the
            // root is still determined to ~1e-14: rtol 1e-12.
            expectClose(try s.derivative(of: p, parameters: [lambda]).pushforward([1]), [exact], rtol: 1e-12)
        }
    }

    @Test("beyond the fold of the grid (no solution) Newton reports a singular Jacobian, never a root",
          arguments: [(1, 3.0), (2, 3.4), (3, 3.4), (5, 3.49), (10, 3.4999)])
    func beyondTheFold(n: Int, lambda: Double) throws {
        // Folds of the discrete problem (shooting + Brent): n=1 2.9430, n=2 3.3109,
        // n=3 3.3971, n=5 3.4626, n=10 3.4987; all lambdas above are beyond them.
        do {
            let (_, s) = try solve(lambda: lambda, n: n)
            Issue.record("returned y = \(s.y.scalars) with ||F|| = \(s.residualNorm) where no solution exists")
        } catch let e as NewtonError {
            switch e {
            case .singularJacobian, .localMinimum: break
            default: Issue.record("unexpected failure: \(e)")
            }
            #expect(!e.history.isEmpty)
            #expect(e.description.contains("singular"))
        }
    }

    @Test("just below the fold the lower branch is found and differentiable", arguments: [(10, 3.49), (50, 3.4999)])
    func belowTheFold(n: Int, lambda: Double) throws {
        let (p, s) = try solve(lambda: lambda, n: n)
        let d = try s.derivative(of: p, parameters: [lambda])
        let forward = try d.pushforward([1])
        // Independent check of the derivative: A (dy/dlambda) = e^y, with A assembled densely.
        let a = try p.jacobian(x: [lambda], y: s.y).dense
        expectClose(a * forward, s.y.exp(), rtol: 1e-9)
        // The lower branch: the smaller of the two solutions has max y below the fold's ~1.39.
        #expect(s.y.maxNorm < 1.4)
    }

    /// Regression: with the dense rule `rcond >= n ulp`, the Jacobian of a fine grid (its
    /// condition number grows like `0.4 n^2`) counted as singular from `n ~ 3e5` on, and
    /// Bratu at lambda = 2, n = 200 000 (reciprocal condition 3.3e-11 < n ulp = 4.4e-11)
    /// was "not differentiable". Tridiagonal elimination's backward error does not grow
    /// with `n`, so the threshold is `4 ulp` and the derivative is there.
    @Test("fine grids are differentiable: the singularity rule of tridiagonal Jacobians does not scale with n")
    func fineGridIsDifferentiable() throws {
        let n = 200_000, lambda = 2.0
        let (p, s) = try solve(lambda: lambda, n: n)
        guard case let .success(lu) = s.factorization else {
            Issue.record("the root's factorisation failed: \(s.factorization)")
            return
        }
        let rcond = lu.reciprocalConditionEstimate()
        #expect(rcond < Double(n) * Double.ulpOfOne && rcond > lu.singularityThreshold, "rcond \(rcond)")
        let forward = try s.derivative(of: p, parameters: [lambda]).pushforward([1])
        // A (dy/dlambda) = e^y, with A applied in O(n). The residual is rounding in the
        // product (|A| |dy| ~ 4 (n+1)^2 |dy| against |e^y| ~ 1): relative to |A| |dy|.
        let a = try p.jacobian(x: [lambda], y: s.y)
        let residual = (a.apply(forward) - s.y.exp()).maxNorm
        let scale = a.absoluteProduct(forward.map { abs($0) }).maxNorm
        #expect(residual <= 1e-13 * scale, "residual \(residual) for |A||dy| = \(scale)")
    }

    @Test("history: quadratic convergence with full steps from y = 0 at lambda = 1")
    func history() throws {
        let (_, s) = try solve(lambda: 1, n: 50)
        #expect(s.iterations >= 2 && s.iterations <= 6)
        #expect(s.history.allSatisfy { $0.stepLength == 1 && $0.backtracks == 0 })
        let norms = s.history.map(\.residualNorm)
        for k in 1..<norms.count { #expect(norms[k] < norms[k - 1]) }
        #expect(s.residualNorm < 1e-10)
    }

    @Test("the iteration cap is an error carrying the history")
    func iterationCap() throws {
        do {
            _ = try solve(lambda: 1, n: 50, options: NewtonOptions(maxIterations: 1))
            Issue.record("converged in one step")
        } catch let NewtonError.iterationLimit(k, r, h) {
            #expect(k == 1 && h.count == 1 && r > 0)
        }
    }

    @Test("bad arguments are typed errors")
    func badArguments() throws {
        #expect(throws: NewtonError.self) { try BratuProblem(gridPoints: 0) }
        let p = try BratuProblem(gridPoints: 4)
        #expect(throws: NewtonError.self) { try NewtonSolver().solve(p, parameters: [1, 2], initialGuess: .zeros(4)) }
        #expect(throws: NewtonError.self) { try NewtonSolver().solve(p, parameters: [1], initialGuess: .zeros(3)) }
        #expect(throws: NewtonError.self) { try NewtonSolver().solve(p, parameters: [.nan], initialGuess: .zeros(4)) }
        #expect(throws: NewtonError.self) {
            try NewtonSolver().solve(p, parameters: [1], initialGuess: Vector([0, .infinity, 0, 0]))
        }
        #expect(throws: NewtonError.invalidOptions("stepTolerance must be finite and non-negative, got -1.0")) {
            try NewtonSolver(options: NewtonOptions(stepTolerance: -1)).solve(p, parameters: [1], initialGuess: .zeros(4))
        }
    }

    @Test("gradient(at:of:) of sum(y) through the implicit function is sum(dy/dlambda); failures are thrown")
    func swiftAD() throws {
        let p = try BratuProblem(gridPoints: 30)
        let f = NewtonSolver().layer(for: p, initialGuess: { _ in p.initialGuess })
        let g = try withCheckedDerivatives { gradient(at: [1.5]) { x in f(x).sum() } }
        let fd = try centralDifference({ x in try f.value(at: x) }, at: [1.5], along: [1])
        expectClose(g, [fd.sum()], rtol: 1e-7)
        // Beyond the fold the error surfaces from the checked scope.
        #expect(throws: NewtonError.self) {
            try withCheckedDerivatives { gradient(at: [3.6]) { x in f(x).sum() } }
        }
    }
}

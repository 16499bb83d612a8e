import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffProx

@Suite("Lasso: closed forms, finite differences, strict complementarity, Swift AD")
struct LassoTests {
    /// More coefficients than observations at a tiny weight: the solution is unique with at
    /// most N non-zeros; FISTA alone stalls or keeps near-zero coefficients, the active-set
    /// finish must return the exact KKT point and a factorised support for the derivative.
    @Test(arguments: [1e-6, 1e-8]) func wideProblemAtTinyLambdaSatisfiesKKT(ratio: Double) throws {
        var g = SplitMix64(seed: 8_20)
        let x = g.normalMatrix(8, 20), y = g.normalVector(8)
        let lambda = ratio * x.transposedTimes(y).maxNorm
        for solution in [try Lasso(design: x, targets: y, lambda: lambda).solveAlongPath(),
                         try Lasso(design: x, targets: y, lambda: lambda).solveExactly()] {
            let w = solution.w
            let support = (0..<20).filter { w[$0] != 0 }
            #expect(!support.isEmpty && support.count <= 8, "support \(support)")
            let c = x.transposedTimes(y - x * w)
            for j in 0..<20 {
                if w[j] != 0 {
                    #expect(abs(c[j] - lambda * (w[j] > 0 ? 1 : -1)) <= 1e-6 * lambda, "stationarity at \(j)")
                } else {
                    #expect(abs(c[j]) <= lambda * (1 + 1e-9), "KKT off the support at \(j)")
                }
            }
            #expect(solution.result.factorization?.support == support)
            let derivative = try solution.derivative()
            #expect(derivative.support == support)
        }
    }

    @Test func closedFormsOnTheSupport() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 12, informative: 4, seed: 31)
        let solution = try Lasso(design: x, targets: y, lambda: lambda).solve()
        let s = (0..<12).filter { solution.w[$0] != 0 }
        #expect(s.count >= 2 && s.count < 12, "support \(s)")
        let xs = columns(x, s)
        let signs = Vector(s.map { solution.w[$0] > 0 ? 1 : -1 })
        // An independent dense solve (LU of X_S'X_S formed by a plain product).
        let lu = try LUFactorization(xs.transposed * xs)
        let wS = lu.solve(xs.transposedTimes(y) - lambda * signs)
        expectClose(Vector(s.map { solution.w[$0] }), wS, rtol: 1e-12, "w_S = (X_S'X_S)^-1 (X_S'y - lambda s)")

        let derivative = try solution.derivative()
        #expect(derivative.support == s)
        let j = try derivative.jacobian()
        let p = 30 * 12 + 30 + 1
        // dw/dlambda (last column): -(X_S'X_S)^-1 s on S, 0 off S.
        var dLambda = Vector.zeros(12)
        for (a, i) in s.enumerated() { dLambda[i] = -lu.solve(signs)[a] }
        expectClose(j.column(p - 1), dLambda, rtol: 1e-11, "dw/dlambda")
        // dw/dy: (X_S'X_S)^-1 X_S' on the rows of S, 0 elsewhere.
        let dy = lu.solve(xs.transposed)
        for i in 0..<12 {
            let expected = s.firstIndex(of: i).map { dy.row($0) } ?? .zeros(30)
            expectClose(Vector(Array(j.row(i).scalars[(30 * 12)..<(30 * 12 + 30)])), expected, rtol: 1e-11, floor: 1e-3,
                        "dw_\(i)/dy")
        }
        // The value's gradient by the envelope theorem: (r w', -r, ||w||_1), r = Xw - y.
        let r = x * solution.w - y
        let expected = Vector(Matrix.outer(r, solution.w).scalars + (-r).scalars
                              + [solution.w.scalars.reduce(0) { $0 + abs($1) }])
        expectClose(try derivative.valueGradient(), expected, rtol: 1e-11, "dV/dtheta")
    }

    /// Regression: with more coefficients than observations and lambda = 1e-6 lambda_max a
    /// cold FISTA start identified the support only after ~15 000 iterations (N = 5,
    /// d = 12) or not within the 20 000-iteration cap (N = 10, d = 30); continuation
    /// along lambda (``ProximalProblem/solveAlongPath(options:ratio:pathThreshold:)``)
    /// reaches the KKT point in a few thousand.
    @Test func tinyLambdaWithMoreCoefficientsThanObservations() throws {
        var g = SplitMix64(seed: 77)
        let n = 10, d = 30
        let x = g.normalMatrix(n, d), y = g.normalVector(n)
        let lambda = 1e-6 * x.transposedTimes(y).maxNorm
        let solution = try Lasso(design: x, targets: y, lambda: lambda).solveAlongPath()
        #expect(solution.result.iterations < 10_000, "iterations \(solution.result.iterations)")
        let w = solution.w
        let correlation = x.transposedTimes(y - x * w)
        let support = (0..<d).filter { w[$0] != 0 }
        #expect(!support.isEmpty && support.count <= n, "support \(support)")
        for j in 0..<d {
            if w[j] != 0 {
                let sign: Double = w[j] > 0 ? 1 : -1
                #expect(abs(correlation[j] - lambda * sign) <= 1e-6 * lambda, "KKT on the support at \(j)")
            } else {
                #expect(abs(correlation[j]) <= lambda * (1 + 1e-6), "KKT off the support at \(j)")
            }
        }
        // The same point as a direct solve when that one converges (larger weight).
        let moderate = 0.05 * x.transposedTimes(y).maxNorm
        let direct = try Lasso(design: x, targets: y, lambda: moderate).solve()
        let path = try Lasso(design: x, targets: y, lambda: moderate).solveAlongPath(pathThreshold: 1)
        expectClose(path.w, direct.w, rtol: 1e-8, "path vs direct at lambda = 0.05 lambda_max")
    }

    @Test func finiteDifferencesAllParameters() throws {
        // Overdetermined and underdetermined (d > N) designs.
        for (n, d, seed) in [(14, 6, UInt64(32)), (8, 15, 33)] {
            let (x, y, lambda) = regressionData(rows: n, columns: d, informative: 3, seed: seed)
            try checkDerivatives(try Lasso(design: x, targets: y, lambda: lambda), seed: seed)
        }
    }

    @Test func reverseModeReusesOneFactorisation() throws {
        let (x, y, lambda) = regressionData(rows: 20, columns: 8, informative: 3, seed: 34)
        let solution = try Lasso(design: x, targets: y, lambda: lambda).solve()
        #expect(solution.result.factorization != nil)
        let derivative = try solution.derivative()
        // The solver's Cholesky factorisation of X_S'X_S is the one the derivative uses.
        let used = derivative.factorization as? SupportBlockFactorization
        #expect(used?.support == solution.result.factorization?.support)
        #expect(used?.reduced.reciprocalCondition == solution.result.factorization?.reduced.reciprocalCondition)
        let (_, report) = try derivative.pullback(w: .basis(0, count: 8))
        #expect(report.method == "cholesky")
        #expect(report.relativeResidual < 1e-12)
    }

    @Test func strictComplementarityIsChecked() throws {
        let (x, y, _) = regressionData(rows: 15, columns: 5, informative: 2, seed: 35)
        // lambda = ||X'y||_inf: w = 0 and the top correlation equals lambda exactly (a kink).
        let critical = x.transposedTimes(y).maxNorm
        let atKink = try Lasso(design: x, targets: y, lambda: critical).solve()
        #expect(atKink.w.maxNorm == 0)
        #expect(throws: ProxError.self) { try atKink.derivative() }
        do {
            _ = try atKink.derivative()
        } catch let ProxError.notStrictlyComplementary(margin, threshold, _) {
            #expect(margin < threshold)
        }
        // Slightly above it: w = 0 with margin 1%, differentiable; dw = 0, dV/dy = y.
        let above = try Lasso(design: x, targets: y, lambda: 1.01 * critical).solve()
        let derivative = try above.derivative()
        expectClose(try derivative.jacobian(), Matrix(rows: 5, columns: 15 * 5 + 15 + 1), rtol: 0, floor: 1, "dw = 0")
        let g = try derivative.valueGradient()
        expectClose(Vector(Array(g.scalars[75..<90])), y, rtol: 1e-14, "dV/dy = y at w = 0")
    }

    @Test func duplicateColumnsAreNotDifferentiable() throws {
        // Two identical columns: the lasso solution is not unique, so no derivative exists;
        // either the restricted Gram matrix is singular or a tie sits on a kink.
        let (x0, y, lambda) = regressionData(rows: 20, columns: 5, informative: 3, seed: 36)
        var x = Matrix(rows: 20, columns: 6)
        for j in 0..<5 { x.setColumn(j, to: x0.column(j)) }
        x.setColumn(5, to: x0.column(0))
        let solution = try Lasso(design: x, targets: y, lambda: 0.3 * lambda).solve()
        #expect { try solution.derivative() } throws: { error in
            if case .singularSystem? = error as? ImplicitDifferentiationError { return true }
            if case .notStrictlyComplementary? = error as? ProxError { return true }
            return false
        }
    }

    @Test func swiftADThroughTheSolutionMap() throws {
        // A hyperparameter gradient: the validation loss of the lasso fit, differentiated in
        // lambda by Swift AD through the implicit function (the solver is plain loops that
        // AD never sees), against central differences.
        let (x, y, lambda) = regressionData(rows: 16, columns: 6, informative: 3, seed: 37)
        var rng = SplitMix64(seed: 38)
        let xv = rng.normalMatrix(10, 6), yv = rng.normalVector(10)
        let map = try Lasso.layer(rows: 16, columns: 6, solverOptions: tightSolver)
        let data = Vector(x.scalars + y.scalars)
        @differentiable(reverse) func validationLoss(_ lam: Vector) -> Double {
            let w = map(data.concatenated(with: lam))
            return 0.5 * (xv * w - yv).squaredNorm()
        }
        let g = try withCheckedDerivatives { gradient(at: [lambda], of: validationLoss) }
        let h = 1e-6 * lambda
        let fd = (validationLoss([lambda + h]) - validationLoss([lambda - h])) / (2 * h)
        expectClose(g[0], fd, rtol: 1e-6, "d validation loss / d lambda")
        #expect(abs(g[0]) > 1e-6, "the test needs a nonzero hyperparameter gradient")
    }

    @Test func implicitPathIsTheOneTaken() throws {
        // Wrap the conditions to count linearisations: a gradient through Swift AD must
        // linearise the conditions exactly once (the solver itself is never differentiated).
        let (x, y, lambda) = regressionData(rows: 12, columns: 5, informative: 2, seed: 39)
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        let counter = Counter()
        let base = lasso.layer(solverOptions: tightSolver)
        let counted = ImplicitFunction(solver: base.solver,
                                       conditions: CountingConditions(base: ProximalGradientConditions(problem: lasso),
                                                                      counter: counter))
        let theta = lasso.parameters
        let g = try withCheckedDerivatives { gradient(at: theta) { counted($0).sum() } }
        #expect(counter.count == 1)
        // And it is the right gradient: d sum(w) / dtheta from the explicit API.
        let (expected, _) = try lasso.solve(options: tightSolver).derivative().pullback(w: Vector(repeating: 1, count: 5))
        expectClose(g, expected, rtol: 1e-10, "Swift AD gradient vs explicit pullback")
    }
}

/// Counts calls to `linearize`.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

struct CountingConditions<Base: ImplicitConditions>: ImplicitConditions {
    let base: Base
    let counter: Counter
    func residual(x: Vector, y: Vector, byproduct: Base.Byproduct) -> Vector {
        base.residual(x: x, y: y, byproduct: byproduct)
    }
    func linearize(x: Vector, y: Vector, byproduct: Base.Byproduct) throws -> ConditionsLinearization {
        counter.increment()
        return try base.linearize(x: x, y: y, byproduct: byproduct)
    }
}

import Testing
import _Differentiation
@testable import ImplicitDiffProx

@Suite("Ready-made problems and constraint sets: closed forms and finite differences")
struct ProblemTests {
    @Test func elasticNet() throws {
        let (x, y, lambda) = regressionData(rows: 18, columns: 7, informative: 3, seed: 41)
        let problem = try ElasticNetRegression(design: x, targets: y, lambda1: lambda, lambda2: 2.5)
        let solution = try problem.solve()
        let s = (0..<7).filter { solution.w[$0] != 0 }
        #expect(s.count >= 1 && s.count < 7, "support \(s)")
        // Closed forms on the support with M = X_S'X_S + lambda2 I (independent LU):
        // dw_S/dlambda1 = -M^-1 sign(w_S), dw_S/dlambda2 = -M^-1 w_S.
        let xs = columns(x, s)
        var m = xs.transposed * xs
        for a in 0..<s.count { m[a, a] += 2.5 }
        let lu = try LUFactorization(m)
        let signs = Vector(s.map { solution.w[$0] > 0 ? 1 : -1 }), ws = Vector(s.map { solution.w[$0] })
        expectClose(ws, lu.solve(xs.transposedTimes(y) - lambda * signs), rtol: 1e-12, "w_S")
        let j = try solution.derivative().jacobian()
        let p = 18 * 7 + 18
        for (a, i) in s.enumerated() {
            expectClose(j[i, p], -lu.solve(signs)[a], rtol: 1e-11, "dw_\(i)/dlambda1")
            expectClose(j[i, p + 1], -lu.solve(ws)[a], rtol: 1e-11, "dw_\(i)/dlambda2")
        }
        try checkDerivatives(problem, seed: 42)
    }

    @Test func nonNegativeLeastSquares() throws {
        var rng = SplitMix64(seed: 43)
        let x = rng.normalMatrix(16, 6), y = rng.normalVector(16)
        let problem = try NonNegativeLeastSquares(design: x, targets: y)
        let solution = try problem.solve()
        let s = (0..<6).filter { solution.w[$0] > 0 }
        #expect(s.count >= 1 && s.count < 6, "support \(s)")
        // dw_S/dy = (X_S'X_S)^-1 X_S', dw_off/dy = 0.
        let xs = columns(x, s)
        let dy = try LUFactorization(xs.transposed * xs).solve(xs.transposed)
        let j = try solution.derivative().jacobian()
        for i in 0..<6 {
            let expected = s.firstIndex(of: i).map { dy.row($0) } ?? .zeros(16)
            expectClose(Vector(Array(j.row(i).scalars[96..<112])), expected, rtol: 1e-11, floor: 1e-3, "dw_\(i)/dy")
        }
        try checkDerivatives(problem, seed: 44)
    }

    @Test func groupLasso() throws {
        let (x, y, lambda) = regressionData(rows: 20, columns: 8, informative: 2, seed: 45)
        let problem = try GroupLassoRegression(design: x, targets: y, lambda: 2 * lambda,
                                               groups: [[0, 1], [2, 3, 4], [5, 6, 7]])
        let w = try problem.solve(options: tightSolver).w
        let active = [[0, 1], [2, 3, 4], [5, 6, 7]].map { g in g.contains { w[$0] != 0 } }
        #expect(active.contains(true) && active.contains(false), "need active and inactive groups: \(active)")
        try checkDerivatives(problem, seed: 46)
    }

    @Test func sparseLogisticRegression() throws {
        var rng = SplitMix64(seed: 47)
        let x = rng.normalMatrix(30, 6)
        let truth = Vector([2, 0, -1.5, 0, 0, 1])
        let labels = (x * truth).map { z in rng.uniform(0...1) < 1 / (1 + (-z).exp1()) ? 1 : 0 }
        let lambda = 0.15 * x.transposedTimes(labels - 0.5).maxNorm
        let problem = try SparseLogisticRegression(design: x, labels: labels, lambda: lambda)
        let solution = try problem.solve()
        let s = (0..<6).filter { solution.w[$0] != 0 }
        #expect(s.count >= 1 && s.count < 6, "support \(s)")
        // dw_S/dlambda = -(X_S' D X_S)^-1 sign(w_S), D = diag(sigma (1 - sigma)).
        let xs = columns(x, s)
        let d = (x * solution.w).map { z in let p = 1 / (1 + (-z).exp1()); return p * (1 - p) }
        var scaled = xs
        for r in 0..<30 { for c in 0..<s.count { scaled[r, c] *= d[r] } }
        let signs = Vector(s.map { solution.w[$0] > 0 ? 1 : -1 })
        let expected = try LUFactorization(xs.transposed * scaled).solve(signs)
        let j = try solution.derivative().jacobian()
        for (a, i) in s.enumerated() { expectClose(j[i, 30 * 6 + 30], -expected[a], rtol: 1e-9, "dw_\(i)/dlambda") }
        try checkDerivatives(problem, seed: 48, directions: 1)
    }

    @Test func boxConstrainedLeastSquaresCouplesTheBounds() throws {
        // Coordinates clamped at a bound move with it (dw_off = dbound), and through H[S, off]
        // they move the free coordinates: exercises the off-support coupling of the system.
        var rng = SplitMix64(seed: 49)
        let x = rng.normalMatrix(14, 5), y = 3 * rng.normalVector(14)
        let box = try Box(lower: Vector(repeating: -0.4, count: 5), upper: Vector(repeating: 0.5, count: 5))
        let problem = try ProximalProblem(smooth: LeastSquares(design: x, targets: y), prox: box)
        let w = try problem.solve().w
        #expect(w.scalars.contains { abs($0) < 0.4 } && w.scalars.contains { $0 == 0.5 || $0 == -0.4 }, "w = \(w)")
        try checkDerivatives(problem, seed: 50)
    }

    @Test func projectedGradientOnCurvedAndCoupledSets() throws {
        // Simplex, l1 ball and l2 ball: Jacobians with rank-one terms (the general system).
        var rng = SplitMix64(seed: 51)
        let x = rng.normalMatrix(12, 5), y = 2 * rng.normalVector(12)
        try checkDerivatives(try ProximalProblem(smooth: LeastSquares(design: x, targets: y), prox: Simplex(scale: 1.3)), seed: 52)
        try checkDerivatives(try ProximalProblem(smooth: LeastSquares(design: x, targets: y), prox: L1Ball(radius: 0.7)), seed: 53)
        try checkDerivatives(try ProximalProblem(smooth: LeastSquares(design: x, targets: y), prox: L2Ball(radius: 0.6)), seed: 54)
    }

    @Test func differentiableObjectiveMatchesLeastSquares() throws {
        // f(w, theta) = 1/2 ||X w - theta||^2 written as a Swift function: gradients by AD,
        // second derivatives by differences of AD gradients (exact up to rounding for this
        // quadratic f), against the hand-written LeastSquares (dw/dy block).
        let (x, y, lambda) = regressionData(rows: 12, columns: 5, informative: 2, seed: 55)
        let f = DifferentiableObjective(dimension: 5, parameters: y, isQuadratic: true) { w, t in
            0.5 * (x * w - t).squaredNorm()
        }
        let custom = try ProximalProblem(smooth: f, prox: L1Norm(lambda: lambda))
        let reference = try Lasso(design: x, targets: y, lambda: lambda)
        let a = try custom.solve(options: tightSolver), b = try reference.solve(options: tightSolver)
        expectClose(a.w, b.w, rtol: 1e-11, "same solution")
        let ja = try a.derivative().jacobian(), jb = try b.derivative().jacobian()
        var expected = Matrix(rows: 5, columns: 13)
        for i in 0..<5 { for k in 0..<13 { expected[i, k] = jb[i, 60 + k] } }
        expectClose(ja, expected, rtol: 1e-7, "dw/d(y, lambda)")
        try checkDerivatives(custom, seed: 56)
    }
}

extension Double {
    /// `e^x` (Foundation-free helper for the tests).
    func exp1() -> Double { Vector([self]).exp()[0] }
}

import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffProx

// Ridge regression has closed-form derivatives:
//   w = (X'X + lambda I)^-1 X'y,  dw/dlambda = -(X'X + lambda I)^-1 w,  dw/dy = (X'X + lambda I)^-1 X'.
// The implicit derivative solves the same systems through the reused Cholesky factor,
// so agreement is at rounding level times cond(X'X + lambda I) (~1e2 here): 1e-9 relative.
// dw/dX has no simple closed form; it is checked by central differences (1e-6, see
// ImplicitFunctionTests for the error budget).

@Suite("Ridge regression: implicit derivatives vs closed forms")
struct RidgeRegressionTests {
    static func problem(seed: UInt64, n: Int = 12, d: Int = 5, lambda: Double = 0.7) -> RidgeRegression {
        var g = SplitMix64(seed: seed)
        return try! RidgeRegression(design: g.matrix(n, d), targets: g.vector(n), lambda: lambda)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func derivativeWithRespectToLambdaAndY(seed: UInt64) throws {
        let p = Self.problem(seed: seed)
        let s = try p.solve()
        let n = p.design.rows, d = p.design.columns
        var gram = Matrix.product(p.design, transposed: true, p.design, transposed: false)
        for i in 0..<d { gram[i, i] += p.lambda }
        let lu = try LUFactorization(gram)
        expectClose(s.w, lu.solve(p.design.transposedTimes(p.targets)), rtol: 1e-12, "w")

        let j = try s.derivative().jacobian()
        let dwdl = j.column(n * d + n)
        expectClose(dwdl, -1.0 * lu.solve(s.w), rtol: 1e-9, "dw/dlambda")
        let dwdy = Matrix(rows: d, columns: n, scalars: (0..<d).flatMap { i in (0..<n).map { j[i, n * d + $0] } })
        expectClose(dwdy, lu.solve(p.design.transposed), rtol: 1e-9, "dw/dy")
    }

    /// Regression: a wide design (N < d) with a tiny lambda. `X'X + lambda I` then has
    /// condition number ~1e9; its Cholesky solve lost six digits of `w` and all of
    /// `dw/dlambda` (errors of order one). The wide path (thin QR of `X'`) is checked
    /// against the dual closed forms, which only need `G = X X' + lambda I` (N x N, well
    /// conditioned): `w = X' G^-1 y`, `dw/dlambda = -X' G^-2 y`, `dw/dy = X' G^-1`.
    @Test(arguments: [1e-12, 1e-8, 1e-3] as [Double])
    func wideDesignWithTinyLambda(lambda: Double) throws {
        let n = 4, d = 12
        let p = Self.problem(seed: 21, n: n, d: d, lambda: lambda)
        let s = try p.solve()
        var g = Matrix.product(p.design, transposed: false, p.design, transposed: true)
        for i in 0..<n { g[i, i] += lambda }
        let lu = try LUFactorization(g)
        let a = lu.solve(p.targets)
        expectClose(s.w, p.design.transposedTimes(a), rtol: 1e-12, "w = X' G^-1 y")
        var dl = Vector.zeros(n * d + n + 1)
        dl[n * d + n] = 1
        let dw = try s.derivative().pushforward(dl)
        // Rounding times cond(G) (~1e2): 1e-10 (the generic path, before the fused
        // derivative, was 1e-6 off at lambda = 1e-8).
        expectClose(dw, -1.0 * p.design.transposedTimes(lu.solve(a)), rtol: 1e-10, "dw/dlambda = -X' G^-2 y")
        let j = try s.derivative().jacobian()
        let dwdy = Matrix(rows: d, columns: n, scalars: (0..<d).flatMap { i in (0..<n).map { j[i, n * d + $0] } })
        expectClose(dwdy, p.design.transposed * lu.solve(Matrix.identity(n)), rtol: 1e-10, "dw/dy = X' G^-1")
    }

    /// Regression: the pullback and pushforward of a wide ridge regression at tiny
    /// lambda against closed forms. The design `X = [D 0] U` has an exactly known SVD:
    /// `U = H / 4` (16 x 16 Sylvester-Hadamard, orthogonal and exact in binary) and `D`
    /// dyadic, so `X X' = D^2` and `A^-1 = U' diag(1/(D^2 + lambda), 1/lambda) U`; the
    /// closed forms below keep the `1/lambda` block away from anything that rounds.
    /// Through a `Double` vector `v = A^-1 wbar` (the generic path, before the fused
    /// derivative) the gradients were 1e-3 to 1e-1 off here at lambda = 1e-10.
    @Test func wideDesignGradientsAgainstAnExactSVD() throws {
        let n = 4, d = 16, lambda = 1e-10
        var h: [[Double]] = [[1]]
        while h.count < d { h = h.map { $0 + $0 } + h.map { $0 + $0.map { -$0 } } }
        let u = h.map { $0.map { $0 / 4 } }                       // U, rows u_k
        let sv: [Double] = [1, 2, 0.5, 1.5]
        let design = Matrix(rows: n, columns: d, scalars: (0..<n).flatMap { i in u[i].map { sv[i] * $0 } })
        var rng = SplitMix64(seed: 35)
        let p = try RidgeRegression(design: design, targets: rng.vector(n), lambda: lambda)
        let s = try p.solve()
        let wbar = rng.vector(d), tangent = rng.vector(n * d + n + 1)
        let derivative = try s.derivative()
        let gradient = try derivative.pullback(wbar), dw = try derivative.pushforward(tangent)

        func times(_ v: Vector) -> Vector { Vector((0..<d).map { k in (0..<d).reduce(0.0) { $0 + u[k][$1] * v[$1] } }) }
        func transposedTimes(_ c: Vector) -> Vector { Vector((0..<d).map { j in (0..<d).reduce(0.0) { $0 + u[$1][j] * c[$1] } }) }
        let y = p.targets
        let alpha = Vector((0..<n).map { y[$0] / (sv[$0] * sv[$0] + lambda) })     // (X X' + lambda I)^-1 y
        let w = design.transposedTimes(alpha)
        expectClose(s.w, w, rtol: 1e-14, "w = X' alpha")
        // Pullback: u = X A^-1 wbar = D c_(0..<n) / (D^2 + lambda) with c = U wbar;
        // lambda v = U' (c .* [lambda / (D^2 + lambda); 1]); r = -lambda alpha.
        let c = times(wbar)
        let xv = Vector((0..<n).map { sv[$0] * c[$0] / (sv[$0] * sv[$0] + lambda) })
        let lambdaV = transposedTimes(Vector((0..<d).map { $0 < n ? c[$0] * lambda / (sv[$0] * sv[$0] + lambda) : c[$0] }))
        var gX = Matrix.outer(alpha, lambdaV)                       // -(r v') = alpha (lambda v)'
        gX.addOuter(-1.0 * xv, w)
        let expected = Vector(gX.scalars + xv.scalars + [-xv.dot(alpha)])
        expectClose(gradient, expected, rtol: 1e-12, "pullback")
        // Pushforward: B t = -lambda dX' alpha + X'(dX w - dy) + dlambda X' alpha, and
        // A^-1 X' z = U' [D z / (D^2 + lambda); 0].
        let dX = Matrix(rows: n, columns: d, scalars: Array(tangent.scalars[0..<(n * d)]))
        let dy = tangent.slice((n * d)..<(n * d + n)), dl = tangent[n * d + n]
        let c2 = times(dX.transposedTimes(alpha))
        let nullPart = transposedTimes(Vector((0..<d).map { $0 < n ? c2[$0] * lambda / (sv[$0] * sv[$0] + lambda) : c2[$0] }))
        let z = dX * w - dy + dl * alpha
        let rangePart = transposedTimes(Vector((0..<d).map { $0 < n ? sv[$0] * z[$0] / (sv[$0] * sv[$0] + lambda) : 0 }))
        expectClose(dw, nullPart - rangePart, rtol: 1e-12, "pushforward")
        // The two modes are adjoint: <dw, wbar> = <tangent, gradient>.
        let forward = dw.dot(wbar), reverse = tangent.dot(gradient)
        #expect(abs(forward - reverse) <= 1e-12 * Swift.max(abs(forward), abs(reverse)), "\(forward) vs \(reverse)")
    }

    @Test func jacobianWithRespectToXMatchesFiniteDifferences() throws {
        let p = Self.problem(seed: 7, n: 8, d: 3)
        let n = 8, d = 3
        let j = try p.solve().derivative().jacobian()
        let fd = try finiteDifferenceJacobian(at: p.packed) { x in
            try RidgeRegression.unpack(x, rows: n, columns: d).solve().w
        }
        expectClose(j, fd, rtol: 1e-6, "dw/d[X, y, lambda]")
    }

    @Test func everyLinearSolverAgrees() throws {
        // The implicit system X'X + lambda I is SPD: every method applies.
        let p = Self.problem(seed: 11, n: 15, d: 6)
        let s = try p.solve()
        let ybar = Vector([0.3, -1, 2, 0.5, -0.7, 1.1])
        let reference = try s.derivative().pullback(ybar)
        var tg = SplitMix64(seed: 5)
        let tangent = tg.vector(p.packed.count)
        let referenceForward = try s.derivative().pushforward(tangent)
        for choice in [LinearSolverChoice.cg, .minres, .gmres, .bicgstab, .lsqr] {
            let options = ImplicitOptions(linearSolver: choice, linearTolerance: 1e-12)
            let d = try s.derivative(options: options)
            let (xbar, report) = try d.pullbackWithReport(ybar)
            #expect(report.method == choice.rawValue)
            #expect(report.iterations > 0)
            #expect(report.relativeResidual < 1e-10, "\(choice): residual \(report.relativeResidual)")
            expectClose(xbar, reference, rtol: 1e-9, "pullback with \(choice)")
            expectClose(try d.pushforward(tangent), referenceForward, rtol: 1e-9, "pushforward with \(choice)")
        }
    }

    @Test func iterativeFailureIsAnErrorThatSaysWhy() throws {
        let p = Self.problem(seed: 3, n: 30, d: 20, lambda: 1e-3)
        let s = try p.solve()
        let options = ImplicitOptions(linearSolver: .gmres, linearTolerance: 1e-14, linearMaxIterations: 2)
        do {
            _ = try s.derivative(options: options).pullback(.init(repeating: 1, count: 20))
            Issue.record("expected a linear-solve failure")
        } catch let ImplicitDifferentiationError.linearSolveFailed(e) {
            #expect("\(e)".contains("gmres") && "\(e)".contains("iterations"))
        }
    }

    @Test func gradientThroughSwiftADOfAValidationLoss() throws {
        // L(lambda) = 1/2 ||X_val w(lambda) - y_val||^2 through the ridge solution map.
        let p = Self.problem(seed: 21, n: 10, d: 4, lambda: 0.4)
        var g = SplitMix64(seed: 99)
        let xv = g.matrix(6, 4), yv = g.vector(6)
        let map = RidgeRegression.layer(rows: 10, columns: 4)
        let x0 = p.packed
        func loss(_ x: Vector) -> Double {
            let r = xv * map(x) - yv
            return 0.5 * r.squaredNorm()
        }
        let grad = gradient(at: x0) { x in loss(x) }
        let fd = finiteDifferenceJacobian(at: x0) { x in Vector([loss(x)]) }
        expectClose(grad, Vector(fd.scalars), rtol: 1e-6, "validation-loss gradient")
        #expect(grad.maxNorm > 0)
    }

    @Test func valueGradientIsTheEnvelope() throws {
        let p = Self.problem(seed: 4, n: 7, d: 3)
        let s = try p.solve()
        let fd = try finiteDifferenceJacobian(at: p.packed) { x in
            Vector([try RidgeRegression.unpack(x, rows: 7, columns: 3).solve().value])
        }
        expectClose(s.valueGradient, Vector(fd.scalars), rtol: 1e-6, "d value")
    }

    @Test func badInputIsRejected() {
        var g = SplitMix64(seed: 1)
        #expect { _ = try RidgeRegression(design: g.matrix(3, 2), targets: g.vector(4), lambda: 1) } throws: { error in
            if case .dimensionMismatch? = error as? LinearAlgebraError { true } else { false }
        }
        #expect { _ = try RidgeRegression(design: g.matrix(3, 2), targets: g.vector(3), lambda: -1) } throws: { error in
            error as? RidgeRegression.RidgeError == .nonPositiveLambda(-1)
        }
        #expect { _ = try RidgeRegression(design: g.matrix(3, 2), targets: [1, .nan, 2], lambda: 1) } throws: { error in
            if case .nonFinite? = error as? LinearAlgebraError { true } else { false }
        }
    }

    /// The certificate (the relative gradient residual, recomputed from `w` and the data)
    /// is at rounding level for tall, wide and ill-conditioned designs, and the check
    /// fails for an answer moved by 1e-6 ||w|| (the entry point `solve` uses throws).
    @Test(arguments: [(12, 5, 0.7), (4, 12, 1e-10), (40, 8, 1e-12)] as [(Int, Int, Double)])
    func certificate(n: Int, d: Int, lambda: Double) throws {
        var p = Self.problem(seed: 5, n: n, d: d, lambda: lambda)
        if n > d {
            // Columns scaled from 1 to 1e-6: cond(X) ~ 1e6, w large in the small directions.
            var x = p.design
            for j in 0..<d { for i in 0..<n { x[i, j] *= Foundation.pow(1e-6, Double(j) / Double(d - 1)) } }
            p = try RidgeRegression(design: x, targets: p.targets, lambda: lambda)
        }
        let s = try p.solve()
        let c = try #require(s.certificate)
        #expect(c <= 1e-13, "gradient residual \(c)")
        #expect(c == p.certificate(at: s.w))
        // Moved by 1e-6 ||w|| along the first (largest) column: relative to the figure's
        // scale (which holds ||X||_F^2 ||w||) that is ~1e-6.
        var moved = s.w
        moved[0] += 1e-6 * s.w.norm
        #expect(p.certificate(at: moved) > RidgeRegression.certificateTolerance)
        let bad = RidgeSolution(problem: p, w: moved, factors: s.factors)
        #expect(throws: RidgeRegression.RidgeError.self) { _ = try p.certified(bad) }
    }
}


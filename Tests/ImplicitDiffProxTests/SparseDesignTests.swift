import Foundation
import Testing
@testable import ImplicitDiffProx

// Lasso and ridge over a sparse design (DesignMatrix.sparse, SparseRidgeRegression).
//
// References, independent of the sparse code paths:
// * the same problem with the dense design (`SparseMatrix.dense`): the sparse parameters
//   are the dense ones restricted to the stored pattern, so w, the value and every
//   gradient entry must agree to rounding. The lasso's active-set finish makes both
//   answers exact KKT points (agreement ~1e-13 relative for these well-conditioned
//   designs: 1e-10 is asked); the sparse ridge is solved by CG to 1e-12 and its derivative
//   by CG to linearTolerance 1e-13, against Cholesky: 1e-10 relative.
// * central differences of re-solved problems, step h = 1e-6 relative: truncation
//   O(h^2) ~ 1e-12, rounding ~ ulp / h ~ 1e-10 (more through the solves' 1e-12), compared
//   at 1e-6 relative.
@Suite("Sparse designs: lasso and ridge")
struct SparseDesignTests {
    /// An `n x d` sparse design with `max(1, density n)` coordinate entries per column at
    /// random rows (repeated rows are duplicates, summed), plus explicit zeros at `zeros`
    /// random positions.
    static func design(_ n: Int, _ d: Int, density: Double, zeros: Int = 3, seed: UInt64) -> SparseMatrix {
        var g = SplitMix64(seed: seed)
        var rows = [Int](), cols = [Int](), vals = [Double]()
        let perColumn = max(1, Int((density * Double(n)).rounded()))
        for j in 0..<d {
            for _ in 0..<perColumn { rows.append(Int(g.next() % UInt64(n))); cols.append(j); vals.append(g.normal()) }
        }
        for _ in 0..<zeros { rows.append(Int(g.next() % UInt64(n))); cols.append(Int(g.next() % UInt64(d))); vals.append(0) }
        return try! SparseMatrix(rows: n, columns: d, rowIndices: rows, columnIndices: cols, values: vals)
    }

    /// The dense positions (row-major `i d + j`) of the stored entries, in storage order.
    static func densePositions(_ x: SparseMatrix) -> [Int] {
        var out = [Int]()
        for j in 0..<x.columns { for e in x.columnStart[j]..<x.columnStart[j + 1] { out.append(x.rowIndices[e] * x.columns + j) } }
        return out
    }

    /// A dense parameter vector `[vec X, y, extra]` restricted to `[values X, y, extra]`.
    static func restrict(_ dense: Vector, _ x: SparseMatrix) -> Vector {
        let nd = x.rows * x.columns
        return Vector(densePositions(x).map { dense[$0] } + Array(dense.scalars[nd...]))
    }

    /// A sparse parameter tangent `[values X, y, extra]` as a dense one.
    static func widen(_ sparse: Vector, _ x: SparseMatrix) -> Vector {
        let nd = x.rows * x.columns, m = x.nonZeroCount
        var out = [Double](repeating: 0, count: nd)
        for (e, p) in densePositions(x).enumerated() { out[p] += sparse[e] }
        return Vector(out + Array(sparse.scalars[m...]))
    }

    static func lasso(seed: UInt64, n: Int = 40, d: Int = 15) throws -> (Lasso, Lasso) {
        let x = design(n, d, density: 0.3, seed: seed)
        var g = SplitMix64(seed: seed + 100)
        var wStar = Vector.zeros(d)
        for j in [1, 4, d - 2] { wStar[j] = g.uniform(1...2) * (j % 2 == 0 ? 1 : -1) }
        let y = x * wStar + 0.1 * g.normalVector(n)
        let lambda = 0.1 * x.transposedTimes(y).maxNorm
        return (try Lasso(design: x, targets: y, lambda: lambda), try Lasso(design: x.dense, targets: y, lambda: lambda))
    }

    @Test("sparse lasso = dense lasso: w, value, pullback and pushforward", arguments: [1, 2, 3] as [UInt64])
    func lassoSparseMatchesDense(seed: UInt64) throws {
        let (sparse, dense) = try Self.lasso(seed: seed)
        let x = try #require(sparse.smooth.sparseDesign)
        #expect(sparse.smooth.parameterCount == x.nonZeroCount + x.rows)
        let s = try sparse.solveAlongPath(), t = try dense.solveAlongPath()
        #expect(s.w.scalars.filter { $0 != 0 }.count >= 2, "a non-trivial support")
        expectClose(s.w, t.w, rtol: 1e-10, "w")
        #expect(abs(s.value - t.value) <= 1e-12 * abs(t.value))
        let ds = try s.derivative(), dd = try t.derivative()
        var g = SplitMix64(seed: seed + 7)
        let wbar = g.normalVector(x.columns), vbar = 0.7
        let gs = try ds.pullback(w: wbar, value: vbar).gradient, gd = try dd.pullback(w: wbar, value: vbar).gradient
        expectClose(gs, Self.restrict(gd, x), rtol: 1e-10, "pullback [values X, y, lambda]")
        let tangent = g.normalVector(x.nonZeroCount + x.rows + 1)
        let fs = try ds.pushforward(tangent), fd = try dd.pushforward(Self.widen(tangent, x))
        expectClose(fs.w, fd.w, rtol: 1e-10, "pushforward dw")
        #expect(abs(fs.value - fd.value) <= 1e-10 * max(abs(fd.value), 1))
        expectClose(try ds.valueGradient(), Self.restrict(try dd.valueGradient(), x), rtol: 1e-10, "dV/dtheta")
    }

    @Test("sparse lasso gradients against central differences of re-solved problems")
    func lassoFiniteDifferences() throws {
        let (problem, _) = try Self.lasso(seed: 5, n: 25, d: 8)
        let solution = try problem.solveAlongPath()
        let derivative = try solution.derivative()
        let theta = problem.parameters
        var g = SplitMix64(seed: 11)
        let wbar = g.normalVector(problem.dimension), vbar = -0.4
        func loss(_ p: Vector) throws -> Double {
            let s = try problem.withParameters(p).solveAlongPath()
            return wbar.dot(s.w) + vbar * s.value
        }
        // Reverse: every parameter (stored values of X, y, lambda).
        let reverse = try derivative.pullback(w: wbar, value: vbar).gradient
        var fd = [Double]()
        for k in 0..<theta.count {
            let h = 1e-6 * max(1, abs(theta[k]))
            var up = theta, down = theta
            up[k] += h
            down[k] -= h
            fd.append((try loss(up) - loss(down)) / (2 * h))
        }
        expectClose(reverse, Vector(fd), rtol: 1e-6, "reverse vs central differences")
        // Forward: one random direction.
        let direction = g.normalVector(theta.count)
        let forward = try derivative.pushforward(direction)
        let h = 1e-6
        let wUp = try problem.withParameters(theta + h * direction).solveAlongPath()
        let wDown = try problem.withParameters(theta - h * direction).solveAlongPath()
        expectClose(forward.w, (1 / (2 * h)) * (wUp.w - wDown.w), rtol: 1e-6, "forward dw vs central differences")
        #expect(abs(forward.value - (wUp.value - wDown.value) / (2 * h)) <= 1e-6 * max(abs(forward.value), 1))
    }

    static func ridge(seed: UInt64, n: Int = 30, d: Int = 12, lambda: Double = 0.3) throws -> (SparseRidgeRegression, RidgeRegression) {
        let x = design(n, d, density: 0.25, seed: seed)
        var g = SplitMix64(seed: seed + 50)
        let y = g.normalVector(n)
        return (try SparseRidgeRegression(design: x, targets: y, lambda: lambda),
                try RidgeRegression(design: x.dense, targets: y, lambda: lambda))
    }

    @Test("sparse ridge = dense ridge: w, value, pullback, pushforward, value gradient",
          arguments: [(1, 0.3), (2, 1e-3), (3, 5.0)] as [(UInt64, Double)])
    func ridgeSparseMatchesDense(seed: UInt64, lambda: Double) throws {
        let (sparse, dense) = try Self.ridge(seed: seed, lambda: lambda)
        let x = sparse.design
        let s = try sparse.solve(), t = try dense.solve()
        #expect(s.certificate <= SparseRidgeRegression.certificateTolerance)
        expectClose(s.w, t.w, rtol: 1e-10, "w")
        #expect(abs(s.value - t.value) <= 1e-12 * abs(t.value))
        let options = ImplicitOptions(linearTolerance: 1e-13)
        let ds = try s.derivative(options: options), dd = try t.derivative()
        var g = SplitMix64(seed: seed + 3)
        let wbar = g.normalVector(x.columns)
        let (gs, report) = try ds.pullbackWithReport(wbar)
        #expect(report.method == "cg")
        expectClose(gs, Self.restrict(try dd.pullback(wbar), x), rtol: 1e-10, "pullback [values X, y, lambda]")
        let tangent = g.normalVector(x.nonZeroCount + x.rows + 1)
        expectClose(try ds.pushforward(tangent), try dd.pushforward(Self.widen(tangent, x)), rtol: 1e-10, "pushforward")
        expectClose(s.valueGradient, Self.restrict(t.valueGradient, x), rtol: 1e-12, "dV/dtheta")
    }

    @Test("sparse ridge gradients against central differences; the solution map works under Swift AD")
    func ridgeFiniteDifferences() throws {
        let (problem, _) = try Self.ridge(seed: 9, n: 20, d: 7, lambda: 0.5)
        let solution = try problem.solve()
        let derivative = try solution.derivative(options: ImplicitOptions(linearTolerance: 1e-13))
        let theta = problem.packed
        var g = SplitMix64(seed: 13)
        let wbar = g.normalVector(problem.design.columns)
        func w(_ p: Vector) throws -> Vector { try problem.withPacked(p).solve().w }
        var fd = [Double]()
        for k in 0..<theta.count {
            let h = 1e-6 * max(1, abs(theta[k]))
            var up = theta, down = theta
            up[k] += h
            down[k] -= h
            fd.append(wbar.dot(try w(up) - w(down)) / (2 * h))
        }
        expectClose(try derivative.pullback(wbar), Vector(fd), rtol: 1e-6, "reverse vs central differences")
        let direction = g.normalVector(theta.count), h = 1e-6
        expectClose(try derivative.pushforward(direction), (1 / (2 * h)) * (try w(theta + h * direction) - w(theta - h * direction)),
                    rtol: 1e-6, "forward vs central differences")
        // The same gradient through the ImplicitFunction under Swift AD.
        let map = problem.layer(options: ImplicitOptions(linearTolerance: 1e-13))
        #expect(map.outputCount?(theta) == problem.design.columns)
        let viaAD = try withCheckedDerivatives { gradient(at: theta) { p in map(p).dot(wbar) } }
        expectClose(viaAD, Vector(fd), rtol: 1e-6, "Swift AD through the solution map")
    }

    @Test("the dense ridge solution map sets its output count (moved from the core's tests)")
    func denseRidgeOutputCount() {
        #expect(RidgeRegression.layer(rows: 2, columns: 3).outputCount?(.zeros(10)) == 3)
    }

    @Test("bad sparse data are typed errors")
    func badData() throws {
        let x = Self.design(5, 3, density: 0.5, seed: 1)
        #expect(throws: ProxError.self) { _ = try Lasso(design: x, targets: .zeros(4), lambda: 1) }
        #expect(throws: ProxError.self) { _ = try Lasso(design: x.withValues(x.values.map { _ in .nan }), targets: .zeros(5), lambda: 1) }
        #expect(throws: RidgeRegression.RidgeError.self) { _ = try SparseRidgeRegression(design: x, targets: .zeros(5), lambda: 0) }
        #expect(throws: LinearAlgebraError.self) { _ = try SparseRidgeRegression(design: x, targets: .zeros(4), lambda: 1) }
        let p = try Lasso(design: x, targets: .zeros(5), lambda: 1)
        #expect(throws: ProxError.self) { _ = try p.withParameters(.zeros(3)) }
        // An iteration cap CG cannot meet is reported, not returned.
        let (ridge, _) = try Self.ridge(seed: 4)
        #expect(throws: RidgeRegression.RidgeError.self) { _ = try ridge.solve(maxIterations: 1, refinements: 0) }
    }

    /// N = 20 000, d = 5 000, 0.1 % of the entries stored (about 100 000): the sparse
    /// path never allocates an N x d array (that alone would be 800 MB). The answer is
    /// certified by the solver; one gradient entry of each kind is checked against
    /// central differences of re-solved problems.
    @Test("a large sparse lasso: 20 000 x 5 000 at 0.1 % density")
    func largeSparseLasso() throws {
        let n = 20_000, d = 5_000
        let x = Self.design(n, d, density: 0.001, zeros: 0, seed: 77)
        #expect(x.nonZeroCount > 90_000 && x.nonZeroCount < 130_000)
        var g = SplitMix64(seed: 78)
        var wStar = Vector.zeros(d)
        for k in 0..<40 { wStar[(k * 997) % d] = g.uniform(1...2) * (k % 2 == 0 ? 1 : -1) }
        let y = x * wStar + 0.1 * g.normalVector(n)
        let lambda = 0.05 * x.transposedTimes(y).maxNorm
        let problem = try Lasso(design: x, targets: y, lambda: lambda)
        let solution = try problem.solveAlongPath()
        #expect(solution.certificate.kkt ?? 1 <= 1e-6)
        let support = solution.w.scalars.indices.filter { solution.w[$0] != 0 }
        #expect(support.count >= 10)
        let derivative = try solution.derivative()
        let wbar = g.normalVector(d)
        let grad = try derivative.pullback(w: wbar).gradient
        #expect(grad.count == x.nonZeroCount + n + 1)
        // d<wbar, w>/dlambda and d<wbar, w>/dX at the first stored entry of a support column.
        let j = support[0], e = x.columnStart[j]
        for (k, scale) in [(x.nonZeroCount + n, lambda), (e, max(1, abs(x.values[e])))] {
            let h = 1e-6 * scale
            var up = problem.parameters, down = up
            up[k] += h
            down[k] -= h
            let fd = wbar.dot(try problem.withParameters(up).solveAlongPath().w - problem.withParameters(down).solveAlongPath().w) / (2 * h)
            #expect(abs(grad[k] - fd) <= 1e-5 * max(abs(fd), 1e-3), "entry \(k): implicit \(grad[k]) vs central difference \(fd)")
        }
    }
}

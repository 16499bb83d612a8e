import Foundation
@testable import ImplicitDiffNewton
import _CLAPACK
import Testing

@Suite("TridiagonalMatrix and TridiagonalFactorization")
struct TridiagonalFactorizationTests {
    /// `||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf)`: LU with partial pivoting is
    /// backward stable, so this is a small multiple of `ulp` whatever the conditioning;
    /// 1e-14 leaves a factor ~50 of headroom for n <= 40.
    func backwardError(_ a: Matrix, _ x: Vector, _ b: Vector) -> Double {
        let aNorm = (0..<a.rows).map { i in (0..<a.columns).reduce(0.0) { $0 + abs(a[i, $1]) } }.max() ?? 0
        return (b - a * x).maxNorm / (aNorm * x.maxNorm + b.maxNorm)
    }

    /// A random tridiagonal matrix with a small diagonal, so that pivoting is needed.
    func randomMatrix(_ n: Int, _ rng: inout SplitMix64) throws -> TridiagonalMatrix {
        try TridiagonalMatrix(subdiagonal: rng.vector(n - 1).scalars, diagonal: rng.vector(n, in: -0.2...0.2).scalars,
                              superdiagonal: rng.vector(n - 1).scalars)
    }

    @Test("products match the dense matrix", arguments: testSeeds)
    func products(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for n in [1, 2, 9] {
            let t = try randomMatrix(n, &rng)
            let dense = t.dense
            let v = rng.vector(n)
            // Each entry is a sum of at most three products: rounding only.
            expectClose(t.apply(v), dense * v, rtol: 1e-15)
            expectClose(t.applyTransposed(v), dense.transposedTimes(v), rtol: 1e-15)
            let absolute = Matrix(rows: n, columns: n, scalars: dense.scalars.map { abs($0) })
            expectClose(t.absoluteProduct(v), absolute * v, rtol: 1e-15)
            expectClose(dense.absoluteProduct(v), absolute * v, rtol: 1e-15)
        }
    }

    @Test("solves with A and A' are backward stable and agree with dense LU", arguments: testSeeds)
    func solves(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for n in [1, 2, 3, 40] {
            let t = try randomMatrix(n, &rng)
            let f = try t.factorized()
            let dense = t.dense
            let b = rng.vector(n)
            #expect(backwardError(dense, f.solve(b), b) <= 1e-14)
            #expect(backwardError(dense.transposed, f.solveTransposed(b), b) <= 1e-14)
            // Against dense LU: both backward stable, so they agree to cond(A) * ulp.
            let lu = try LUFactorization(dense)
            let tolerance = 1e3 * Double.ulpOfOne / lu.reciprocalCondition
            expectClose(f.solve(b), lu.solve(b), rtol: tolerance)
            // Several right-hand sides in one call: column j solves column j.
            let rhs = Matrix(rows: n, columns: 3, scalars: rng.vector(3 * n).scalars)
            let x = f.solve(rhs), xt = f.solveTransposed(rhs)
            for j in 0..<3 {
                expectClose(x.column(j), f.solve(rhs.column(j)), rtol: 1e-15)
                expectClose(xt.column(j), f.solveTransposed(rhs.column(j)), rtol: 1e-15)
            }
        }
    }

    @Test("without interchanges the factorisation is twisted: solves with A and A' are backward stable",
          arguments: testSeeds)
    func twistedSolves(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for n in [1, 2, 3, 4, 5, 40, 41] {
            // Diagonally dominant by columns and rows, random signs: partial pivoting would
            // interchange nothing, so the twisted factorisation is taken.
            let l = rng.vector(Swift.max(n - 1, 0)).scalars, u = rng.vector(Swift.max(n - 1, 0)).scalars
            var d = rng.vector(n).scalars
            for i in 0..<n { d[i] = (d[i] >= 0 ? 1 : -1) * (2.2 + abs(d[i])) }
            let t = try TridiagonalMatrix(subdiagonal: l, diagonal: d, superdiagonal: u)
            let f = try t.factorized()
            #expect(f.twist == n / 2)
            let dense = t.dense, b = rng.vector(n)
            #expect(backwardError(dense, f.solve(b), b) <= 1e-14)
            #expect(backwardError(dense.transposed, f.solveTransposed(b), b) <= 1e-14)
            let rhs = Matrix(rows: n, columns: 2, scalars: rng.vector(2 * n).scalars)
            expectClose(f.solve(rhs).column(1), f.solve(rhs.column(1)), rtol: 1e-15)
            expectClose(f.solveTransposed(rhs).column(0), f.solveTransposed(rhs.column(0)), rtol: 1e-15)
        }
        // A pivot test that fails in the bottom half only (|q_(n-1)| < |u_(n-2)|) falls back
        // to the pivoted factorisation, which still solves exactly.
        let t = try TridiagonalMatrix(subdiagonal: [0.1, 0.1, 0.1], diagonal: [4, 4, 4, 0.01],
                                      superdiagonal: [0.1, 0.1, 3])
        let f = try t.factorized()
        #expect(f.twist == nil)
        let b: Vector = [1, 2, 3, 4]
        #expect(backwardError(t.dense, f.solve(b), b) <= 1e-15)
        #expect(backwardError(t.dense.transposed, f.solveTransposed(b), b) <= 1e-15)
    }

    /// `A^-1 b` by LU without interchanges in 80-bit arithmetic (x86), the multiplier
    /// first as LAPACK: a reference 2^11 times more precise than `Double`.
    #if arch(x86_64)
    func extendedPrecisionSolve(_ l: [Double], _ d: [Double], _ u: [Double], _ b: [Double]) -> [Double] {
        let n = d.count
        var p = [Float80](repeating: 0, count: n), m = [Float80](repeating: 0, count: Swift.max(n - 1, 0))
        var di = Float80(d[0])
        for i in 0..<(n - 1) {
            p[i] = di
            m[i] = Float80(l[i]) / di
            di = Float80(d[i + 1]) - m[i] * Float80(u[i])
        }
        p[n - 1] = di
        var y = b.map { Float80($0) }
        for i in 0..<(n - 1) { y[i + 1] -= m[i] * y[i] }
        y[n - 1] /= p[n - 1]
        for i in stride(from: n - 2, through: 0, by: -1) { y[i] = (y[i] - Float80(u[i]) * y[i + 1]) / p[i] }
        return y.map { Double($0) }
    }
    #endif

    @Test("finite-difference Jacobians with constant off-diagonals solve to the accuracy of LAPACK's dgtsv")
    func constantOffDiagonalsAgreeWithLAPACK() throws {
        // Bratu's Jacobian at n = 10^4: tridiag(-s, 2s - e_i, -s), s = (n+1)^2 ~ 1e8, so
        // s^2 is rounded, the same way at every row. Eliminating with (l u) / p carried
        // that rounding coherently along the recurrence: solutions 1.2e-9 off. With the
        // multiplier first, (l / p) u, as LAPACK, the errors are unbiased: measured
        // against 80-bit arithmetic, LAPACK is 7.9e-12 off, the twisted factorisation
        // 5.6e-12 and the pivoted one about the same (the conditioning of this matrix
        // in double). 3e-11 from the 80-bit solution and 1e-10 from LAPACK separate
        // that from the biased 1.2e-9.
        let n = 10_000
        let s = Double(n + 1) * Double(n + 1)
        let e = (0..<n).map { i -> Double in
            let t = Double(i + 1) / Double(n + 1)
            return Foundation.exp(0.55 * t * (1 - t))
        }
        let off = [Double](repeating: -s, count: n - 1)
        func relativeDifference(_ x: [Double], _ y: [Double]) -> Double {
            (zip(x, y).map { abs($0 - $1) }.max() ?? .infinity) / (y.map { abs($0) }.max() ?? 1)
        }
        // The twisted factorisation, then (last row made small, so that the bottom
        // elimination would need an interchange) the pivoted one.
        var lastRowSmall = e.map { 2 * s - $0 }
        lastRowSmall[n - 1] = 1
        for (d, twisted) in [(e.map { 2 * s - $0 }, true), (lastRowSmall, false)] {
            let t = try TridiagonalMatrix(subdiagonal: off, diagonal: d, superdiagonal: off)
            let f = try t.factorized()
            #expect((f.twist != nil) == twisted)
            let x = f.solve(Vector(e)).scalars, xt = f.solveTransposed(Vector(e)).scalars
            // LAPACK dgtsv overwrites its inputs; the right-hand side becomes the solution.
            var dl = off, dd = d, du = off, b = e
            #expect(LAPACKE_dgtsv(LAPACK_COL_MAJOR, implicitdiff_lapack_int(n), 1, &dl, &dd, &du, &b,
                                  implicitdiff_lapack_int(n)) == 0)
            #expect(relativeDifference(x, b) <= 1e-10, "twisted \(twisted): \(relativeDifference(x, b)) from LAPACK")
            #expect(relativeDifference(xt, b) <= 1e-10, "twisted \(twisted): A' \(relativeDifference(xt, b)) from LAPACK")
            #if arch(x86_64)
            let reference = extendedPrecisionSolve(off, d, off, e)
            #expect(relativeDifference(x, reference) <= 3e-11, "twisted \(twisted): \(relativeDifference(x, reference)) from 80-bit")
            #endif
        }
    }

    @Test("the condition estimate is that of the row-equilibrated matrix, as LAPACK's dgecon gives it",
          arguments: testSeeds)
    func conditionEstimate(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for n in [1, 2, 5, 40] {
            let t = try randomMatrix(n, &rng)
            let tri = try TridiagonalFactorization(t)
            // B = D^-1 A with D the row sums of |A|.
            var b = t.dense
            for i in 0..<n {
                let rowSum = (0..<n).reduce(0.0) { $0 + abs(b[i, $1]) }
                for j in 0..<n { b[i, j] /= rowSum }
            }
            let dense = try LUFactorization(b)
            // Both are Hager-Higham lower bounds on the same ||B^-1||_1, usually within a
            // factor 3 of it; allow 10 either way.
            let ratio = tri.reciprocalConditionEstimate() / dense.reciprocalCondition
            #expect(ratio > 0.1 && ratio < 10, "n = \(n): \(tri.reciprocalConditionEstimate()) vs \(dense.reciprocalCondition)")
            #expect(tri.reciprocalCondition == tri.reciprocalConditionEstimate())
            #expect(try t.factorized().reciprocalConditionEstimate() == tri.reciprocalConditionEstimate())
        }
        // Scaling equations does not make a matrix singular: a diagonal matrix is perfectly
        // conditioned after equilibration, whatever its entries.
        let diagonal = try TridiagonalFactorization(TridiagonalMatrix(diagonal: [2, -0.5, 1e200]))
        expectClose(diagonal.reciprocalConditionEstimate(), 1, rtol: 1e-15)
        expectClose(diagonal.solve([2, 1, 1e200]), [1, -2, 1], rtol: 1e-15)
    }

    @Test("for matrices sign-similar to an M-matrix the condition number is exact, not estimated",
          arguments: testSeeds)
    func exactConditionOfMMatrices(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for n in [1, 2, 7, 40] {
            // Off-diagonal pairs of one sign (l_i u_i >= 0), random magnitudes, some zero;
            // the diagonal is positive and large enough for positive pivots without
            // interchanges, but not dominant in every row, so the matrix is not trivially
            // well conditioned. Then A = S M S with M a nonsingular M-matrix.
            var l = [Double](), u = [Double]()
            for i in 0..<(n - 1) {
                let sign: Double = rng.next() % 2 == 0 ? 1 : -1
                let zero = i % 5 == 3
                l.append(zero ? 0 : sign * Double.random(in: 0.2...1, using: &rng))
                u.append(sign * Double.random(in: 0.2...1, using: &rng))
            }
            var d = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let neighbours = (i > 0 ? abs(u[i - 1]) : 0) + (i < n - 1 ? abs(l[i]) : 0)
                d[i] = Swift.max(neighbours, 1e-3) * Double.random(in: 1.01...1.5, using: &rng)
            }
            let t = try TridiagonalMatrix(subdiagonal: l, diagonal: d, superdiagonal: u)
            // The reference: ||B||_1 ||B^-1||_1 from the dense inverse of B = D^-1 A.
            var b = t.dense
            for i in 0..<n {
                let rowSum = (0..<n).reduce(0.0) { $0 + abs(b[i, $1]) }
                for j in 0..<n { b[i, j] /= rowSum }
            }
            let inverse = try LUFactorization(b).solve(Matrix.identity(n))
            func oneNorm(_ m: Matrix) -> Double {
                (0..<n).map { j in (0..<n).reduce(0.0) { $0 + abs(m[$1, j]) } }.max() ?? 0
            }
            let exact = 1 / (oneNorm(b) * oneNorm(inverse))
            // Both sides are the same number up to rounding in solves of conditioning
            // 1 / exact (at most ~1e4 here): 1e-10 relative.
            let f = try t.factorized()
            expectClose(f.reciprocalConditionEstimate(), exact, rtol: 1e-10)
            // The exact path is the one that ran; off-diagonal pairs of opposite signs take
            // the estimate instead.
            #expect(f.exactEquilibratedInverseNorm(rowScale: t.absoluteRowSums().scalars) != nil)
            if n > 1 {
                let flipped = try TridiagonalMatrix(subdiagonal: l.map { -$0 - 0.1 }, diagonal: d, superdiagonal: u)
                #expect(try flipped.factorized().exactEquilibratedInverseNorm(rowScale: [Double](repeating: 1, count: n)) == nil)
            }
        }
    }

    @Test("row-equilibrated dense LU: same solutions as LU, condition invariant to row scaling", arguments: testSeeds)
    func equilibratedLU(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let n = 6
        let a = Matrix(rows: n, columns: n, scalars: rng.vector(n * n).scalars)
        let b = rng.vector(n), rhs = Matrix(rows: n, columns: 2, scalars: rng.vector(2 * n).scalars)
        let plain = try LUFactorization(a)
        let f = try EquilibratedLUFactorization(a)
        let tolerance = 1e3 * Double.ulpOfOne / plain.reciprocalCondition
        expectClose(f.solve(b), plain.solve(b), rtol: tolerance)
        expectClose(f.solveTransposed(b), plain.solveTransposed(b), rtol: tolerance)
        expectClose(f.solve(rhs), plain.solve(rhs), rtol: tolerance)
        expectClose(f.solveTransposed(rhs), plain.solveTransposed(rhs), rtol: tolerance)
        // Rows scaled by 1e+-100: the solutions of S A x = S b are those of A x = b, and
        // the equilibrated condition estimate does not move by more than rounding.
        var s = a, sb = b
        for i in 0..<n {
            let factor = i % 2 == 0 ? 1e100 : 1e-100
            for j in 0..<n { s[i, j] *= factor }
            sb[i] *= factor
        }
        let g = try EquilibratedLUFactorization(s)
        expectClose(g.solve(sb), f.solve(b), rtol: tolerance)
        expectClose(g.reciprocalConditionEstimate(), f.reciprocalConditionEstimate(), rtol: 1e-10)
        #expect(throws: LinearAlgebraError.self) { try EquilibratedLUFactorization(Matrix(rows: 2, columns: 2)) }
    }

    @Test("singular and nearly singular matrices are rejected with a typed error")
    func singular() throws {
        // [[1, 1], [1, 1]]: an exactly zero pivot.
        let exact = try TridiagonalMatrix(subdiagonal: [1], diagonal: [1, 1], superdiagonal: [1])
        #expect(throws: LinearAlgebraError.self) { try exact.factorized() }
        // [[1, 1], [1, 1 + 4e-16]]: reciprocal condition ~1e-16 < 2 ulp.
        let near = try TridiagonalMatrix(subdiagonal: [1], diagonal: [1, 1 + 4e-16], superdiagonal: [1])
        do {
            _ = try TridiagonalFactorization(near)
            Issue.record("a nearly singular matrix was factorised")
        } catch let LinearAlgebraError.singular(_, rcond) {
            #expect(rcond < 2 * Double.ulpOfOne)
        }
        #expect(throws: LinearAlgebraError.self) { try near.nonsingularFactorization() }
        // The fast factorisation Newton uses defers the estimate; it is still available.
        #expect(try near.factorized().reciprocalConditionEstimate() < 2 * Double.ulpOfOne)
        let notFinite = TridiagonalMatrix(diagonal: [1, .nan])
        #expect(throws: LinearAlgebraError.nonFinite("the tridiagonal matrix to factorise")) { try notFinite.factorized() }
    }

    @Test("diagonals of the wrong length are a dimension error, not a trap")
    func shapes() {
        #expect(throws: LinearAlgebraError.self) {
            try TridiagonalMatrix(subdiagonal: [1, 2], diagonal: [1, 2], superdiagonal: [1])
        }
        #expect(throws: LinearAlgebraError.self) {
            try TridiagonalMatrix(subdiagonal: [], diagonal: [1, 2], superdiagonal: [1])
        }
        let empty = TridiagonalMatrix(diagonal: [])
        #expect(empty.order == 0)
    }
}

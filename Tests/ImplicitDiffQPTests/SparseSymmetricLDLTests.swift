import Foundation
import Testing
@testable import ImplicitDiffQP

/// The sparse LDL' (AMD ordering, up-looking factorisation with dynamic regularisation)
/// against dense solves of the same quasi-definite matrices.
@Suite struct SparseSymmetricLDLTests {
    /// Upper-triangle pattern and values of `K = [H B'; B -C]` (H = tridiagonal SPD, C = c I,
    /// B random sparse) and the dense `K`.
    func quasiDefinite(n: Int, m: Int, c: Double, seed: UInt64) -> (start: [Int], rows: [Int], values: [Double], dense: Matrix) {
        var rng = QPRandom(seed: seed)
        let N = n + m
        var dense = Matrix(rows: N, columns: N)
        for i in 0..<n { dense[i, i] = 2 + rng.uniform(0...1); if i + 1 < n { let a = 0.5 * rng.uniform(); dense[i, i + 1] = a; dense[i + 1, i] = a } }
        for r in 0..<m {
            dense[n + r, n + r] = -c
            for j in 0..<n where rng.uniform(0...1) < 0.2 || j == r % n { let a = rng.normal(); dense[n + r, j] = a; dense[j, n + r] = a }
        }
        var start = [0], rows = [Int](), values = [Double]()
        for j in 0..<N {
            for i in 0...j where dense[i, j] != 0 || i == j { rows.append(i); values.append(dense[i, j]) }
            start.append(rows.count)
        }
        return (start, rows, values, dense)
    }

    /// `K^-1 b` equals the dense LU solve: relative error 1e-10 for these well-conditioned
    /// matrices (condition ~1e2-1e3; the factorisation is backward stable on quasi-definite
    /// matrices), with no pivot regularised.
    @Test(arguments: [(10, 5, 1.0), (60, 40, 0.1), (200, 120, 1e-3)])
    func solvesLikeDense(_ n: Int, _ m: Int, _ c: Double) throws {
        let k = quasiDefinite(n: n, m: m, c: c, seed: UInt64(n))
        var ldl = SparseSymmetricLDL(order: n + m, columnStart: k.start, rowIndices: k.rows)
        let signs = [Double](repeating: 1, count: n) + [Double](repeating: -1, count: m)
        #expect(ldl.factor(k.values, signs: signs) == nil)
        #expect(ldl.regularizedPivots.isEmpty)
        var rng = QPRandom(seed: 9)
        let b = rng.vector(n + m)
        var x = b.scalars
        ldl.solve(&x)
        let r = b - k.dense * Vector(x)
        #expect(r.maxNorm <= 1e-10 * (1 + b.maxNorm), "residual \(r.maxNorm)")
    }

    /// A zero block `C = 0` with dependent rows of `B` makes a pivot vanish: it is replaced by
    /// `-delta` and reported, and the factorisation still completes.
    @Test func dynamicRegularisationReportsTheDependentRow() throws {
        // H = I (2 x 2), B = [[1, 1], [1, 1]] (two equal rows), C = 0.
        let start = [0, 1, 2, 5, 8], rows = [0, 1, 0, 1, 2, 0, 1, 3]
        let values = [1.0, 1, 1, 1, 0, 1, 1, 0]
        var ldl = SparseSymmetricLDL(order: 4, columnStart: start, rowIndices: rows)
        #expect(ldl.factor(values, signs: [1, 1, -1, -1]) == nil)
        #expect(ldl.regularizedPivots.count == 1)
        #expect(ldl.regularizedPivots.allSatisfy { $0 >= 2 })  // a row pivot
    }

    /// The two-right-hand-side solve (one pass over `L`, used to carry the derivative's
    /// null-space probe) gives each solution as the one-vector solve does, to rounding.
    @Test func pairSolveMatchesTwoSolves() throws {
        let n = 60, m = 40
        let k = quasiDefinite(n: n, m: m, c: 0.1, seed: 5)
        var ldl = SparseSymmetricLDL(order: n + m, columnStart: k.start, rowIndices: k.rows)
        let signs = [Double](repeating: 1, count: n) + [Double](repeating: -1, count: m)
        #expect(ldl.factor(k.values, signs: signs) == nil)
        var rng = QPRandom(seed: 11)
        let b = rng.vector(n + m).scalars, c = rng.vector(n + m).scalars
        var x1 = b, y1 = c, x2 = b, y2 = c
        ldl.solve(&x1)
        ldl.solve(&y1)
        ldl.solve(&x2, &y2)
        for i in 0..<(n + m) {
            #expect(abs(x1[i] - x2[i]) <= 1e-13 * max(1, abs(x1[i])) && abs(y1[i] - y2[i]) <= 1e-13 * max(1, abs(y1[i])),
                    "entry \(i): \(x1[i]) vs \(x2[i]), \(y1[i]) vs \(y2[i])")
        }
    }

    /// One refinement step for two systems (`correct`) stores `dx = K^-1 rx`, `dy = K^-1 ry`
    /// and adds them to `x`, `y`: the same numbers as two one-vector solves and additions
    /// (to rounding, 1e-13 relative), with a workspace that starts as garbage.
    @Test func correctionStepMatchesSolvesAndAdditions() throws {
        let n = 30, m = 20
        let k = quasiDefinite(n: n, m: m, c: 0.5, seed: 7)
        var ldl = SparseSymmetricLDL(order: n + m, columnStart: k.start, rowIndices: k.rows)
        let signs = [Double](repeating: 1, count: n) + [Double](repeating: -1, count: m)
        #expect(ldl.factor(k.values, signs: signs) == nil)
        var rng = QPRandom(seed: 3)
        let rx = rng.vector(n + m).scalars, ry = rng.vector(n + m).scalars
        let x0 = rng.vector(n + m).scalars, y0 = rng.vector(n + m).scalars
        var x = x0, y = y0
        var dx = [Double](repeating: .nan, count: n + m), dy = dx, work = [Double](repeating: .nan, count: 2 * (n + m))
        ldl.correct(&x, &y, residuals: rx, ry, corrections: &dx, &dy, work: &work)
        var ex = rx, ey = ry
        ldl.solve(&ex)
        ldl.solve(&ey)
        for i in 0..<(n + m) {
            #expect(abs(dx[i] - ex[i]) <= 1e-13 * max(1, abs(ex[i])) && abs(dy[i] - ey[i]) <= 1e-13 * max(1, abs(ey[i])))
            #expect(abs(x[i] - (x0[i] + ex[i])) <= 1e-13 * max(1, abs(x[i])) && abs(y[i] - (y0[i] + ey[i])) <= 1e-13 * max(1, abs(y[i])))
        }
    }
}

/// The refined two-right-hand-side solve of ``SparseQPRefinedSolver`` (the derivative's
/// first solve and its null-space probe): factors of `K + diag(+-1e-8)` refined against
/// the exact `K`.
@Suite struct SparseQPRefinedPairSolveTests {
    /// `K = [I_2 B'; B 0]` for `B` (2 x 2) on the full upper-triangle pattern of order 4.
    func refined(_ b: [[Double]]) -> SparseQPRefinedSolver {
        let kkt = SparseQPKKTMatrix(P: SparseMatrix(Matrix(rowArrays: [[1, 0], [0, 1]])!), A: SparseMatrix(Matrix(rowArrays: b)!, dropTolerance: -1))
        let p = [1.0, 1.0], a = b.flatMap { $0 }  // A's values in column order: (0,0), (1,0), (0,1), (1,1)
        let av = [a[0], a[2], a[1], a[3]]
        let exact = kkt.values(px: p, ay: av, diagonalX: [0, 0], diagonalY: [0, 0])
        var ldl = SparseSymmetricLDL(order: kkt.order, columnStart: kkt.columnStart, rowIndices: kkt.rowIndices)
        _ = ldl.factor(kkt.values(px: p, ay: av, diagonalX: [1e-8, 1e-8], diagonalY: [1e-8, 1e-8]), signs: kkt.pivotSigns)
        return SparseQPRefinedSolver(matrix: kkt, exact: exact, ldl: ldl)
    }

    /// Nonsingular `K` (independent rows of `B`): both systems refine to their tolerances
    /// (the first regularised solve alone leaves about 1e-8), and the answers solve `K x = b`
    /// to 1e-13 relative, checked against the exact solution of the 4 x 4 system by a
    /// dense LU.
    @Test func bothRefineOnANonsingularMatrix() throws {
        let s = refined([[1, 2], [3, -1]])
        let b = [1.0, -2, 0.5, 3], c = [0.3, 0.7, -1.1, 0.9]
        let r = s.solve(b, c, steps: 60, tolerances: (1e-13, 1e-10))
        #expect(r.xResidual <= 1e-13 && r.yResidual <= 1e-10)
        let dense = Matrix(rowArrays: [[1, 0, 1, 3], [0, 1, 2, -1], [1, 2, 0, 0], [3, -1, 0, 0]])!
        let lu = try LUFactorization(dense)
        let xe = lu.solve(Vector(b)), ye = lu.solve(Vector(c))
        for i in 0..<4 {
            #expect(abs(r.x[i] - xe[i]) <= 1e-12 * max(1, abs(xe[i])) && abs(r.y[i] - ye[i]) <= 1e-12 * max(1, abs(ye[i])))
        }
    }

    /// Singular `K` (equal rows of `B`): a generic right-hand side cannot be refined below
    /// about 1e-1 relative (its component along the null vector `(0, 0, 1, -1)` stays), so the
    /// probe's residual stays far above its 1e-9 threshold and the iterate returned is the
    /// best one (residual not larger than after the first correction).
    @Test func probeStallsOnASingularMatrix() throws {
        let s = refined([[1, 2], [1, 2]])
        let b = [1.0, -2, 0.5, 0.5], p = [0.7, -1.3, 0.9, 1.4]  // b consistent (equal row entries), p not
        let r = s.solve(b, p, steps: 60, tolerances: (1e-13, 1e-10))
        #expect(r.yResidual > 1e-3, "probe residual \(r.yResidual)")
        #expect(r.xResidual <= 1e-10, "consistent system residual \(r.xResidual)")
        let kx = s.matrix.multiply(s.exact, r.y)
        var res = 0.0
        for i in 0..<4 { res = max(res, abs(p[i] - kx[i])) }
        #expect(abs(res / (1 + 1.4) - r.yResidual) <= 1e-12 * max(1, res), "the reported residual is the returned iterate's")
    }
}

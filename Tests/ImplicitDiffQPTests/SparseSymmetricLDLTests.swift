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
}

import Testing
import _ImplicitDiffKernels
@testable import ImplicitDiffCore

// The sparse matrix against its dense counterpart on random patterns with duplicates and
// explicit zeros: products agree to rounding (1e-13 relative to the data's magnitude,
// sums of at most 40 terms of size <= 1), the pattern map is the adjoint pair it claims.

@Suite("SparseMatrix and SparsePattern: compressed columns from coordinates")
struct SparseMatrixTests {
    /// Random coordinates in a `rows x columns` shape, a third of them duplicates of
    /// earlier entries, one explicit zero.
    static func coordinates(rows: Int, columns: Int, count: Int, seed: UInt64) -> (ri: [Int], ci: [Int], v: [Double]) {
        var g = SplitMix64(seed: seed)
        var ri = [Int](), ci = [Int](), v = [Double]()
        for k in 0..<count {
            if k > 2 && k % 3 == 0 {
                let p = Int.random(in: 0..<k, using: &g)
                ri.append(ri[p]); ci.append(ci[p])
            } else {
                ri.append(Int.random(in: 0..<rows, using: &g)); ci.append(Int.random(in: 0..<columns, using: &g))
            }
            v.append(Double.random(in: -1...1, using: &g))
        }
        v[0] = 0
        return (ri, ci, v)
    }

    static func denseFrom(rows: Int, columns: Int, _ c: (ri: [Int], ci: [Int], v: [Double])) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for k in c.ri.indices { m[c.ri[k], c.ci[k]] += c.v[k] }
        return m
    }

    @Test("coordinates with duplicates: summed, products and transpose equal the dense ones")
    func productsMatchDense() throws {
        let (r, c) = (23, 17)
        let coords = Self.coordinates(rows: r, columns: c, count: 90, seed: 7)
        let a = try SparseMatrix(rows: r, columns: c, rowIndices: coords.ri, columnIndices: coords.ci, values: coords.v)
        let d = Self.denseFrom(rows: r, columns: c, coords)
        #expect(a.dense == d)
        #expect(a.nonZeroCount < coords.v.count)  // duplicates merged
        #expect(a.nonZeroCount == Set(zip(coords.ri, coords.ci).map { "\($0),\($1)" }).count)  // explicit zero kept
        var g = SplitMix64(seed: 8)
        let x = Vector((0..<c).map { _ in Double.random(in: -1...1, using: &g) })
        let y = Vector((0..<r).map { _ in Double.random(in: -1...1, using: &g) })
        #expect(((a * x) - (d * x)).maxNorm <= 1e-13)
        #expect((a.transposedTimes(y) - d.transposedTimes(y)).maxNorm <= 1e-13)
        #expect(a.transposed.dense == d.transposed)
        #expect(a.transposed.transposed == a)
        for (i, j) in [(0, 0), (5, 3), (22, 16)] { #expect(a[i, j] == d[i, j]) }
        // Checked CSC constructor accepts what the coordinate one built.
        let again = try SparseMatrix(rows: r, columns: c, columnStart: a.columnStart, rowIndices: a.rowIndices, values: a.values)
        #expect(again == a)
        #expect(SparseMatrix(d).dense == d)
    }

    @Test("gather is the adjoint of scatter: <scatter(t), g> = <t, gather(g)>")
    func patternAdjoint() {
        let coords = Self.coordinates(rows: 9, columns: 11, count: 40, seed: 3)
        let p = SparsePattern(rows: 9, columns: 11, rowIndices: coords.ri, columnIndices: coords.ci)
        var g = SplitMix64(seed: 4)
        let t = (0..<p.entryCount).map { _ in Double.random(in: -1...1, using: &g) }
        let s = (0..<p.slotCount).map { _ in Double.random(in: -1...1, using: &g) }
        let lhs = zip(p.scatter(t), s).reduce(0) { $0 + $1.0 * $1.1 }
        let rhs = zip(t, p.gather(s)).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) <= 1e-13)
    }

    @Test("patternGradient is d(u'Av)/d values: matches the dense outer product on the pattern")
    func patternGradient() throws {
        let coords = Self.coordinates(rows: 6, columns: 5, count: 20, seed: 5)
        let a = try SparseMatrix(rows: 6, columns: 5, rowIndices: coords.ri, columnIndices: coords.ci, values: coords.v)
        let u = Vector([1, -2, 3, 0.5, 4, -1]), v = Vector([2, 1, -1, 3, 0.25])
        let grad = a.patternGradient(left: u, right: v)
        // Directional check: d/dt u'(A + t E)v = <grad, E values> exactly (bilinear).
        let e = (0..<a.nonZeroCount).map { Double($0 % 4) - 1.5 }
        let lhs = BLAS.dot(u.scalars, (a.withValues(e) * v).scalars)
        let rhs = zip(grad, e).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) <= 1e-13 * max(1, abs(lhs)))
    }

    @Test("bad coordinates and bad compressed columns are typed errors naming the entry")
    func errors() {
        #expect(throws: LinearAlgebraError.dimensionMismatch("coordinate entry 1 at (2, 0) is outside the 2 x 2 shape")) {
            try SparseMatrix(rows: 2, columns: 2, rowIndices: [0, 2], columnIndices: [0, 0], values: [1, 1])
        }
        #expect(throws: LinearAlgebraError.self) {
            try SparseMatrix(rows: 2, columns: 2, rowIndices: [0], columnIndices: [0, 1], values: [1])
        }
        #expect(throws: LinearAlgebraError.self) {  // rows not increasing in column 0
            try SparseMatrix(rows: 3, columns: 1, columnStart: [0, 2], rowIndices: [1, 0], values: [1, 1])
        }
    }

    @Test("an empty and an identity matrix; Krylov solves through the operator conformance")
    func operatorUse() throws {
        #expect(SparseMatrix.zeros(rows: 3, columns: 2) * Vector([1, 2]) == Vector.zeros(3))
        // A diagonally dominant tridiagonal system solved by CG on the sparse operator.
        let n = 50
        var ri = [Int](), ci = [Int](), v = [Double]()
        for i in 0..<n {
            ri.append(i); ci.append(i); v.append(4)
            if i > 0 { ri.append(i); ci.append(i - 1); v.append(-1); ri.append(i - 1); ci.append(i); v.append(-1) }
        }
        let a = try SparseMatrix(rows: n, columns: n, rowIndices: ri, columnIndices: ci, values: v)
        let b = Vector((0..<n).map { Double($0 % 7) })
        let x = try ConjugateGradient(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-13)).solve(a, b, initialGuess: nil, preconditioner: nil).solution
        #expect((a * x - b).maxNorm <= 1e-11 * b.maxNorm)
    }
}

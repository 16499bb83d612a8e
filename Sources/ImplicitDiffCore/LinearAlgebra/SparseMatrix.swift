/// A sparse matrix in compressed sparse column (CSC) form: the row indices and values of
/// column `j` are `rowIndices[columnStart[j]..<columnStart[j + 1]]` and the same range of
/// `values`, rows strictly increasing within a column.
///
/// Memory is `O(rows + columns + nonZeroCount)`; the products the implicit function
/// theorem needs, `A x` and `A' y`, cost `O(nonZeroCount)` and are
/// ``AdjointableLinearOperator`` products, so every Krylov solver takes a sparse matrix.
/// Explicit zeros are kept: the stored *pattern* is part of the data (a parameter's
/// gradient on a sparse matrix lives on its pattern, see ``patternGradient(left:right:)``).
///
/// Build one from coordinates (``init(rows:columns:rowIndices:columnIndices:values:)``,
/// duplicates summed, the form of MPS files and of the CLI's coordinate matrices) or from
/// a dense ``Matrix``.
public struct SparseMatrix: Sendable, Equatable, Hashable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// `columns + 1` offsets into ``rowIndices`` and ``values``; `columnStart[0] == 0`.
    public let columnStart: [Int]
    /// Row index of each stored entry, increasing within each column.
    public let rowIndices: [Int]
    /// Value of each stored entry.
    public private(set) var values: [Double]

    /// The matrix from its compressed columns, checked: `columnStart` has `columns + 1`
    /// non-decreasing offsets from 0 to `rowIndices.count == values.count`, and the row
    /// indices of each column are strictly increasing in `0..<rows`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` naming the first violation.
    public init(rows: Int, columns: Int, columnStart: [Int], rowIndices: [Int], values: [Double]) throws {
        guard rows >= 0, columns >= 0 else {
            throw LinearAlgebraError.dimensionMismatch("sparse matrix shape \(rows) x \(columns) is negative")
        }
        guard columnStart.count == columns + 1, columnStart.first == 0, columnStart.last == rowIndices.count,
              rowIndices.count == values.count else {
            throw LinearAlgebraError.dimensionMismatch(
                "compressed columns: \(columnStart.count) offsets for \(columns) columns, last offset "
                    + "\(columnStart.last ?? -1), \(rowIndices.count) row indices, \(values.count) values")
        }
        for j in 0..<columns {
            guard columnStart[j] <= columnStart[j + 1] else {
                throw LinearAlgebraError.dimensionMismatch("compressed columns: offsets decrease at column \(j)")
            }
            var previous = -1
            for e in columnStart[j]..<columnStart[j + 1] {
                let i = rowIndices[e]
                guard i > previous, i < rows else {
                    throw LinearAlgebraError.dimensionMismatch(
                        "compressed columns: row index \(i) in column \(j) is out of range 0..<\(rows) or not increasing")
                }
                previous = i
            }
        }
        self.init(unchecked: rows, columns, columnStart, rowIndices, values)
    }

    /// The matrix from compressed columns known to be valid (internal constructors).
    init(unchecked rows: Int, _ columns: Int, _ columnStart: [Int], _ rowIndices: [Int], _ values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.columnStart = columnStart
        self.rowIndices = rowIndices
        self.values = values
    }

    /// The matrix from coordinates: entry `k` adds `values[k]` at
    /// `(rowIndices[k], columnIndices[k])`. Duplicates are summed into one stored entry,
    /// explicit zeros are kept in the pattern. `O(count + columns)` time (two counting
    /// passes), no dense array.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` for arrays of unequal length,
    ///   a negative shape, or an index out of range (naming the entry).
    public init(rows: Int, columns: Int, rowIndices: [Int], columnIndices: [Int], values: [Double]) throws {
        guard rows >= 0, columns >= 0 else {
            throw LinearAlgebraError.dimensionMismatch("sparse matrix shape \(rows) x \(columns) is negative")
        }
        guard rowIndices.count == columnIndices.count, rowIndices.count == values.count else {
            throw LinearAlgebraError.dimensionMismatch(
                "coordinates: \(rowIndices.count) rows, \(columnIndices.count) cols, \(values.count) values")
        }
        for k in rowIndices.indices {
            guard (0..<rows).contains(rowIndices[k]), (0..<columns).contains(columnIndices[k]) else {
                throw LinearAlgebraError.dimensionMismatch(
                    "coordinate entry \(k) at (\(rowIndices[k]), \(columnIndices[k])) is outside the \(rows) x \(columns) shape")
            }
        }
        let pattern = SparsePattern(rows: rows, columns: columns, rowIndices: rowIndices, columnIndices: columnIndices)
        self = pattern.matrix(values: values)
    }

    /// The non-zero entries of a dense matrix (entries with `|a_ij| > dropTolerance`).
    public init(_ dense: Matrix, dropTolerance: Double = 0) {
        var start = [0], rowIndex = [Int](), value = [Double]()
        start.reserveCapacity(dense.columns + 1)
        for j in 0..<dense.columns {
            for i in 0..<dense.rows {
                let v = dense[i, j]
                if abs(v) > dropTolerance { rowIndex.append(i); value.append(v) }
            }
            start.append(rowIndex.count)
        }
        self.init(unchecked: dense.rows, dense.columns, start, rowIndex, value)
    }

    /// The `rows x columns` matrix with no stored entry.
    public static func zeros(rows: Int, columns: Int) -> SparseMatrix {
        SparseMatrix(unchecked: rows, columns, [Int](repeating: 0, count: columns + 1), [], [])
    }

    /// The `n x n` identity.
    public static func identity(_ n: Int) -> SparseMatrix {
        SparseMatrix(unchecked: n, n, Array(0...n), Array(0..<n), [Double](repeating: 1, count: n))
    }

    /// Number of stored entries (explicit zeros included).
    public var nonZeroCount: Int { values.count }

    /// The stored entries of column `j`: `(row, value)` pairs, rows increasing.
    public func column(_ j: Int) -> some Sequence<(row: Int, value: Double)> {
        (columnStart[j]..<columnStart[j + 1]).lazy.map { (row: rowIndices[$0], value: values[$0]) }
    }

    /// Entry `(i, j)` (zero when not stored), by binary search in column `j`.
    public subscript(i: Int, j: Int) -> Double {
        precondition((0..<rows).contains(i) && (0..<columns).contains(j), "SparseMatrix: index (\(i), \(j)) out of range")
        var lo = columnStart[j], hi = columnStart[j + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if rowIndices[mid] < i { lo = mid + 1 } else { hi = mid }
        }
        return lo < columnStart[j + 1] && rowIndices[lo] == i ? values[lo] : 0
    }

    /// The same pattern with other values (`values.count == nonZeroCount`).
    public func withValues(_ newValues: [Double]) -> SparseMatrix {
        precondition(newValues.count == values.count, "SparseMatrix.withValues: \(newValues.count) values for \(values.count) entries")
        var copy = self
        copy.values = newValues
        return copy
    }

    /// Whether every stored value is finite.
    public var isFinite: Bool { values.allSatisfy(\.isFinite) }

    /// Largest stored magnitude.
    public var maxNorm: Double { values.reduce(0) { Swift.max($0, abs($1)) } }

    /// The dense matrix (for small matrices and tests: `rows x columns` memory).
    public var dense: Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for j in 0..<columns {
            for e in columnStart[j]..<columnStart[j + 1] { m.scalars[rowIndices[e] * columns + j] += values[e] }
        }
        return m
    }

    /// The transpose, in `O(nonZeroCount + rows)` (one counting pass). Its compressed
    /// columns are this matrix's compressed rows.
    public var transposed: SparseMatrix {
        var count = [Int](repeating: 0, count: rows + 1)
        for i in rowIndices { count[i + 1] += 1 }
        for i in 0..<rows { count[i + 1] += count[i] }
        let start = count
        var next = count
        var columnIndex = [Int](repeating: 0, count: values.count), value = [Double](repeating: 0, count: values.count)
        for j in 0..<columns {
            for e in columnStart[j]..<columnStart[j + 1] {
                let slot = next[rowIndices[e]]
                next[rowIndices[e]] += 1
                columnIndex[slot] = j
                value[slot] = values[e]
            }
        }
        return SparseMatrix(unchecked: columns, rows, start, columnIndex, value)
    }

    /// `y <- alpha A x + beta y`, `O(nonZeroCount)`.
    public func multiply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>,
                         alpha: Double = 1, beta: Double = 0) {
        precondition(x.count == columns && y.count == rows, "SparseMatrix.multiply: shapes do not fit")
        if beta == 0 { for i in 0..<rows { y[i] = 0 } } else if beta != 1 { for i in 0..<rows { y[i] *= beta } }
        rowIndices.withUnsafeBufferPointer { ri in
            values.withUnsafeBufferPointer { va in
                for j in 0..<columns {
                    let xj = alpha * x[j]
                    if xj == 0 { continue }
                    for e in columnStart[j]..<columnStart[j + 1] { y[ri[e]] += va[e] * xj }
                }
            }
        }
    }

    /// `y <- alpha A' x + beta y`, `O(nonZeroCount)`.
    public func multiplyTransposed(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>,
                                   alpha: Double = 1, beta: Double = 0) {
        precondition(x.count == rows && y.count == columns, "SparseMatrix.multiplyTransposed: shapes do not fit")
        rowIndices.withUnsafeBufferPointer { ri in
            values.withUnsafeBufferPointer { va in
                for j in 0..<columns {
                    var s = 0.0
                    for e in columnStart[j]..<columnStart[j + 1] { s += va[e] * x[ri[e]] }
                    y[j] = beta == 0 ? alpha * s : alpha * s + beta * y[j]
                }
            }
        }
    }

    /// `A x`.
    public static func * (a: SparseMatrix, x: Vector) -> Vector {
        let x = x.materialized(count: a.columns)
        var y = [Double](repeating: 0, count: a.rows)
        x.scalars.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { a.multiply(xp, into: $0) } }
        return Vector(y)
    }

    /// `A' y`.
    public func transposedTimes(_ y: Vector) -> Vector {
        let y = y.materialized(count: rows)
        var x = [Double](repeating: 0, count: columns)
        y.scalars.withUnsafeBufferPointer { yp in x.withUnsafeMutableBufferPointer { multiplyTransposed(yp, into: $0) } }
        return Vector(x)
    }

    /// `diag(r) A diag(s)` (either side may be `nil`: no scaling), same pattern.
    public func scaled(rows r: Vector? = nil, columns s: Vector? = nil) -> SparseMatrix {
        precondition(r.map { $0.count == rows } ?? true && s.map { $0.count == columns } ?? true,
                     "SparseMatrix.scaled: scaling lengths do not fit")
        var v = values
        for j in 0..<columns {
            let sj = s?[j] ?? 1
            for e in columnStart[j]..<columnStart[j + 1] { v[e] *= (r?[rowIndices[e]] ?? 1) * sj }
        }
        return withValues(v)
    }

    /// The gradient of `u' A v` with respect to the stored values: `u_i v_j` at every
    /// stored `(i, j)`, in storage order. This is how `d L / d A = u v'` (e.g.
    /// `d value / d G = mu z'` of an LP) is returned on a sparse matrix's pattern,
    /// without forming the dense outer product.
    public func patternGradient(left u: Vector, right v: Vector) -> [Double] {
        let u = u.materialized(count: rows), v = v.materialized(count: columns)
        var g = [Double](repeating: 0, count: values.count)
        for j in 0..<columns {
            let vj = v[j]
            for e in columnStart[j]..<columnStart[j + 1] { g[e] = u[rowIndices[e]] * vj }
        }
        return g
    }

    /// The largest magnitude in each row (`0` for an empty row), `O(nonZeroCount)`.
    public var rowMaxNorms: Vector {
        var m = [Double](repeating: 0, count: rows)
        for e in values.indices { m[rowIndices[e]] = Swift.max(m[rowIndices[e]], abs(values[e])) }
        return Vector(m)
    }

    /// The largest magnitude in each column (`0` for an empty column).
    public var columnMaxNorms: Vector {
        Vector((0..<columns).map { j in
            (columnStart[j]..<columnStart[j + 1]).reduce(0.0) { Swift.max($0, abs(values[$1])) }
        })
    }
}

/// A sparse matrix is an operator whose products cost `O(nonZeroCount)`.
extension SparseMatrix: AdjointableLinearOperator {
    public var rowCount: Int { rows }
    public var columnCount: Int { columns }
    public func apply(_ v: Vector) -> Vector { self * v }
    public func applyTransposed(_ v: Vector) -> Vector { transposedTimes(v) }
}

extension SparseMatrix: CustomStringConvertible {
    public var description: String { "SparseMatrix(\(rows)x\(columns), \(nonZeroCount) stored entries)" }
}

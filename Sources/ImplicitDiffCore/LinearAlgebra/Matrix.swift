import _Differentiation

/// A dense `rows x columns` matrix of `Double`, stored row-major, products by BLAS.
///
/// The additive identity ``zero`` is the empty `0 x 0` matrix, which acts as zero
/// of every shape (Swift AD's "no derivative yet").
@frozen
public struct Matrix: Sendable, Equatable, Hashable {
    /// Number of rows.
    public var rows: Int
    /// Number of columns.
    public var columns: Int
    /// Entries in row-major order: entry `(i, j)` is `scalars[i * columns + j]`.
    public var scalars: [Double]

    /// A matrix from row-major entries; traps when `scalars.count != rows * columns`.
    @inlinable
    public init(rows: Int, columns: Int, scalars: [Double]) {
        precondition(rows >= 0 && columns >= 0 && scalars.count == rows * columns,
                     "Matrix: \(scalars.count) entries for shape \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.scalars = scalars
    }

    /// A `rows x columns` matrix filled with `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, scalars: Array(repeating: value, count: rows * columns))
    }

    /// A matrix from an array of equally long rows; `nil` when the rows are ragged.
    @inlinable
    public init?(rowArrays: [[Double]]) {
        let c = rowArrays.first?.count ?? 0
        guard rowArrays.allSatisfy({ $0.count == c }) else { return nil }
        self.init(rows: rowArrays.count, columns: c, scalars: rowArrays.flatMap { $0 })
    }

    /// The `n x n` identity.
    @inlinable
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.scalars[i * n + i] = 1 }
        return m
    }

    /// The diagonal matrix with `d` on its diagonal.
    @inlinable
    public static func diagonal(_ d: Vector) -> Matrix {
        let n = d.count
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.scalars[i * n + i] = d.scalars[i] }
        return m
    }

    /// Entry `(i, j)`.
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { scalars[i * columns + j] }
        set { scalars[i * columns + j] = newValue }
    }

    /// Row `i` as a vector.
    @inlinable
    public func row(_ i: Int) -> Vector { Vector(Array(scalars[(i * columns)..<((i + 1) * columns)])) }

    /// Column `j` as a vector.
    @inlinable
    public func column(_ j: Int) -> Vector {
        var c = [Double](repeating: 0, count: rows)
        for i in 0..<rows { c[i] = scalars[i * columns + j] }
        return Vector(c)
    }

    /// Sets column `j`.
    @inlinable
    public mutating func setColumn(_ j: Int, to v: Vector) {
        precondition(v.count == rows, "setColumn: length \(v.count), expected \(rows)")
        for i in 0..<rows { scalars[i * columns + j] = v.scalars[i] }
    }

    /// The rows as arrays (for printing and JSON).
    public var rowArrays: [[Double]] {
        (0..<rows).map { Array(scalars[($0 * columns)..<(($0 + 1) * columns)]) }
    }

    /// The entries as one vector, row-major (differentiable).
    @inlinable
    public var flattened: Vector { Vector(scalars) }

    /// A `rows x columns` matrix whose row-major entries are `v` (differentiable).
    @inlinable
    public init(reshaping v: Vector, rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, scalars: v.materialized(count: rows * columns).scalars)
    }

    /// `A'`.
    @inlinable
    public var transposed: Matrix {
        var t = [Double](repeating: 0, count: scalars.count)
        for i in 0..<rows {
            for j in 0..<columns { t[j * rows + i] = scalars[i * columns + j] }
        }
        return Matrix(rows: columns, columns: rows, scalars: t)
    }

    /// `max |a_ij|`.
    @inlinable
    public var maxNorm: Double { scalars.reduce(0) { Swift.max($0, abs($1)) } }

    /// Whether every entry is finite.
    @inlinable
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }

    /// `(A + A') / 2`.
    @inlinable
    public var symmetricPart: Matrix {
        precondition(rows == columns, "symmetricPart of a non-square matrix")
        var s = self
        for i in 0..<rows {
            for j in 0..<i {
                let v = 0.5 * (self[i, j] + self[j, i])
                s[i, j] = v
                s[j, i] = v
            }
        }
        return s
    }

    /// Expands the empty (zero) matrix to zeros of the given shape.
    @inlinable
    public func materialized(rows r: Int, columns c: Int) -> Matrix {
        scalars.isEmpty && r * c > 0 ? Matrix(rows: r, columns: c) : self
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String { "Matrix(\(rows)x\(columns), \(rowArrays))" }
}

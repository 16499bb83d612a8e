/// The design `X` (`N x n`) of a least-squares loss: dense rows, or compressed sparse
/// columns (``SparseMatrix``, never densified).
///
/// The operations the least-squares machinery needs, each in the cost of the storage:
/// ```
/// X v, X'r                        O(N n) dense (BLAS dgemv),  O(nnz) sparse
/// X_S'X_S  (|S| x |S|)            one dgemm dense,            O(|S| nnz(X_S)) sparse
/// sum_k  a_k b_k'  on the storage     O(N n) dense,           O(nnz) sparse
/// ```
/// The *parameters* of `X` are its stored values: all `N n` entries row-major when dense,
/// the stored entries in compressed-column order when sparse (explicit zeros included,
/// duplicates of a coordinate list already summed). A gradient with respect to `X` is
/// therefore, for a sparse design, the dense gradient restricted to the stored pattern:
/// entries outside it are structural zeros, not parameters.
public enum DesignMatrix: Sendable {
    /// A dense `N x n` matrix (row-major).
    case dense(Matrix)
    /// A sparse `N x n` matrix.
    case sparse(SparseMatrix)

    /// `N`.
    public var rows: Int {
        switch self {
        case let .dense(x): return x.rows
        case let .sparse(x): return x.rows
        }
    }

    /// `n`.
    public var columns: Int {
        switch self {
        case let .dense(x): return x.columns
        case let .sparse(x): return x.columns
        }
    }

    /// Whether `X` is stored sparse.
    public var isSparse: Bool {
        if case .sparse = self { return true }
        return false
    }

    /// The number of parameters of `X`: `N n` dense, `nnz` sparse.
    public var storedCount: Int {
        switch self {
        case let .dense(x): return x.rows * x.columns
        case let .sparse(x): return x.nonZeroCount
        }
    }

    /// The parameters of `X` (see the type's documentation for their order).
    public var storedValues: [Double] {
        switch self {
        case let .dense(x): return x.scalars
        case let .sparse(x): return x.values
        }
    }

    /// The same shape (and pattern) with other stored values (`values.count == storedCount`).
    public func withStoredValues(_ values: [Double]) -> DesignMatrix {
        precondition(values.count == storedCount, "DesignMatrix: \(values.count) values for \(storedCount) stored entries")
        switch self {
        case let .dense(x): return .dense(Matrix(rows: x.rows, columns: x.columns, scalars: values))
        case let .sparse(x): return .sparse(x.withValues(values))
        }
    }

    /// Whether every stored value is finite.
    public var isFinite: Bool {
        switch self {
        case let .dense(x): return x.isFinite
        case let .sparse(x): return x.isFinite
        }
    }

    /// `||X||_F` (from the stored values).
    public var frobeniusNorm: Double { Vector(storedValues).norm }

    /// `X v`.
    public static func * (x: DesignMatrix, v: Vector) -> Vector {
        switch x {
        case let .dense(m): return m * v
        case let .sparse(m): return m * v
        }
    }

    /// `X' r`.
    public func transposedTimes(_ r: Vector) -> Vector {
        switch self {
        case let .dense(m): return m.transposedTimes(r)
        case let .sparse(m): return m.transposedTimes(r)
        }
    }

    /// Column `k` of `X` as a dense `N`-vector.
    public func column(_ k: Int) -> Vector {
        switch self {
        case let .dense(m): return m.column(k)
        case let .sparse(m):
            var c = [Double](repeating: 0, count: m.rows)
            for e in m.columnStart[k]..<m.columnStart[k + 1] { c[m.rowIndices[e]] = m.values[e] }
            return Vector(c)
        }
    }

    /// `sum_k ||X e_k||^2 e_k`: the diagonal of `X'X`.
    public var columnSquaredNorms: Vector {
        switch self {
        case let .dense(m):
            var out = [Double](repeating: 0, count: m.columns)
            m.scalars.withUnsafeBufferPointer { x in
                for i in 0..<m.rows {
                    let row = i * m.columns
                    for j in 0..<m.columns { out[j] += x[row + j] * x[row + j] }
                }
            }
            return Vector(out)
        case let .sparse(m):
            var out = [Double](repeating: 0, count: m.columns)
            m.values.withUnsafeBufferPointer { v in
                for j in 0..<m.columns {
                    var s = 0.0
                    for e in m.columnStart[j]..<m.columnStart[j + 1] { s += v[e] * v[e] }
                    out[j] = s
                }
            }
            return Vector(out)
        }
    }
}

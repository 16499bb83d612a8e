import ImplicitDiff

/// A JSON number array of known shape: `[]` is a scalar, `[n]` a vector, `[r, c]` a
/// matrix (row-major). Inputs, outputs, cotangents, tangents and gradients of the CLI
/// are all tensors. A matrix given in coordinate form has a ``layout``: then `scalars`
/// holds one value per coordinate entry (not `rows x columns` values) and the JSON is
/// the coordinate form again.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var scalars: [Double]
    /// The coordinate layout of a sparse matrix tensor (`nil`: dense, row-major).
    public var layout: SparseLayout?

    public init(shape: [Int], scalars: [Double]) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: \(scalars.count) entries for shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A sparse matrix tensor with one value per coordinate entry of `layout`.
    public init(layout: SparseLayout, values: [Double]) {
        precondition(values.count == layout.entryCount, "Tensor: \(values.count) values for \(layout.entryCount) coordinate entries")
        shape = layout.shape
        scalars = values
        self.layout = layout
    }

    /// A sparse matrix tensor from values in the storage order of the ``SparseMatrix`` the
    /// layout denotes (e.g. ``SparseMatrix/patternGradient(left:right:)``): each coordinate
    /// entry gets the value of its slot.
    public init(layout: SparseLayout, stored: [Double]) {
        self.init(layout: layout, values: layout.pattern.gather(stored))
    }

    /// Zeros shaped like a parameter: dense of `shape`, or on `layout` when sparse.
    public static func zeros(_ shape: [Int], layout: SparseLayout?) -> Tensor {
        layout.map { Tensor(layout: $0, values: .init(repeating: 0, count: $0.entryCount)) } ?? .zeros(shape)
    }

    /// A sparse tensor's values in the storage order of its matrix (duplicates summed): a
    /// tangent on the coordinates as a tangent on the matrix's stored values.
    public var storedValues: [Double] { layout.map { $0.pattern.scatter(scalars) } ?? scalars }

    /// A sparse tensor as the matrix it denotes (its values summed into storage).
    public var sparseMatrix: SparseMatrix? { layout.map { $0.pattern.matrix(values: scalars) } }

    public init(_ x: Double) { self.init(shape: [], scalars: [x]) }
    public init(_ v: Vector) { self.init(shape: [v.count], scalars: v.scalars) }
    public init(_ m: Matrix) { self.init(shape: [m.rows, m.columns], scalars: m.scalars) }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: Array(repeating: 0, count: shape.reduce(1, *)))
    }

    /// Number of entries.
    public var count: Int { scalars.count }
    /// The entries as a vector (row-major for matrices).
    public var vector: Vector { Vector(scalars) }
    /// The scalar value of a 0-d tensor (first entry otherwise).
    public var scalar: Double { scalars.first ?? 0 }
    /// As a dense matrix (vectors become columns, scalars 1 x 1; a sparse tensor is
    /// expanded, for small matrices only).
    public var matrix: Matrix {
        if let sparse = sparseMatrix { return sparse.dense }
        switch shape.count {
        case 2: return Matrix(rows: shape[0], columns: shape[1], scalars: scalars)
        case 1: return Matrix(rows: shape[0], columns: 1, scalars: scalars)
        default: return Matrix(rows: 1, columns: 1, scalars: scalars)
        }
    }
}

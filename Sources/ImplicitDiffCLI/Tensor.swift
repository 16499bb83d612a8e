import ImplicitDiff

/// A JSON number array of known shape: `[]` is a scalar, `[n]` a vector, `[r, c]` a
/// matrix (row-major). Inputs, outputs, cotangents, tangents and gradients of the CLI
/// are all tensors.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var scalars: [Double]

    public init(shape: [Int], scalars: [Double]) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: \(scalars.count) entries for shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

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
    /// As a matrix (vectors become columns, scalars 1 x 1).
    public var matrix: Matrix {
        switch shape.count {
        case 2: return Matrix(rows: shape[0], columns: shape[1], scalars: scalars)
        case 1: return Matrix(rows: shape[0], columns: 1, scalars: scalars)
        default: return Matrix(rows: 1, columns: 1, scalars: scalars)
        }
    }
}

import ImplicitDiff

/// A matrix field of `data`: dense rows (`[[...], ...]`) or the contract's coordinate form
/// (`{"shape": [r, c], "rows": [...], "cols": [...], "values": [...]}`, 0-based, duplicates
/// summed, explicit zeros kept). A coordinate field never becomes a dense `r x c` array.
public enum MatrixField: Sendable {
    case dense(Matrix)
    case sparse(CoordinateMatrix)

    /// Rows and columns.
    public var shape: (rows: Int, columns: Int) {
        switch self {
        case let .dense(m): return (m.rows, m.columns)
        case let .sparse(c): return (c.layout.shape[0], c.layout.shape[1])
        }
    }

    /// Whether the field was given in coordinate form.
    public var isSparse: Bool {
        if case .sparse = self { return true }
        return false
    }

    /// The field as a sparse matrix (a dense field keeps its non-zero entries).
    public var sparseMatrix: SparseMatrix {
        switch self {
        case let .dense(m): return SparseMatrix(m)
        case let .sparse(c): return c.matrix
        }
    }

    /// The layout of a coordinate field (`nil` for dense rows).
    public var layout: SparseLayout? {
        if case let .sparse(c) = self { return c.layout }
        return nil
    }
}

/// A matrix field given in coordinate form: its layout and the matrix it denotes.
public struct CoordinateMatrix: Sendable {
    /// Shape, coordinates as given, and their storage map.
    public let layout: SparseLayout
    /// The values of the entries, as given.
    public let values: [Double]
    /// The matrix (duplicates summed).
    public let matrix: SparseMatrix

    /// Reads and checks `{"shape", "rows", "cols", "values"}` of field `key`: integral,
    /// in-range, non-negative indices, arrays of equal length, finite values.
    ///
    /// - Throws: ``CLIError/invalidInput(_:)`` naming the field and the offending entry.
    public init(_ object: JSONObject, key: String) throws {
        try object.rejectUnknownKeys(["shape", "rows", "cols", "values"], in: "'\(key)' (coordinate form)")
        for k in ["shape", "rows", "cols", "values"] where !object.has(k) {
            throw CLIError.invalidInput("'\(key)' in coordinate form needs 'shape', 'rows', 'cols' and 'values' (missing '\(k)')")
        }
        let shape = try Self.indices(object["shape"]!, "\(key).shape")
        guard shape.count == 2 else { throw CLIError.invalidInput("'\(key).shape' must be [rows, columns], got \(shape.count) entries") }
        let rows = try Self.indices(object["rows"]!, "\(key).rows")
        let cols = try Self.indices(object["cols"]!, "\(key).cols")
        let values = try JSONObject.tensor(object["values"]!, "\(key).values", rank: 1).scalars
        guard rows.count == cols.count, rows.count == values.count else {
            throw CLIError.invalidInput("'\(key)' in coordinate form has \(rows.count) rows, \(cols.count) cols and \(values.count) values; they must have equal length")
        }
        for k in rows.indices where rows[k] >= shape[0] || cols[k] >= shape[1] {
            throw CLIError.invalidInput("'\(key)' entry \(k) at (\(rows[k]), \(cols[k])) is outside the shape \(shape[0]) x \(shape[1])")
        }
        layout = SparseLayout(rows: shape[0], columns: shape[1], rowIndices: rows, columnIndices: cols)
        self.values = values
        matrix = layout.pattern.matrix(values: values)
    }

    /// A list of non-negative integers (sizes or 0-based indices).
    static func indices(_ v: JSON, _ key: String) throws -> [Int] {
        guard let a = v.elements else { throw CLIError.invalidInput("'\(key)' must be an array of non-negative integers") }
        var out = [Int]()
        out.reserveCapacity(a.count)
        for (i, e) in a.enumerated() {
            guard case let .number(d) = e, d.isFinite, d == d.rounded(), d >= 0, d < 1e15 else {
                throw CLIError.invalidInput("'\(key)'[\(i)] must be a non-negative integer")
            }
            out.append(Int(d))
        }
        return out
    }
}

extension JSONObject {
    /// A required matrix field, dense rows or coordinate form.
    public func matrixField(_ key: String) throws -> MatrixField {
        guard let v = self[key], v != .null else { throw CLIError.invalidInput("missing field '\(key)'") }
        if case let .object(o) = v { return .sparse(try CoordinateMatrix(o, key: key)) }
        return .dense(try matrix(key))
    }

    /// An optional matrix field; an empty array `[]` is a dense matrix with no rows.
    public func optionalMatrixField(_ key: String, columns: Int) throws -> MatrixField? {
        guard has(key) else { return nil }
        if case .object = self[key]! { return try matrixField(key) }
        return try optionalMatrix(key, columns: columns).map { .dense($0) }
    }
}

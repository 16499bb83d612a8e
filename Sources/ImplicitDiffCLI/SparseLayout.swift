import ImplicitDiff

/// The coordinate layout of a matrix field given in the contract's sparse form
/// (`{"shape": [r, c], "rows": [...], "cols": [...], "values": [...]}`): its shape, its
/// coordinate lists exactly as given (any order, duplicates allowed) and their map to
/// the compressed-column storage of the ``SparseMatrix`` that is solved with.
///
/// A gradient with respect to such a field is returned on this layout, entry by entry
/// in the caller's order (a duplicate gets the derivative with respect to the matrix
/// entry it adds to); a tangent gives one value per coordinate entry.
public struct SparseLayout: Sendable, Equatable {
    /// `[rows, columns]`.
    public let shape: [Int]
    /// Row index of each coordinate entry, as given.
    public let rowIndices: [Int]
    /// Column index of each coordinate entry, as given.
    public let columnIndices: [Int]
    /// Coordinate entries -> storage slots.
    public let pattern: SparsePattern

    /// The layout of checked, in-range coordinate lists.
    public init(rows: Int, columns: Int, rowIndices: [Int], columnIndices: [Int]) {
        shape = [rows, columns]
        self.rowIndices = rowIndices
        self.columnIndices = columnIndices
        pattern = SparsePattern(rows: rows, columns: columns, rowIndices: rowIndices, columnIndices: columnIndices)
    }

    /// Number of coordinate entries (duplicates counted): the length of a gradient or tangent.
    public var entryCount: Int { rowIndices.count }

    /// The coordinate JSON of `values` (one per entry) on this layout.
    public func json(values: [Double]) -> JSON {
        .object(JSONObject([
            ("shape", .array(shape.map { .number(Double($0)) })),
            ("rows", .array(rowIndices.map { .number(Double($0)) })),
            ("cols", .array(columnIndices.map { .number(Double($0)) })),
            ("values", values.isEmpty ? .array([]) : .numbers(values)),
        ]))
    }
}

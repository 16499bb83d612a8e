/// The map from a list of coordinates `(rowIndices[k], columnIndices[k])`, in any order and
/// with duplicates, to the compressed-column storage of a ``SparseMatrix``: entry `k` of
/// the list is stored in slot ``slots``[k], and duplicates share a slot (their values are
/// summed).
///
/// A sparse parameter given as coordinates keeps its caller's layout through this map:
/// ``matrix(values:)`` builds the matrix from values in the list's order, ``gather(_:)``
/// turns storage-order values (a gradient on the pattern) back into the list's order, and
/// ``scatter(_:)`` sums list-order values (a tangent) into storage order. Since a
/// duplicate entry `k` enters the matrix as `A_ij += v_k`, the derivative with respect
/// to `v_k` is that with respect to `A_ij`: ``gather(_:)`` is the exact adjoint of
/// ``scatter(_:)``.
public struct SparsePattern: Sendable, Equatable, Hashable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Compressed-column offsets of the deduplicated pattern.
    public let columnStart: [Int]
    /// Row index of each storage slot, increasing within each column.
    public let rowIndices: [Int]
    /// Storage slot of each coordinate entry, in the list's order.
    public let slots: [Int]

    /// Number of coordinate entries (duplicates counted).
    public var entryCount: Int { slots.count }
    /// Number of storage slots (distinct positions).
    public var slotCount: Int { rowIndices.count }

    /// The pattern of a coordinate list whose indices are in range (checked by the caller;
    /// ``SparseMatrix/init(rows:columns:rowIndices:columnIndices:values:)`` checks them).
    /// Two counting sorts, by row then stably by column: `O(count + rows + columns)`.
    public init(rows: Int, columns: Int, rowIndices ri: [Int], columnIndices ci: [Int]) {
        precondition(ri.count == ci.count, "SparsePattern: \(ri.count) row and \(ci.count) column indices")
        let count = ri.count
        // Sort by row (counting sort), then stably by column: entries end up column-major
        // with rows non-decreasing inside each column.
        var rowStart = [Int](repeating: 0, count: rows + 1)
        for i in ri { rowStart[i + 1] += 1 }
        for i in 0..<rows { rowStart[i + 1] += rowStart[i] }
        var byRow = [Int](repeating: 0, count: count)
        var next = rowStart
        for k in 0..<count { byRow[next[ri[k]]] = k; next[ri[k]] += 1 }
        var colStart = [Int](repeating: 0, count: columns + 1)
        for j in ci { colStart[j + 1] += 1 }
        for j in 0..<columns { colStart[j + 1] += colStart[j] }
        var order = [Int](repeating: 0, count: count)
        next = colStart
        for k in byRow { order[next[ci[k]]] = k; next[ci[k]] += 1 }
        // Merge duplicates (adjacent after the sort) into slots.
        var slots = [Int](repeating: 0, count: count)
        var start = [Int](repeating: 0, count: columns + 1)
        var rowIndex = [Int]()
        rowIndex.reserveCapacity(count)
        for j in 0..<columns {
            var previous = -1
            for p in colStart[j]..<colStart[j + 1] {
                let k = order[p]
                if ri[k] != previous { rowIndex.append(ri[k]); previous = ri[k] }
                slots[k] = rowIndex.count - 1
            }
            start[j + 1] = rowIndex.count
        }
        self.rows = rows
        self.columns = columns
        self.columnStart = start
        self.rowIndices = rowIndex
        self.slots = slots
    }

    /// The matrix whose entry `k` of the list has value `values[k]` (duplicates summed).
    public func matrix(values: [Double]) -> SparseMatrix {
        SparseMatrix(unchecked: rows, columns, columnStart, rowIndices, scatter(values))
    }

    /// List-order values summed into storage order (a tangent on the coordinates becomes a
    /// tangent on the matrix's stored values).
    public func scatter(_ values: [Double]) -> [Double] {
        precondition(values.count == slots.count, "SparsePattern.scatter: \(values.count) values for \(slots.count) entries")
        var stored = [Double](repeating: 0, count: rowIndices.count)
        for k in slots.indices { stored[slots[k]] += values[k] }
        return stored
    }

    /// Storage-order values read out in the list's order (a gradient on the stored values
    /// becomes a gradient on the coordinates; duplicates get the same value).
    public func gather(_ stored: [Double]) -> [Double] {
        precondition(stored.count == rowIndices.count, "SparsePattern.gather: \(stored.count) values for \(rowIndices.count) slots")
        return slots.map { stored[$0] }
    }
}

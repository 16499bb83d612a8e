/// A sparse matrix in compressed-row form (0-based), the constraint matrix of the
/// solver's form of a linear program. Not API.
struct LPSparseRows: Sendable, Equatable {
    let rowCount: Int
    let columnCount: Int
    /// Row `i` holds entries `rowStart[i] ..< rowStart[i + 1]`.
    let rowStart: [Int]
    let columnIndices: [Int]
    let values: [Double]

    init(rowCount: Int, columnCount: Int, rowStart: [Int], columnIndices: [Int], values: [Double]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowStart = rowStart
        self.columnIndices = columnIndices
        self.values = values
    }

    /// The nonzero entries of the rows of dense matrices stacked on top of each other.
    init(stacking blocks: [Matrix], columns: Int) {
        var start = [0], cols = [Int](), vals = [Double]()
        for m in blocks {
            m.scalars.withUnsafeBufferPointer { s in
                for i in 0..<m.rows {
                    for j in 0..<m.columns where s[i * m.columns + j] != 0 {
                        cols.append(j)
                        vals.append(s[i * m.columns + j])
                    }
                    start.append(cols.count)
                }
            }
        }
        self.init(rowCount: start.count - 1, columnCount: columns, rowStart: start, columnIndices: cols, values: vals)
    }

    /// The rows `indices`, in that order.
    func selectingRows(_ indices: [Int]) -> LPSparseRows {
        var start = [0], cols = [Int](), vals = [Double]()
        for i in indices {
            cols.append(contentsOf: columnIndices[rowStart[i]..<rowStart[i + 1]])
            vals.append(contentsOf: values[rowStart[i]..<rowStart[i + 1]])
            start.append(cols.count)
        }
        return LPSparseRows(rowCount: indices.count, columnCount: columnCount, rowStart: start, columnIndices: cols, values: vals)
    }

    /// `K x`.
    func times(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: rowCount)
        for i in 0..<rowCount {
            var s = 0.0
            for e in rowStart[i]..<rowStart[i + 1] { s += values[e] * x[columnIndices[e]] }
            y[i] = s
        }
        return y
    }

    /// `sum_j |K_ij x_j|` for every row: the scale of row `i`'s activity.
    func absoluteTimes(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: rowCount)
        for i in 0..<rowCount {
            var s = 0.0
            for e in rowStart[i]..<rowStart[i + 1] { s += abs(values[e] * x[columnIndices[e]]) }
            y[i] = s
        }
        return y
    }

    /// `K' y`.
    func transposedTimes(_ y: [Double]) -> [Double] {
        var x = [Double](repeating: 0, count: columnCount)
        for i in 0..<rowCount where y[i] != 0 {
            for e in rowStart[i]..<rowStart[i + 1] { x[columnIndices[e]] += values[e] * y[i] }
        }
        return x
    }

    /// `sum_i |K_ij y_i|` for every column.
    func absoluteTransposedTimes(_ y: [Double]) -> [Double] {
        var x = [Double](repeating: 0, count: columnCount)
        for i in 0..<rowCount where y[i] != 0 {
            for e in rowStart[i]..<rowStart[i + 1] { x[columnIndices[e]] += abs(values[e] * y[i]) }
        }
        return x
    }

    /// `max_i |K_ij|` for every column.
    var columnMaxNorms: [Double] {
        var out = [Double](repeating: 0, count: columnCount)
        for e in 0..<values.count { out[columnIndices[e]] = Swift.max(out[columnIndices[e]], abs(values[e])) }
        return out
    }

    /// `max_j |K_ij|` for every row.
    var rowMaxNorms: [Double] {
        (0..<rowCount).map { i in (rowStart[i]..<rowStart[i + 1]).reduce(0) { Swift.max($0, abs(values[$1])) } }
    }
}

/// Loops over row-major `[Double]` matrices that BLAS has no routine for. Not API
/// (underscored module).
public enum RowMajor {
    /// The transpose of a row-major `rows x columns` matrix.
    @inlinable
    public static func transpose(_ m: [Double], rows: Int, columns: Int) -> [Double] {
        var t = [Double](repeating: 0, count: m.count)
        m.withUnsafeBufferPointer { mp in
            t.withUnsafeMutableBufferPointer { tp in
                for i in 0..<rows {
                    for j in 0..<columns { tp[j * rows + i] = mp[i * columns + j] }
                }
            }
        }
        return t
    }

    /// The 1-norm (max column sum) of a symmetric matrix given in full row-major storage.
    @inlinable
    public static func symmetricNorm1(_ a: [Double], n: Int) -> Double {
        var best = 0.0
        a.withUnsafeBufferPointer { ap in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += abs(ap[i * n + j]) }
                best = Swift.max(best, s)
            }
        }
        return best
    }
}

// The two sparse kernels of a least-squares loss over a sparse design (see DesignMatrix).

extension SparseMatrix {
    /// `X_S'X_S` (`|S| x |S|`, dense) for the column list `S`: column `a` is scattered into
    /// an `N`-vector once, dotted with the stored entries of every later column `b`, then
    /// cleared, so the cost is `O(|S| nnz(X_S))` with one `N`-vector of workspace.
    func gramBlock(_ indices: [Int]) -> Matrix {
        let k = indices.count
        var block = [Double](repeating: 0, count: k * k)
        var work = [Double](repeating: 0, count: rows)
        rowIndices.withUnsafeBufferPointer { ri in
            values.withUnsafeBufferPointer { va in
                work.withUnsafeMutableBufferPointer { buf in
                    for (a, i) in indices.enumerated() {
                        let start = columnStart[i], end = columnStart[i + 1]
                        for e in start..<end { buf[ri[e]] = va[e] }
                        for b in a..<k {
                            let j = indices[b]
                            var s = 0.0
                            for e in columnStart[j]..<columnStart[j + 1] { s += buf[ri[e]] * va[e] }
                            block[a * k + b] = s
                            block[b * k + a] = s
                        }
                        for e in start..<end { buf[ri[e]] = 0 }
                    }
                }
            }
        }
        return Matrix(rows: k, columns: k, scalars: block)
    }

    /// `(r a' + s b')_ij` at every stored `(i, j)`, in storage order: the gradient of
    /// `r'X a + s'X b` with respect to the stored values, in one pass (`O(nnz)`).
    func patternGradient(left r: Vector, right a: Vector, left s: Vector, right b: Vector) -> [Double] {
        precondition(r.count == rows && s.count == rows && a.count == columns && b.count == columns,
                     "SparseMatrix.patternGradient: shapes do not fit")
        return [Double](unsafeUninitializedCapacity: values.count) { out, initialized in
            rowIndices.withUnsafeBufferPointer { ri in
                r.scalars.withUnsafeBufferPointer { rp in
                    s.scalars.withUnsafeBufferPointer { sp in
                        for j in 0..<columns {
                            let aj = a[j], bj = b[j]
                            for e in columnStart[j]..<columnStart[j + 1] {
                                let i = ri[e]
                                out[e] = rp[i] * aj + sp[i] * bj
                            }
                        }
                    }
                }
            }
            initialized = values.count
        }
    }
}

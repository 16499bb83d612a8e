/// The LU factorisation of an LP basis matrix `M` after exact equilibration. Not API.
///
/// ```
/// M~ = D_r M D_c,   M^-1 b = D_c M~^-1 (D_r b),   M^-T b = D_r M~^-T (D_c b)
/// ```
/// with `D_r`, `D_c` diagonal powers of two (so the scaling is exact) from
/// `LPSparseRows.equilibration()` (geometric-mean rounds, then rows and columns of
/// max-norm in `[1, 2)`). The
/// singularity test of `LUFactorization` (reciprocal 1-norm condition estimate below
/// `n ulp`) is then made on `M~`: it is not fooled by rows or columns of very different
/// magnitudes (an LP whose rows and columns are scaled by `2^+-30` has a basis with a
/// 1-norm condition estimate of `1e20` that equilibration brings back to that of the
/// unscaled LP), while a basis that is singular up to a diagonal scaling still fails.
struct LPBasisLU: Sendable {
    let lu: LUFactorization
    /// `D_r` and `D_c`.
    let rowScale: [Double]
    let columnScale: [Double]

    var dimension: Int { lu.dimension }

    /// Equilibrates and factorises `m` (square; consumed, so that the scaling happens in
    /// place); throws what `LUFactorization` throws.
    init(_ m: consuming Matrix) throws {
        let n = m.rows
        var scaled = m
        var rows = [Double](repeating: 1, count: n), columns = [Double](repeating: 1, count: n)
        if n > 0 && n == scaled.columns {
            scaled.scalars.withUnsafeMutableBufferPointer { a in
                (rows, columns) = Self.equilibrate(a, n)
            }
        }
        lu = try LUFactorization(scaled)
        rowScale = rows
        columnScale = columns
    }

    /// Scales the dense row-major `n x n` matrix `a` in place by powers of two, as
    /// `LPSparseRows.equilibration()` does (up to eight geometric-mean rounds, then one
    /// max-norm round), and returns `(D_r, D_c)`.
    private static func equilibrate(_ a: UnsafeMutableBufferPointer<Double>, _ n: Int) -> ([Double], [Double]) {
        var rows = [Double](repeating: 1, count: n), columns = [Double](repeating: 1, count: n)
        let factor = LPSparseRows.equilibrationFactor
        func round(geometric: Bool) -> Bool {
            var changed = false
            for i in 0..<n {
                var small = Double.infinity, large = 0.0
                for j in 0..<n where a[i * n + j] != 0 {
                    let v = abs(a[i * n + j])
                    small = min(small, v)
                    large = max(large, v)
                }
                let f = factor(geometric ? small : nil, large)
                if f != 1 {
                    rows[i] *= f
                    for j in 0..<n { a[i * n + j] *= f }
                    changed = true
                }
            }
            var small = [Double](repeating: .infinity, count: n), large = [Double](repeating: 0, count: n)
            for i in 0..<n {
                for j in 0..<n where a[i * n + j] != 0 {
                    let v = abs(a[i * n + j])
                    small[j] = min(small[j], v)
                    large[j] = max(large[j], v)
                }
            }
            var f = [Double](repeating: 1, count: n)
            for j in 0..<n {
                f[j] = factor(geometric ? small[j] : nil, large[j])
                if f[j] != 1 {
                    columns[j] *= f[j]
                    changed = true
                }
            }
            if changed {
                for i in 0..<n {
                    for j in 0..<n where f[j] != 1 { a[i * n + j] *= f[j] }
                }
            }
            return changed
        }
        for _ in 0..<8 {
            if !round(geometric: true) { break }
        }
        _ = round(geometric: false)
        return (rows, columns)
    }

    /// `M^-1 b`.
    func solve(_ b: Vector) -> Vector {
        let x = lu.solve(Vector((0..<b.count).map { b[$0] * rowScale[$0] }))
        return Vector((0..<x.count).map { x[$0] * columnScale[$0] })
    }

    /// `M^-T b`.
    func solveTransposed(_ b: Vector) -> Vector {
        let x = lu.solveTransposed(Vector((0..<b.count).map { b[$0] * columnScale[$0] }))
        return Vector((0..<x.count).map { x[$0] * rowScale[$0] })
    }

    /// `M^-1 B` for a block of right-hand sides.
    func solve(_ b: Matrix) -> Matrix {
        Self.scaleRows(lu.solve(Self.scaleRows(b, rowScale)), columnScale)
    }

    /// `M^-T B` for a block of right-hand sides.
    func solveTransposed(_ b: Matrix) -> Matrix {
        Self.scaleRows(lu.solveTransposed(Self.scaleRows(b, columnScale)), rowScale)
    }

    private static func scaleRows(_ b: Matrix, _ s: [Double]) -> Matrix {
        var out = b
        let k = b.columns
        for i in 0..<b.rows where s[i] != 1 {
            for j in 0..<k { out.scalars[i * k + j] *= s[i] }
        }
        return out
    }
}

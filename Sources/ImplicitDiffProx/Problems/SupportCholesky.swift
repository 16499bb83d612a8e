import ImplicitDiffCore
import _ImplicitDiffKernels

/// The Cholesky factor `L` (`L L' = X_S'X_S`) of a support `S` that changes one coordinate
/// at a time, updated instead of recomputed: `O(|S|^2)` per change instead of `|S|^3 / 3`.
///
/// * Appending coordinate `j` with cross products `b = X_S'x_j` and `c = x_j'x_j`: the new
///   row is `[l', delta]` with `L l = b` (forward substitution) and
///   `delta = sqrt(c - l'l)`. A pivot `delta^2 <= pivotTolerance * c` means `x_j` is (to
///   rounding) in the span of `X_S`: the append is refused and `L` is unchanged.
/// * Removing position `a`: the rows of `L` without row `a` factor `X_S'X_S` without row
///   and column `a`, but have one entry above the diagonal from row `a` on; Givens
///   rotations of the columns `(t, t + 1)`, `t = a, a + 1, ...` remove it, and the last
///   column (then zero) is dropped. Rotations are orthogonal, so this is backward stable.
///
/// The active-set finish of the lasso makes hundreds of such changes on supports of a
/// thousand coordinates; it refactorises from scratch when ``refreshDue``
/// so that rounding does not accumulate.
struct SupportCholesky {
    /// Order `|S|`.
    private(set) var size: Int
    /// `L`, row-major with leading dimension ``capacity`` (rows and columns beyond `size`
    /// unused), lower triangle; room is doubled when full, so an append copies nothing.
    private var factor: [Double]
    /// Rows (and columns) allocated.
    private var capacity: Int
    /// Changes since the last factorisation from scratch.
    private(set) var changes = 0

    /// A pivot below `pivotTolerance` times the column's squared norm counts as zero: a
    /// reciprocal condition below about 1e-12.
    static let pivotTolerance = 1e-12

    /// Changes after which the caller should refactorise from scratch: `max(64, |S|)`, so
    /// the refactorisations (`|S|^3 / 3` each) cost no more than the updates (`|S|^2`).
    var refreshDue: Bool { changes >= Swift.max(64, size) }

    /// The factor of a symmetric positive definite `gram` (`nil` when it is not, to
    /// working precision: `dpotrf` fails or a pivot is below the tolerance).
    init?(gram: Matrix) {
        let k = gram.rows
        size = k
        capacity = k
        factor = gram.scalars
        if k == 0 { return }
        // The row-major lower triangle is the column-major upper one.
        guard LAPACK.choleskyLowerInPlace(&factor, n: k) else { return nil }
        for i in 0..<k {
            for j in (i + 1)..<k { factor[i * k + j] = 0 }
            let pivot = factor[i * k + i]
            guard pivot * pivot > Self.pivotTolerance * gram[i, i] else { return nil }
        }
    }

    /// Solves `L v = b` (forward substitution, BLAS `dtrsv`).
    private func forward(_ b: [Double]) -> [Double] {
        var v = b
        BLAS.triangularSolve(factor, n: size, leadingDimension: capacity, &v, transposed: false)
        return v
    }

    /// `(X_S'X_S)^-1 r = L'^-1 L^-1 r`.
    func solve(_ r: [Double]) -> [Double] {
        var v = forward(r)
        BLAS.triangularSolve(factor, n: size, leadingDimension: capacity, &v, transposed: true)
        return v
    }

    /// Appends a coordinate with cross products `cross = X_S'x_j` (in the order of `S`)
    /// and `diagonal = x_j'x_j`; `false` (and no change) when `x_j` is numerically in the
    /// span of the columns already in.
    mutating func append(cross: [Double], diagonal: Double) -> Bool {
        precondition(cross.count == size, "SupportCholesky.append: \(cross.count) cross products for order \(size)")
        let l = forward(cross)
        let pivot2 = diagonal - l.reduce(0) { $0 + $1 * $1 }
        guard diagonal > 0, pivot2 > Self.pivotTolerance * diagonal else { return false }
        let k = size
        if k == capacity {
            let grown = Swift.max(8, 2 * capacity)
            var copy = [Double](repeating: 0, count: grown * grown)
            for i in 0..<k { for j in 0...i { copy[i * grown + j] = factor[i * capacity + j] } }
            factor = copy
            capacity = grown
        }
        let c = capacity
        for j in 0..<k { factor[k * c + j] = l[j] }
        factor[k * c + k] = pivot2.squareRoot()
        size = k + 1
        changes += 1
        return true
    }

    /// Removes the coordinate at position `a` of `S`.
    mutating func remove(at a: Int) {
        let k = size, m = k - 1, c = capacity
        precondition((0..<k).contains(a), "SupportCholesky.remove: position \(a) of \(k)")
        factor.withUnsafeMutableBufferPointer { f in
            // Rows below a move up one: rows t >= a now have entries up to column t + 1
            // (one above the diagonal).
            for t in a..<m {
                for j in 0...(t + 1) { f[t * c + j] = f[(t + 1) * c + j] }
            }
            // Rotate columns (t, t + 1) to zero the entry above the diagonal in row t.
            for t in a..<m {
                let x = f[t * c + t], y = f[t * c + t + 1]
                if y == 0 { continue }
                let r = (x * x + y * y).squareRoot()
                let cs = x / r, sn = y / r
                for i in t..<m {
                    let p = f[i * c + t], q = f[i * c + t + 1]
                    f[i * c + t] = cs * p + sn * q
                    f[i * c + t + 1] = -sn * p + cs * q
                }
            }
            // Column m (now zero in rows < m) and row m leave the factor.
            for i in 0..<k { f[i * c + m] = 0 }
            for j in 0..<k { f[m * c + j] = 0 }
            // A skipped rotation may leave a negative diagonal: flip that column's sign
            // (L D with D = diag(+-1) has the same L D D L' = L L').
            for j in 0..<m where f[j * c + j] < 0 {
                for i in j..<m { f[i * c + j] = -f[i * c + j] }
            }
        }
        size = m
        changes += 1
    }
}

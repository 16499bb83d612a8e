/// A square tridiagonal matrix, stored by its three diagonals:
/// ```
///     [ d_0  u_0                    ]
///     [ l_0  d_1  u_1               ]
/// A = [      l_1  d_2  ...          ]        a_ii = d_i, a_(i+1)i = l_i, a_i(i+1) = u_i
///     [           ...  ...  u_(n-2) ]
///     [           l_(n-2)  d_(n-1)  ]
/// ```
/// The Jacobian of any residual whose `i`-th entry depends only on `y_(i-1)`, `y_i`,
/// `y_(i+1)` (1-D finite differences such as Bratu's problem) and of elementwise residuals
/// (`l = u = 0`). Products cost `O(n)` and ``factorized()`` gives a
/// ``TridiagonalFactorization`` in `O(n)` (LAPACK `dgttrf`), so Newton's method on such
/// systems runs in linear time per iteration.
public struct TridiagonalMatrix: JacobianMatrix, Equatable {
    /// `l`: the `n - 1` entries below the diagonal, `l_i = a_(i+1)i`.
    public private(set) var subdiagonal: [Double]
    /// `d`: the `n` diagonal entries.
    public private(set) var diagonal: [Double]
    /// `u`: the `n - 1` entries above the diagonal, `u_i = a_i(i+1)`.
    public private(set) var superdiagonal: [Double]

    /// A tridiagonal matrix from its diagonals.
    ///
    /// - Throws: `LinearAlgebraError.dimensionMismatch(_:)` unless both off-diagonals
    ///   have `diagonal.count - 1` entries (none when `diagonal` is empty).
    public init(subdiagonal: [Double], diagonal: [Double], superdiagonal: [Double]) throws {
        let off = Swift.max(diagonal.count - 1, 0)
        guard subdiagonal.count == off, superdiagonal.count == off else {
            throw LinearAlgebraError.dimensionMismatch(
                "tridiagonal matrix of order \(diagonal.count) needs \(off) entries on each off-diagonal, got \(subdiagonal.count) below and \(superdiagonal.count) above")
        }
        self.subdiagonal = subdiagonal
        self.diagonal = diagonal
        self.superdiagonal = superdiagonal
    }

    /// A tridiagonal matrix from diagonals of the right lengths (not checked). Not API.
    init(uncheckedSubdiagonal subdiagonal: [Double], diagonal: [Double], superdiagonal: [Double]) {
        self.subdiagonal = subdiagonal
        self.diagonal = diagonal
        self.superdiagonal = superdiagonal
    }

    /// The diagonal matrix `diag(d)` (both off-diagonals zero).
    public init(diagonal: [Double]) {
        let off = Swift.max(diagonal.count - 1, 0)
        self.subdiagonal = Array(repeating: 0, count: off)
        self.diagonal = diagonal
        self.superdiagonal = Array(repeating: 0, count: off)
    }

    /// The order `n`.
    public var order: Int { diagonal.count }
    public var rowCount: Int { diagonal.count }
    public var columnCount: Int { diagonal.count }

    /// Whether every entry is finite.
    public var isFinite: Bool {
        diagonal.allSatisfy(\.isFinite) && subdiagonal.allSatisfy(\.isFinite) && superdiagonal.allSatisfy(\.isFinite)
    }

    /// `A v` in `O(n)`.
    public func apply(_ v: Vector) -> Vector {
        Self.product(lower: subdiagonal, diagonal: diagonal, upper: superdiagonal, v, absolute: false)
    }

    /// `A' v` in `O(n)` (the off-diagonals swap roles).
    public func applyTransposed(_ v: Vector) -> Vector {
        Self.product(lower: superdiagonal, diagonal: diagonal, upper: subdiagonal, v, absolute: false)
    }

    /// `|A| v` in `O(n)`.
    public func absoluteProduct(_ v: Vector) -> Vector {
        Self.product(lower: subdiagonal, diagonal: diagonal, upper: superdiagonal, v, absolute: true)
    }

    /// `|A| 1` in `O(n)`, the same sums as ``absoluteProduct(_:)`` of a vector of ones.
    public func absoluteRowSums() -> Vector {
        let n = order
        var out = [Double](repeating: 0, count: n)
        subdiagonal.withUnsafeBufferPointer { l in
            diagonal.withUnsafeBufferPointer { d in
                superdiagonal.withUnsafeBufferPointer { u in
                    out.withUnsafeMutableBufferPointer { y in
                        for i in 0..<n { y[i] = abs(d[i]) }
                        for i in 0..<Swift.max(n - 1, 0) {
                            y[i] += abs(u[i])
                            y[i + 1] += abs(l[i])
                        }
                    }
                }
            }
        }
        return Vector(out)
    }

    /// The `O(n)` LU factorisation with partial pivoting; the condition estimate is left
    /// for ``TridiagonalFactorization/reciprocalConditionEstimate()`` (or use
    /// ``JacobianMatrix/nonsingularFactorization()``).
    public func factorized() throws -> TridiagonalFactorization {
        try TridiagonalFactorization(self, estimatingCondition: false)
    }

    /// The dense `n x n` matrix (for tests and small problems).
    public var dense: Matrix {
        let n = order
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n {
            m[i, i] = diagonal[i]
            if i + 1 < n {
                m[i + 1, i] = subdiagonal[i]
                m[i, i + 1] = superdiagonal[i]
            }
        }
        return m
    }

    /// `y_i = l_(i-1) v_(i-1) + d_i v_i + u_i v_(i+1)`, optionally with `|l|, |d|, |u|`.
    static func product(lower: [Double], diagonal: [Double], upper: [Double], _ v: Vector, absolute: Bool) -> Vector {
        let n = diagonal.count
        precondition(v.count == n || v.scalars.isEmpty, "tridiagonal product: vector of length \(v.count) for order \(n)")
        if v.scalars.isEmpty { return .zeros(n) }
        var out = [Double](repeating: 0, count: n)
        lower.withUnsafeBufferPointer { l in
            diagonal.withUnsafeBufferPointer { d in
                upper.withUnsafeBufferPointer { u in
                    v.scalars.withUnsafeBufferPointer { x in
                        out.withUnsafeMutableBufferPointer { y in
                            if absolute {
                                for i in 0..<n { y[i] = abs(d[i]) * x[i] }
                                for i in 0..<(n - 1) {
                                    y[i] += abs(u[i]) * x[i + 1]
                                    y[i + 1] += abs(l[i]) * x[i]
                                }
                            } else {
                                for i in 0..<n { y[i] = d[i] * x[i] }
                                for i in 0..<(n - 1) {
                                    y[i] += u[i] * x[i + 1]
                                    y[i + 1] += l[i] * x[i]
                                }
                            }
                        }
                    }
                }
            }
        }
        return Vector(out)
    }
}

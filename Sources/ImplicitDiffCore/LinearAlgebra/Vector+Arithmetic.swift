import _Differentiation
import _ImplicitDiffKernels

// Elementwise arithmetic. Every binary operation treats the empty vector as zeros
// of the other operand's length (the additive identity of `Vector`), and traps
// on two non-empty operands of different lengths: that is a programming error,
// like an out-of-range index.

extension Vector: AdditiveArithmetic {
    /// The additive identity: the empty vector, zero of every length.
    @inlinable
    public static var zero: Vector { Vector([]) }

    @inlinable
    public static func + (lhs: Vector, rhs: Vector) -> Vector {
        if lhs.scalars.isEmpty { return rhs }
        if rhs.scalars.isEmpty { return lhs }
        return combine(lhs, rhs) { $0 + $1 }
    }

    @inlinable
    public static func - (lhs: Vector, rhs: Vector) -> Vector {
        if rhs.scalars.isEmpty { return lhs }
        if lhs.scalars.isEmpty { return -rhs }
        return combine(lhs, rhs) { $0 - $1 }
    }

    @inlinable
    public static func += (lhs: inout Vector, rhs: Vector) { lhs = lhs + rhs }

    @inlinable
    public static func -= (lhs: inout Vector, rhs: Vector) { lhs = lhs - rhs }
}

extension Vector {
    /// Elementwise combination of two vectors of equal length. Not API.
    @inlinable
    static func combine(_ a: Vector, _ b: Vector, _ op: (Double, Double) -> Double) -> Vector {
        precondition(a.count == b.count, "Vector lengths \(a.count) and \(b.count) differ")
        var out = [Double](repeating: 0, count: a.count)
        a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                for i in 0..<ap.count { out[i] = op(ap[i], bp[i]) }
            }
        }
        return Vector(out)
    }

    /// `-v`.
    @inlinable
    public static prefix func - (v: Vector) -> Vector { Vector(v.scalars.map { -$0 }) }

    /// Elementwise (Hadamard) product `a_i b_i`.
    @inlinable
    public static func * (lhs: Vector, rhs: Vector) -> Vector {
        if lhs.scalars.isEmpty || rhs.scalars.isEmpty { return .zero }
        return combine(lhs, rhs) { $0 * $1 }
    }

    /// Elementwise quotient `a_i / b_i`.
    @inlinable
    public static func / (lhs: Vector, rhs: Vector) -> Vector {
        combine(lhs.materialized(count: rhs.count), rhs) { $0 / $1 }
    }

    /// `s v`.
    @inlinable
    public static func * (lhs: Double, rhs: Vector) -> Vector { Vector(rhs.scalars.map { lhs * $0 }) }

    /// `v s`.
    @inlinable
    public static func * (lhs: Vector, rhs: Double) -> Vector { rhs * lhs }

    /// `v / s`.
    @inlinable
    public static func / (lhs: Vector, rhs: Double) -> Vector { Vector(lhs.scalars.map { $0 / rhs }) }

    /// `v_i + s` for every entry.
    @inlinable
    public static func + (lhs: Vector, rhs: Double) -> Vector { Vector(lhs.scalars.map { $0 + rhs }) }

    /// `v_i - s` for every entry.
    @inlinable
    public static func - (lhs: Vector, rhs: Double) -> Vector { Vector(lhs.scalars.map { $0 - rhs }) }

    /// `s - v_i` for every entry.
    @inlinable
    public static func - (lhs: Double, rhs: Vector) -> Vector { Vector(rhs.scalars.map { lhs - $0 }) }

    /// `sum_i v_i`.
    @inlinable
    public func sum() -> Double { scalars.reduce(0, +) }

    /// `sum_i a_i b_i`.
    @inlinable
    public func dot(_ other: Vector) -> Double {
        if scalars.isEmpty || other.scalars.isEmpty { return 0 }
        return BLAS.dot(scalars, other.scalars)
    }

    /// `sum_i v_i^2`.
    @inlinable
    public func squaredNorm() -> Double { dot(self) }

    /// Entry `i`, differentiable.
    @inlinable
    public func element(_ i: Int) -> Double { scalars[i] }

    /// Entries `range`, differentiable.
    @inlinable
    public func entries(_ range: Range<Int>) -> Vector { slice(range) }

    /// `[self, other]`, differentiable.
    @inlinable
    public func concatenated(with other: Vector) -> Vector { Vector(scalars + other.scalars) }

    /// `y <- alpha x + y` in place (BLAS `daxpy`); an empty `self` becomes `alpha x`.
    @inlinable
    public mutating func add(_ x: Vector, scaledBy alpha: Double) {
        if scalars.isEmpty { scalars = [Double](repeating: 0, count: x.count) }
        BLAS.axpy(alpha, x.scalars, &scalars)
    }

    /// `v <- alpha v` in place (BLAS `dscal`); the empty vector stays empty.
    @inlinable
    public mutating func scale(by alpha: Double) {
        BLAS.scal(alpha, &scalars)
    }
}

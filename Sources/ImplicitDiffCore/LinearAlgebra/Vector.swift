import _Differentiation
import _ImplicitDiffKernels

/// A dense vector of `Double`: a value type backed by a contiguous array.
///
/// `Vector` is its own tangent space, so it can be the input and output of
/// differentiable functions (`Vector.TangentVector == Vector`).
///
/// The additive identity ``zero`` is the *empty* vector, which acts as zero of
/// every length: `v + .zero == v`. This is how Swift's AD represents "no
/// derivative yet" without knowing the length; every operation that receives an
/// empty tangent treats it as zeros of the right length.
@frozen
public struct Vector: Sendable, Equatable, Hashable {
    /// The entries, in order.
    public var scalars: [Double]

    /// A vector with the given entries.
    @inlinable
    public init(_ scalars: [Double]) { self.scalars = scalars }

    /// A vector of `count` copies of `value`.
    @inlinable
    public init(repeating value: Double, count: Int) {
        self.scalars = Array(repeating: value, count: count)
    }

    /// `count` zeros.
    @inlinable
    public static func zeros(_ count: Int) -> Vector { Vector(repeating: 0, count: count) }

    /// The `i`-th vector of the standard basis of length `count`.
    @inlinable
    public static func basis(_ i: Int, count: Int) -> Vector {
        var e = Vector.zeros(count)
        e.scalars[i] = 1
        return e
    }

    /// The number of entries.
    @inlinable
    public var count: Int { scalars.count }

    /// Whether every entry is finite (no NaN, no infinity).
    @inlinable
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }

    /// Entry `i` (differentiable: its pullback puts the cotangent at `i`).
    @inlinable
    public subscript(i: Int) -> Double {
        get { scalars[i] }
        set { scalars[i] = newValue }
    }

    /// The Euclidean norm, `sqrt(sum v_i^2)`, computed without overflow by BLAS `dnrm2`.
    @inlinable
    public var norm: Double { BLAS.nrm2(scalars) }

    /// The max-norm, `max |v_i|` (0 for the empty vector).
    @inlinable
    public var maxNorm: Double { scalars.reduce(0) { Swift.max($0, abs($1)) } }

    /// Entries `range` as a new vector.
    @inlinable
    public func slice(_ range: Range<Int>) -> Vector { Vector(Array(scalars[range])) }

    /// `self` with every entry replaced by `transform(entry)` (not differentiable).
    @inlinable
    public func map(_ transform: (Double) throws -> Double) rethrows -> Vector {
        Vector(try scalars.map(transform))
    }

    /// Expands the empty (zero) vector to `count` zeros; other vectors are returned as is.
    @inlinable
    public func materialized(count n: Int) -> Vector {
        scalars.isEmpty && n > 0 ? .zeros(n) : self
    }
}

extension Vector: ExpressibleByArrayLiteral {
    @inlinable
    public init(arrayLiteral elements: Double...) { self.init(elements) }
}

extension Vector: CustomStringConvertible {
    public var description: String { "Vector(\(scalars))" }
}

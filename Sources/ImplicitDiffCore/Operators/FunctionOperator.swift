/// A linear operator given by closures for `A v` and, optionally, `A' v`.
///
/// ```swift
/// let op = FunctionOperator(rows: n, columns: n, apply: { v in laplacian(v) }, applyTransposed: { v in laplacian(v) })
/// ```
/// Calling ``applyTransposed(_:)`` on an operator made without `applyTransposed` traps:
/// give it whenever a transpose-using method (LSQR, reverse-mode derivatives) may run.
public struct FunctionOperator: AdjointableLinearOperator, Sendable {
    public let rowCount: Int
    public let columnCount: Int
    @usableFromInline let forward: @Sendable (Vector) -> Vector
    @usableFromInline let transpose: (@Sendable (Vector) -> Vector)?

    /// An operator of the given shape from its product and (optionally) its transposed product.
    public init(rows: Int, columns: Int, apply: @escaping @Sendable (Vector) -> Vector,
                applyTransposed: (@Sendable (Vector) -> Vector)? = nil) {
        rowCount = rows
        columnCount = columns
        forward = apply
        transpose = applyTransposed
    }

    @inlinable
    public func apply(_ v: Vector) -> Vector { forward(v) }

    @inlinable
    public func applyTransposed(_ v: Vector) -> Vector {
        guard let t = transpose else {
            preconditionFailure("FunctionOperator: no transpose was given; pass applyTransposed:")
        }
        return t(v)
    }
}

/// The transpose `A'` of an adjointable operator, without forming it.
public struct TransposedOperator<Base: AdjointableLinearOperator>: AdjointableLinearOperator {
    /// The operator `A` whose transpose this is.
    public let base: Base
    /// The transpose of `base`.
    public init(_ base: Base) { self.base = base }
    public var rowCount: Int { base.columnCount }
    public var columnCount: Int { base.rowCount }
    public func apply(_ v: Vector) -> Vector { base.applyTransposed(v) }
    public func applyTransposed(_ v: Vector) -> Vector { base.apply(v) }
}
extension TransposedOperator: Sendable where Base: Sendable {}

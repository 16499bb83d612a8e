import Glibc
import _Differentiation

// Elementwise elementary functions, differentiable.
extension Vector {
    /// `exp(v_i)`.
    @inlinable
    public func exp() -> Vector { Vector(scalars.map { Glibc.exp($0) }) }

    /// `log(v_i)`.
    @inlinable
    public func log() -> Vector { Vector(scalars.map { Glibc.log($0) }) }

    /// `sqrt(v_i)`.
    @inlinable
    public func sqrt() -> Vector { Vector(scalars.map { Glibc.sqrt($0) }) }

    /// `v_i^2`.
    @inlinable @differentiable(reverse)
    public func squared() -> Vector { self * self }

    /// `v_i^p` for a constant exponent `p`.
    @inlinable
    public func pow(_ p: Double) -> Vector { Vector(scalars.map { Glibc.pow($0, p) }) }

    /// `tanh(v_i)`.
    @inlinable
    public func tanh() -> Vector { Vector(scalars.map { Glibc.tanh($0) }) }
}

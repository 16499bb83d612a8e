import _Differentiation

extension ImplicitFunction {
    /// `y(x)`, differentiable with respect to `x` through the implicit function theorem.
    ///
    /// Errors cannot cross Swift AD: inside ``withCheckedDerivatives(_:)`` a failure is
    /// recorded (and rethrown there) while NaNs stand in for the value; outside it a
    /// failure stops the program with the error's description.
    @differentiable(reverse, wrt: x)
    public func callAsFunction(_ x: Vector) -> Vector {
        do {
            return try value(at: x)
        } catch {
            return DerivativeFailures.fail(error, placeholderCount: x.count)
        }
    }

    @derivative(of: callAsFunction, wrt: x)
    public func _vjpCallAsFunction(_ x: Vector) -> (value: Vector, pullback: (Vector) -> Vector) {
        let n = x.count
        do {
            let (y, d) = try derivative(at: x)
            return (y, { ybar in
                do {
                    return try d.pullback(ybar)
                } catch {
                    return DerivativeFailures.fail(error, placeholderCount: n)
                }
            })
        } catch {
            let y = DerivativeFailures.fail(error, placeholderCount: n)
            return (y, { _ in Vector(repeating: .nan, count: n) })
        }
    }
}

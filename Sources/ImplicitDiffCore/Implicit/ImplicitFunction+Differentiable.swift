import _Differentiation

extension ImplicitFunction {
    /// `y(x)`, differentiable with respect to `x` through the implicit function theorem.
    ///
    /// Errors cannot cross Swift AD: inside ``withCheckedDerivatives(_:)`` a failure is
    /// recorded (and rethrown there) while NaNs stand in for the value; outside it a
    /// failure stops the program with the error's description. When the solver itself
    /// fails, the NaN placeholder has ``outputCount`` entries (`x.count` when that is not
    /// set); when only the derivative fails, it has the solution's length.
    @differentiable(reverse, wrt: x)
    public func callAsFunction(_ x: Vector) -> Vector {
        do {
            return try value(at: x)
        } catch {
            return DerivativeFailures.fail(error, placeholderCount: outputCount?(x) ?? x.count)
        }
    }

    @derivative(of: callAsFunction, wrt: x)
    public func _vjpCallAsFunction(_ x: Vector) -> (value: Vector, pullback: (Vector) -> Vector) {
        let n = x.count
        let y: Vector, byproduct: Byproduct
        do {
            (y, byproduct) = try solve(at: x)
        } catch {
            let placeholder = DerivativeFailures.fail(error, placeholderCount: outputCount?(x) ?? n)
            return (placeholder, { _ in Vector(repeating: .nan, count: n) })
        }
        do {
            let d = try derivative(at: x, solution: y, byproduct: byproduct)
            return (y, { ybar in
                do {
                    return try d.pullback(ybar)
                } catch {
                    return DerivativeFailures.fail(error, placeholderCount: n)
                }
            })
        } catch {
            _ = DerivativeFailures.fail(error, placeholderCount: y.count)
            return (Vector(repeating: .nan, count: y.count), { _ in Vector(repeating: .nan, count: n) })
        }
    }
}

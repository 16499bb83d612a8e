import _Differentiation

extension ImplicitFunction {
    /// `y(x)`, differentiable with respect to `x` through the implicit function theorem.
    ///
    /// Errors cannot cross Swift AD: inside ``withCheckedDerivatives(_:)`` a failure is
    /// recorded (and rethrown there) while NaNs stand in for the value; outside it a
    /// failure stops the program with the error's description. When the solver itself
    /// fails, the NaN placeholder has ``outputCount`` entries (`x.count` when that is not
    /// set); when only the derivative fails, it has the solution's length. The pullback of
    /// a failed call keeps the failure: whenever it is called it records the error in the
    /// checked scope active then, or stops the program when there is none, so a pullback
    /// kept past its scope never returns NaN silently.
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
            // The pullback keeps the failure: called later (outside this scope, or in
            // another), it fails again rather than returning NaN silently.
            return (placeholder, { _ in DerivativeFailures.fail(error, placeholderCount: n) })
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
            let placeholder = DerivativeFailures.fail(error, placeholderCount: y.count)
            return (placeholder, { _ in DerivativeFailures.fail(error, placeholderCount: n) })
        }
    }
}

/// The gradient condition of a ``SparseRidgeRegression`` on a fixed pattern,
/// `F(x, w) = X'(X w - y) + lambda w` with `x = [values(X), y, lambda]`, and its exact
/// matrix-free linearisation (``SparseRidgeSolution/linearization``).
public struct SparseRidgeConditions: ImplicitConditions {
    /// A problem with the pattern (its values are replaced by `x`).
    public let template: SparseRidgeRegression

    /// The conditions of problems on `template`'s pattern.
    public init(template: SparseRidgeRegression) { self.template = template }

    public func residual(x: Vector, y w: Vector, byproduct: Void) -> Vector {
        guard let p = try? template.withPacked(x), w.count == p.design.columns else {
            return Vector(repeating: .nan, count: w.count)
        }
        return p.gradientResidual(at: w)
    }

    public func linearize(x: Vector, y w: Vector, byproduct: Void) throws -> ConditionsLinearization {
        let p = try template.withPacked(x)
        return SparseRidgeSolution(problem: p, w: w, iterations: 0, certificate: p.certificate(at: w)).linearization
    }
}

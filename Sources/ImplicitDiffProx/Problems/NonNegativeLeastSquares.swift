/// Non-negative least squares,
/// ```
/// w = argmin_{w >= 0}  1/2 ||X w - y||^2,
/// ```
/// with parameters `theta = [vec(X), y]` (projected gradient: the prox is the projection
/// onto the orthant). On the support `S = {i : w_i > 0}` (strict complementarity:
/// `(X'(Xw - y))_i > 0` off `S`):
/// ```
/// w_S = (X_S'X_S)^-1 X_S'y,      dw_S/dy = (X_S'X_S)^-1 X_S'
/// ```
public typealias NonNegativeLeastSquares = ProximalProblem<LeastSquares, NonNegativeOrthant>

extension ProximalProblem where Smooth == LeastSquares, Prox == NonNegativeOrthant {
    /// - Throws: ``ProxError`` for mismatched shapes or non-finite data.
    public init(design: Matrix, targets: Vector, useGram: Bool? = nil) throws {
        try self.init(smooth: LeastSquares(design: design, targets: targets, useGram: useGram),
                      prox: NonNegativeOrthant())
    }
}

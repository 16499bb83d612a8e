/// Elastic-net regression,
/// ```
/// w = argmin_w  1/2 ||X w - y||^2 + lambda1 ||w||_1 + lambda2/2 ||w||^2,
/// ```
/// with parameters `theta = [vec(X), y, lambda1, lambda2]`. On the support `S`:
/// ```
/// w_S = (X_S'X_S + lambda2 I)^-1 (X_S'y - lambda1 s)
/// dw_S/dlambda1 = -(X_S'X_S + lambda2 I)^-1 s,     dw_S/dlambda2 = -(X_S'X_S + lambda2 I)^-1 w_S
/// ```
public typealias ElasticNetRegression = ProximalProblem<LeastSquares, ElasticNetPenalty>

extension ProximalProblem where Smooth == LeastSquares, Prox == ElasticNetPenalty {
    /// - Throws: ``ProxError`` for mismatched shapes, non-finite data or negative weights.
    public init(design: Matrix, targets: Vector, lambda1: Double, lambda2: Double, useGram: Bool? = nil) throws {
        try self.init(smooth: LeastSquares(design: design, targets: targets, useGram: useGram),
                      prox: ElasticNetPenalty(lambda1: lambda1, lambda2: lambda2))
    }
}

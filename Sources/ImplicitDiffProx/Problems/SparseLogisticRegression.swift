/// l1-regularised (sparse) logistic regression,
/// ```
/// w = argmin_w  sum_i [log(1 + exp(x_i'w)) - y_i x_i'w] + lambda ||w||_1,     y_i in [0, 1],
/// ```
/// with parameters `theta = [vec(X), y, lambda]`. On the support `S`:
/// `dw_S/dlambda = -(X_S' D X_S)^-1 sign(w_S)`, `D = diag(sigma(z)(1 - sigma(z)))`.
public typealias SparseLogisticRegression = ProximalProblem<LogisticLoss, L1Norm>

extension ProximalProblem where Smooth == LogisticLoss, Prox == L1Norm {
    /// - Throws: ``ProxError`` for mismatched shapes, non-finite data, labels outside
    ///   `[0, 1]` or `lambda < 0`.
    public init(design: Matrix, labels: Vector, lambda: Double) throws {
        try self.init(smooth: LogisticLoss(design: design, labels: labels), prox: L1Norm(lambda: lambda))
    }
}

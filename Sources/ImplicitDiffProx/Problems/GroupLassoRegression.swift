/// Group-lasso regression,
/// ```
/// w = argmin_w  1/2 ||X w - y||^2 + lambda sum_g omega_g ||w_g||_2,
/// ```
/// with parameters `theta = [vec(X), y, lambda]`. The prox Jacobian is a mask plus one
/// rank-one term per active group, so the derivative solves the general fixed-point
/// system `(I - J + eta J X'X) dw = -B dtheta`.
public typealias GroupLassoRegression = ProximalProblem<LeastSquares, GroupL2Norm>

extension ProximalProblem where Smooth == LeastSquares, Prox == GroupL2Norm {
    /// A group-lasso problem `1/2 ||X w - y||^2 + lambda sum_g omega_g ||w_g||_2`.
    ///
    /// - Parameters:
    ///   - design: `X` (`N x n`).
    ///   - targets: `y` (`N`).
    ///   - lambda: the penalty weight, `lambda >= 0`.
    ///   - groups: disjoint index sets (coordinates in no group are not penalised).
    ///   - weights: `omega_g > 0` (`nil`: all 1).
    ///   - useGram: whether to form `X'X` (see ``LeastSquares/init(design:targets:useGram:)``).
    /// - Throws: ``ProxError`` for mismatched shapes, non-finite data, bad groups or `lambda < 0`.
    public init(design: Matrix, targets: Vector, lambda: Double, groups: [[Int]], weights: [Double]? = nil,
                useGram: Bool? = nil) throws {
        try self.init(smooth: LeastSquares(design: design, targets: targets, useGram: useGram),
                      prox: GroupL2Norm(lambda: lambda, groups: groups, weights: weights))
    }
}

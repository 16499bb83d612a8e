/// The lasso,
/// ```
/// w(X, y, lambda) = argmin_w  1/2 ||X w - y||^2 + lambda ||w||_1,
/// ```
/// with parameters `theta = [vec(X) (row-major), y, lambda]`. On the support `S` with
/// signs `s = sign(w_S)` (strict complementarity: `|X_j'(y - Xw)| < lambda` off `S`):
/// ```
/// w_S = (X_S'X_S)^-1 (X_S'y - lambda s),      w_off = 0
/// dw_S/dlambda = -(X_S'X_S)^-1 s
/// dw_S/dy      =  (X_S'X_S)^-1 X_S'
/// dV/dX = r w',  dV/dy = -r,  dV/dlambda = ||w||_1      (r = Xw - y, envelope theorem)
/// ```
/// The solver's Newton polish solves exactly these restricted normal equations, and its
/// Cholesky factorisation of `X_S'X_S` is reused by every derivative.
public typealias Lasso = ProximalProblem<LeastSquares, L1Norm>

extension ProximalProblem where Smooth == LeastSquares, Prox == L1Norm {
    /// - Throws: ``ProxError`` for mismatched shapes, non-finite data or `lambda < 0`.
    public init(design: Matrix, targets: Vector, lambda: Double, useGram: Bool? = nil) throws {
        try self.init(smooth: LeastSquares(design: design, targets: targets, useGram: useGram),
                      prox: L1Norm(lambda: lambda))
    }

    /// `[vec(X), y, lambda] -> w` for `X` of shape `rows x columns`, as an
    /// `ImplicitFunction` usable inside `gradient(at:of:)`.
    public static func solutionMap(rows: Int, columns: Int, solverOptions: ProximalGradientOptions = .init(),
                                   options: ImplicitOptions = .init()) throws -> ImplicitFunction<ProximalGradientByproduct> {
        try Lasso(design: Matrix(rows: rows, columns: columns), targets: .zeros(rows), lambda: 1)
            .solutionMap(solverOptions: solverOptions, options: options)
    }
}

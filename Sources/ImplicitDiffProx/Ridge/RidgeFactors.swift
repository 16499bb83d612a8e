/// What the ridge solver hands to the derivative: `A = X'X + lambda I` and its
/// factorisation (Cholesky, or ``WideRidgeFactorization`` when `N < d`), reused as is.
public struct RidgeFactors: Sendable {
    /// `X'X + lambda I`.
    public let gram: Matrix
    /// Its factorisation.
    public let factorization: any Factorization
}

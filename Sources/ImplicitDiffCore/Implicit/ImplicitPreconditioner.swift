/// An approximate inverse `M^-1 ~ A^-1` of the implicit system's `A = dF/dy`, for the
/// Krylov methods: reverse mode solves `A' w = ybar` and applies `M^-T`, forward mode
/// solves `A dy = -B dx` and applies `M^-1`.
///
/// CG and MINRES need a symmetric positive definite `M^-1`; GMRES and BiCGStab take any.
/// A good preconditioner cuts the iterations from `O(sqrt(cond A))` towards `O(1)`:
/// e.g. the inverse diagonal of `A` (``jacobi(diagonal:)``), or a factorisation of a
/// simpler operator that dominates `A` (the Laplacian part of a PDE residual).
///
/// Two preconditioners are equal only when they are the same object.
public final class ImplicitPreconditioner: Sendable, Equatable {
    /// `r -> M^-1 r`.
    public let apply: @Sendable (Vector) -> Vector
    /// `r -> M^-T r` (`nil`: `M` is symmetric, so `apply` serves both).
    public let applyTransposed: (@Sendable (Vector) -> Vector)?

    /// A preconditioner from its application and, when `M` is not symmetric, its transpose.
    public init(apply: @escaping @Sendable (Vector) -> Vector,
                applyTransposed: (@Sendable (Vector) -> Vector)? = nil) {
        self.apply = apply
        self.applyTransposed = applyTransposed
    }

    /// `M = diag(A)`: `M^-1 r = r / d` (`1` where `d_i = 0`).
    public static func jacobi(diagonal d: Vector) -> ImplicitPreconditioner {
        let inverse = d.map { $0 == 0 ? 1 : 1 / $0 }
        return ImplicitPreconditioner(apply: { $0 * inverse })
    }

    public static func == (lhs: ImplicitPreconditioner, rhs: ImplicitPreconditioner) -> Bool { lhs === rhs }

    /// The preconditioner of the system solved: `M^-1` for `A`, `M^-T` for `A'`.
    func krylovPreconditioner(transposed: Bool) -> any Preconditioner {
        ClosurePreconditioner(body: transposed ? (applyTransposed ?? apply) : apply)
    }
}

/// A ``Preconditioner`` from a closure. Not API.
struct ClosurePreconditioner: Preconditioner {
    let body: @Sendable (Vector) -> Vector
    func apply(_ r: Vector) -> Vector { body(r) }
}

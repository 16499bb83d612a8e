/// An iterative method for `A x = b` that touches `A` only through products.
///
/// Every method stops when `||r_k|| <= atol + rtol * ||b||` (``KrylovOptions``),
/// returns `x = 0` at once when `b = 0`, detects breakdown, and **throws**
/// ``KrylovError/notConverged(method:iterations:residual:relativeResidual:)`` when the
/// iteration cap is reached: a solve never returns an unconverged answer silently.
public protocol KrylovSolver: Sendable {
    /// The method's name as reported in results and errors ("cg", "minres", "gmres", "bicgstab").
    static var name: String { get }
    /// The stopping rule, iteration cap and method parameters.
    var options: KrylovOptions { get }
    /// Solves `A x = b`, starting from `initialGuess` (zero when `nil`), with an optional
    /// preconditioner `M^-1` (see each method for left/right use and symmetry requirements).
    func solve<Operator: LinearOperator>(_ a: Operator, _ b: Vector, initialGuess: Vector?,
                                         preconditioner: (any Preconditioner)?) throws -> KrylovResult
}

extension KrylovSolver {
    /// Solves `A x = b` from a zero initial guess without preconditioning.
    public func solve<Operator: LinearOperator>(_ a: Operator, _ b: Vector) throws -> KrylovResult {
        try solve(a, b, initialGuess: nil, preconditioner: nil)
    }
}

/// An approximate inverse `M^-1` of the system matrix, applied to residuals.
public protocol Preconditioner {
    /// `M^-1 r`.
    func apply(_ r: Vector) -> Vector
}

/// Jacobi (diagonal) preconditioning: `M^-1 r = r / diag(A)`.
public struct JacobiPreconditioner: Preconditioner, Sendable {
    /// `1 / diag(A)`.
    public let inverseDiagonal: Vector
    /// Uses `1 / d_i`, with `1` where `d_i == 0`.
    public init(diagonal d: Vector) { inverseDiagonal = d.map { $0 == 0 ? 1 : 1 / $0 } }
    public func apply(_ r: Vector) -> Vector { r * inverseDiagonal }
}

/// Stopping rule and limits shared by the Krylov methods.
public struct KrylovOptions: Sendable, Equatable {
    /// `atol` in `||r|| <= atol + rtol * ||b||`. Default `sqrt(ulp)` ~ 1.5e-8 as in Krylov.jl;
    /// the implicit-differentiation layer passes its own (tighter) `linear_tol`.
    public var absoluteTolerance: Double
    /// `rtol` in `||r|| <= atol + rtol * ||b||`. Default `sqrt(ulp)`.
    public var relativeTolerance: Double
    /// Iteration cap; `nil` means `max(2 n, 50)` (for GMRES: total inner iterations).
    public var maxIterations: Int?
    /// GMRES restart length (Krylov subspace dimension before restarting).
    public var restart: Int
    /// Whether to record `||r_k||` at every iteration in ``KrylovResult/residualHistory``.
    public var recordHistory: Bool

    /// Options with the given fields (see each property for its meaning and default).
    public init(absoluteTolerance: Double = Double.ulpOfOne.squareRoot(),
                relativeTolerance: Double = Double.ulpOfOne.squareRoot(),
                maxIterations: Int? = nil, restart: Int = 50, recordHistory: Bool = true) {
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.maxIterations = maxIterations
        self.restart = restart
        self.recordHistory = recordHistory
    }

    /// The iteration cap for a system of order `n`.
    @inlinable
    public func iterationCap(forDimension n: Int) -> Int { maxIterations ?? Swift.max(2 * n, 50) }

    /// `atol + rtol * bNorm`.
    @inlinable
    public func threshold(rightHandSideNorm bNorm: Double) -> Double {
        absoluteTolerance + relativeTolerance * bNorm
    }
}

/// How a Krylov solve ended (successful outcomes only: failures throw ``KrylovError``).
public enum KrylovStatus: String, Sendable, Equatable {
    /// `||r|| <= atol + rtol * ||b||`.
    case converged
    /// `b = 0`, so `x = 0` with no iteration.
    case zeroRightHandSide
    /// The initial guess already satisfied the stopping rule.
    case initialGuessAccepted
}

/// The outcome of a successful Krylov solve.
public struct KrylovResult: Sendable {
    /// The approximate solution `x`.
    public var solution: Vector
    /// Why the iteration stopped.
    public var status: KrylovStatus
    /// Iterations performed (matrix-vector products, roughly).
    public var iterations: Int
    /// `||b - A x||` as tracked by the method (for LSQR: `||A'(b - A x)||`).
    public var residualNorm: Double
    /// `residualNorm / ||b||` (0 when `b = 0`; for LSQR: `||A'r|| / ||A'b||`, 0 when `A'b = 0`).
    public var relativeResidual: Double
    /// The residual norm at every iteration, starting with the initial residual (empty
    /// when ``KrylovOptions/recordHistory`` is off).
    public var residualHistory: [Double]

    /// A result with the given fields.
    public init(solution: Vector, status: KrylovStatus, iterations: Int, residualNorm: Double,
                relativeResidual: Double, residualHistory: [Double]) {
        self.solution = solution
        self.status = status
        self.iterations = iterations
        self.residualNorm = residualNorm
        self.relativeResidual = relativeResidual
        self.residualHistory = residualHistory
    }
}

/// Why a Krylov solve failed.
public enum KrylovError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The iteration cap was reached before the stopping rule held.
    case notConverged(method: String, iterations: Int, residual: Double, relativeResidual: Double)
    /// A division by (near) zero made the recurrence meaningless, e.g. `p' A p <= 0` in CG
    /// (the operator is not positive definite) or `rho = 0` in BiCGStab.
    case breakdown(method: String, iteration: Int, reason: String)
    /// The operator and right-hand side do not fit.
    case dimensionMismatch(String)
    /// A NaN or infinity appeared in the iteration.
    case nonFinite(method: String, iteration: Int)

    public var description: String {
        switch self {
        case let .notConverged(m, it, r, rr):
            return "\(m) did not converge in \(it) iterations: residual \(r) (relative \(rr))"
        case let .breakdown(m, it, why): return "\(m) broke down at iteration \(it): \(why)"
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .nonFinite(m, it): return "\(m): non-finite value at iteration \(it)"
        }
    }
}

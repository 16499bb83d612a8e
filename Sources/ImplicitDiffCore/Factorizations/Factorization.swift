/// A factorised square matrix `A` that solves `A x = b` and `A' x = b` repeatedly
/// without refactorising.
///
/// Factorisations are immutable values: make one, then call `solve` as often as
/// needed (every pullback, every Jacobian column). Matrix right-hand sides are
/// solved in one LAPACK call (column `j` of the result solves column `j`).
public protocol Factorization: Sendable {
    /// The order `n` of the factorised `n x n` matrix.
    var dimension: Int { get }
    /// `A^-1 b`.
    func solve(_ b: Vector) -> Vector
    /// `A^-T b`.
    func solveTransposed(_ b: Vector) -> Vector
    /// `A^-1 B` for an `n x k` matrix `B`.
    func solve(_ b: Matrix) -> Matrix
    /// `A^-T B` for an `n x k` matrix `B`.
    func solveTransposed(_ b: Matrix) -> Matrix
    /// `A^-1 b` (`A^-T b` when `transposed`) with the relative residual
    /// `||A z - b|| / ||b||` of the returned solution as the solve measured it, or `nil`
    /// (the default) when it does not measure it. A factorisation whose solve forms
    /// `b - A z` anyway (iterative refinement), or whose matrix has an exact identity
    /// block, measures it more cheaply than the implicit system's product with the
    /// conditions' `A`, which is then skipped. An upper estimate is allowed (e.g. the
    /// residual before a final refinement step).
    func solveMeasuringResidual(_ b: Vector, transposed: Bool) -> (solution: Vector, relativeResidual: Double)?
}

extension Factorization {
    /// Does not measure: the implicit system forms `A z - b` itself.
    public func solveMeasuringResidual(_ b: Vector, transposed: Bool) -> (solution: Vector, relativeResidual: Double)? { nil }
}

extension Factorization {
    @inlinable
    func checkRightHandSide(_ count: Int) {
        precondition(count == dimension, "right-hand side of length \(count) for a factorisation of order \(dimension)")
    }
}

/// The reciprocal condition number below which a factorised matrix is treated as singular:
/// `n * ulp`, i.e. relative perturbations at rounding level could make it singular.
@inlinable
func singularityThreshold(_ n: Int) -> Double { Double(Swift.max(n, 1)) * Double.ulpOfOne }

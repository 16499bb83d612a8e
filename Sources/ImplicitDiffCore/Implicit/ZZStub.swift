// Interim: iterative solvers for the implicit system land with the Krylov methods.
extension ImplicitLinearSystem {
    func krylovSolve(_ r: Vector, transposed: Bool) throws -> (Vector, LinearSolveReport) {
        throw ImplicitDifferentiationError.linearSolveFailed(.breakdown(method: method, iteration: 0, reason: "Krylov methods are not in this build yet; use .direct"))
    }
}

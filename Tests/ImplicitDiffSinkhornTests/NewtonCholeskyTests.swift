import Testing
@testable import ImplicitDiffSinkhorn

@Suite("Sinkhorn: the Newton finish's Cholesky")
struct NewtonCholeskyTests {
    /// A plan that underflowed to zero gives a zero Schur complement: no shift
    /// `mu = c * max diagonal` can regularise it, and the search for one must stop
    /// (it looped forever on `mu = 0`, found by the CLI fuzzer with eps = 1e-299).
    @Test("a zero or non-finite matrix is refused, not searched forever")
    func zeroMatrixIsRefused() {
        #expect(NewtonCholesky(regularising: [0, 0, 0, 0], dimension: 2) == nil)
        #expect(NewtonCholesky(regularising: [-1, 0, 0, -1], dimension: 2) == nil)
        #expect(NewtonCholesky(regularising: [.infinity, 0, 0, 1], dimension: 2) == nil)
    }

    @Test("a singular positive semidefinite matrix is shifted until it factorises")
    func singularMatrixIsShifted() throws {
        let chol = try #require(NewtonCholesky(regularising: [1, 1, 1, 1], dimension: 2))
        let x = chol.solve([2, 2])
        // (A + mu I) x = b, mu tiny: along the eigenvector (1, 1) of A (eigenvalue 2)
        // x is well determined, x_0 + x_1 = 4 / (2 + mu); across it (eigenvalue mu) it
        // carries only amplified rounding.
        #expect(x.allSatisfy(\.isFinite) && abs(x[0] + x[1] - 2) < 1e-6, "\(x)")
    }
}

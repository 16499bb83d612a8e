import _CGLPK

/// A solved ``SparseLinearProgram``: the vertex, the multipliers and the value at the
/// optimal basis, checked (``certificate``) before it was returned, and the derivatives
/// (``derivative(solverOptions:)``).
public struct SparseLinearProgramSolution: Sendable {
    /// The problem solved.
    public let problem: SparseLinearProgram
    let form: LPSolverForm
    let basic: LPBasicSolution
    /// The minimiser.
    public let z: Vector
    /// Multipliers of `A z = b`.
    public let lambda: Vector
    /// Multipliers of `G z <= h` (`>= 0`, zero on inactive rows).
    public let mu: Vector
    /// `c'z`.
    public let value: Double
    /// The independent check of `(z, lambda, mu)` on the problem's sparse data.
    public let certificate: LPCertificate

    init(problem: SparseLinearProgram, form: LPSolverForm, basic: LPBasicSolution, options: LPOptions) throws {
        self.problem = problem
        self.form = form
        self.basic = basic
        let p = problem.A.rows
        z = Vector(basic.x)
        // GLPK's row duals pi = d value / d (row bound): lambda = -pi, mu = -pi.
        lambda = Vector(basic.rowDuals[0..<p].map { 0 - $0 })
        mu = Vector(basic.rowDuals[p...].map { 0 - $0 })
        value = problem.c.dot(z)
        certificate = LPCertificate.check(c: problem.c.scalars, matrix: form.matrix, rhs: problem.b.scalars + problem.h.scalars,
                                          equalityCount: p, z: basic.x, y: lambda.scalars + mu.scalars,
                                          tolerance: options.certificateTolerance)
        guard certificate.passed else {
            throw LPError.notConverged("GLPK's answer fails the independent optimality check on the problem's data: "
                                       + certificate.description)
        }
    }

    /// The degeneracy found by the zero tests (``LPOptions``).
    public var degeneracy: LPDegeneracy? { basic.degeneracy }

    /// Simplex iterations.
    public var iterations: Int { basic.iterations }

    /// The derivative at the optimal basis; differentiability is decided per request. When
    /// the zero test on the reduced costs finds candidates for dual degeneracy, the test of
    /// uniqueness of `z` (one auxiliary LP, see ``LPDifferentiability``) runs here.
    /// `solverOptions` are GLPK's settings for that auxiliary LP.
    public func derivative(solverOptions: LPOptions = .init()) throws -> SparseLinearProgramDerivative {
        var degeneracy = self.degeneracy
        if let d = degeneracy, d.isDual, try form.optimumIsUnique(basic, options: solverOptions) {
            degeneracy = d.isPrimal ? LPDegeneracy(primal: d.primal) : nil
        }
        return SparseLinearProgramDerivative(solution: self, degeneracy: degeneracy)
    }

    @available(*, deprecated, renamed: "derivative(solverOptions:)")
    public func derivative(options: LPOptions) throws -> SparseLinearProgramDerivative {
        try derivative(solverOptions: options)
    }
}

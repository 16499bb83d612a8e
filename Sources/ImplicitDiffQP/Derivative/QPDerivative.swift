/// The derivative of a QP's solution map at a solution, by the implicit function theorem
/// on the KKT conditions restricted to the active set.
///
/// With the reduced KKT matrix `K = [Q G_a' A'; G_a 0 0; A 0 0]` (``QPReducedKKT``),
/// factorised **once** (usually by the solver's own polish step) and reused by every call:
/// ```
/// reverse:   K [w_z; w_a; w_e] = [zbar; mubar_a; lambdabar]
///            Qbar = -(w_z z' + z w_z')/2   qbar = -w_z
///            Abar = -(lambda w_z' + w_e z')   bbar = w_e
///            Gbar_a = -(mu_a w_z' + w_a z')   hbar_a = w_a   (0 on inactive rows)
///            plus valuebar * (z z'/2, z, lambda z', -lambda, mu z', -mu)   (envelope theorem)
/// forward:   K [dz; dmu_a; dlambda] = -[dQ z + dq + dA'lambda + dG_a'mu_a; dG_a z - dh_a; dA z - db]
///            dmu = 0 on inactive rows;  dvalue = z'dQ z/2 + dq'z + lambda'(dA z - db) + mu'(dG z - dh)
/// ```
/// `dQ` is symmetrised before use, and the `Q` gradient is the symmetric gradient.
/// These are OptNet's equations (Amos & Kolter 2017, arXiv:1703.00443, eqs. 6-8) with
/// the inactive rows eliminated, which keeps `K` symmetric and well conditioned under
/// strict complementarity.
///
/// Mathematical properties: exact (to rounding) when the active constraints are linearly
/// independent, `Q` is positive definite on their null space, and complementarity is
/// strict. Weakly active constraints are handled by ``QPWeaklyActivePolicy``; dependent
/// equality rows and singular `K` throw ``QPError/notDifferentiable(_:)``.
public struct QPDerivative: Sendable {
    /// The solution being differentiated.
    public let solution: QPSolution
    /// The factorised reduced KKT matrix (on ``activeInequalities``).
    public let kkt: QPReducedKKT
    /// The weak-activity convention in force.
    public let policy: QPWeaklyActivePolicy
    let sensitivity: QPSensitivity

    /// The inequalities treated as active (the solution's active set adjusted by the policy).
    public var activeInequalities: [Int] { kkt.activeInequalities }

    /// Prepares the derivative: reuses the solver's factorisation when the active set is
    /// the solver's, else factorises `K` once here.
    ///
    /// - Throws: ``QPError/notDifferentiable(_:)`` at a weakly active inequality (policy
    ///   ``QPWeaklyActivePolicy/reject``), with dependent equality rows, or when `K` is singular.
    public init(solution s: QPSolution, policy: QPWeaklyActivePolicy = .reject) throws {
        let set = s.activeSet
        if !set.dependentEqualities.isEmpty {
            throw QPError.notDifferentiable("equality rows \(set.dependentEqualities) are linearly dependent on the other rows, so lambda is not unique (linearly dependent active constraints)")
        }
        if policy == .reject, !set.weaklyActive.isEmpty {
            let i = set.weaklyActive[0]
            let slack = s.problem.h[i] - s.problem.G.row(i).dot(s.z)
            let others = set.weaklyActive.count > 1 ? " (weakly active: \(set.weaklyActive))" : ""
            throw QPError.notDifferentiable("inequality \(i) is weakly active (slack h_i - G_i z = \(slack), multiplier mu_i = \(s.mu[i]), both ~ 0)\(others): the solution map has a kink there (a one-sided derivative: QPWeaklyActivePolicy .treatAsInactive or .treatAsActive; in the CLI, options.weakly_active = \"inactive\" or \"active\")")
        }
        let active = policy.activeInequalities(set)
        if let k = s.reducedKKT, k.activeInequalities == active, k.equalities == set.equalities {
            kkt = k
        } else {
            kkt = try QPReducedKKT(problem: s.problem, activeInequalities: active, equalities: set.equalities,
                                   cholesky: s.reducedKKT?.cholesky ?? QPCholeskyOfQ(s.problem.Q))
        }
        solution = s
        self.policy = policy
        var mu = s.mu
        for i in Set(0..<s.problem.inequalityCount).subtracting(active) { mu[i] = 0 }
        sensitivity = QPSensitivity(problem: s.problem, z: s.z, lambda: s.lambda, mu: mu,
                                    active: active, equalities: set.equalities)
    }

    var shape: QPShape { solution.problem.shape }

    // MARK: reverse mode

    /// Reverse mode: the gradient of `L = <zbar, z> + <lambdabar, lambda> + <mubar, mu> +
    /// valuebar * value` with respect to every parameter (cotangents on inactive `mu`
    /// contribute nothing: those multipliers are identically zero nearby).
    public func pullback(_ cotangent: QPOutputs) throws -> QPParameters {
        try pullbackWithReport(cotangent).gradient
    }

    /// ``pullback(_:)`` with the report of the linear solve (``QPReducedKKT/method``, relative residual).
    public func pullbackWithReport(_ cotangent: QPOutputs) throws -> (gradient: QPParameters, report: LinearSolveReport) {
        try cotangent.validate(shape, "cotangent")
        let c = cotangent.materialized(shape)
        let rhs = sensitivity.reduce(c)
        var grad = QPParameters().materialized(shape)
        var report = LinearSolveReport(method: kkt.method)
        if rhs.maxNorm > 0 {
            let w: Vector
            (w, report.relativeResidual) = kkt.solveMeasuringResidual(rhs)
            grad = sensitivity.applyBTransposed(w).scaled(by: -1)
        }
        if c.value != 0 { grad = grad.adding(sensitivity.valueGradient, scaledBy: c.value) }
        return (grad, report)
    }

    // MARK: forward mode

    /// Forward mode: the directional derivative of `(z, lambda, mu, value)` along a tangent
    /// of the parameters (`dQ` is symmetrised first; missing fields are zero).
    public func pushforward(_ tangent: QPParameters) throws -> QPOutputs {
        try pushforwardWithReport(tangent).derivative
    }

    /// ``pushforward(_:)`` with the report of the linear solve.
    public func pushforwardWithReport(_ tangent: QPParameters) throws -> (derivative: QPOutputs, report: LinearSolveReport) {
        try tangent.validate(shape, "tangent")
        let t = tangent.materialized(shape)
        let rhs = -sensitivity.applyB(t)
        var report = LinearSolveReport(method: kkt.method)
        let dv = sensitivity.valueDerivative(t)
        guard rhs.maxNorm > 0 else { return (sensitivity.expand(.zeros(rhs.count), value: dv), report) }
        let d: Vector
        (d, report.relativeResidual) = kkt.solveMeasuringResidual(rhs)
        return (sensitivity.expand(d, value: dv), report)
    }

    // MARK: Jacobians

    /// The dense Jacobian of one output with respect to one parameter,
    /// `(size of output) x (size of parameter)` with row-major flattening. One solve with
    /// many right-hand sides: the output's unit cotangents when the output is smaller,
    /// the parameter's unit tangents otherwise. Columns for `Q` follow the symmetric
    /// convention (tangent `(E_ij + E_ji)/2`), so rows equal symmetric gradients.
    public func jacobian(of output: QPOutput, wrt parameter: QPParameter) throws -> Matrix {
        try jacobianWithReport(of: output, wrt: parameter).jacobian
    }

    /// ``jacobian(of:wrt:)`` with the report of the linear solve.
    public func jacobianWithReport(of output: QPOutput, wrt parameter: QPParameter) throws -> (jacobian: Matrix, report: LinearSolveReport) {
        let s = shape
        let rows = output.count(s), cols = parameter.count(s)
        var j = Matrix(rows: rows, columns: cols)
        var report = LinearSolveReport(method: kkt.method)
        if rows == 0 || cols == 0 { return (j, report) }
        if output == .value {
            j.scalars = sensitivity.valueGradient.flattened(parameter).scalars
            return (j, report)
        }
        let dim = sensitivity.dimension
        if rows <= cols {
            // Reverse: unit cotangents of the output, one multi-RHS solve.
            var rhs = Matrix(rows: dim, columns: rows)
            var live = [Bool](repeating: false, count: rows)
            for r in 0..<rows {
                var c = QPOutputs().materialized(s)
                switch output {
                case .z: c.z[r] = 1
                case .lambda: c.lambda[r] = 1
                case .mu: c.mu[r] = 1
                case .value: break
                }
                let v = sensitivity.reduce(c)
                if v.maxNorm > 0 { live[r] = true; rhs.setColumn(r, to: v) }
            }
            let w: Matrix
            (w, report.relativeResidual) = kkt.solveMeasuringResidual(rhs)
            for r in 0..<rows where live[r] {
                let g = sensitivity.applyBTransposed(w.column(r), blocks: [parameter]).flattened(parameter)
                for c in 0..<cols { j[r, c] = -g[c] }
            }
        } else {
            // Forward: unit tangents of the parameter, one multi-RHS solve.
            var rhs = Matrix(rows: dim, columns: cols)
            for c in 0..<cols {
                var t = QPParameters().materialized(s)
                switch parameter {
                case .Q: t.Q.scalars[c] = 1
                case .q: t.q[c] = 1
                case .A: t.A.scalars[c] = 1
                case .b: t.b[c] = 1
                case .G: t.G.scalars[c] = 1
                case .h: t.h[c] = 1
                }
                rhs.setColumn(c, to: -sensitivity.applyB(t))
            }
            let d: Matrix
            (d, report.relativeResidual) = kkt.solveMeasuringResidual(rhs)
            for c in 0..<cols {
                let o = sensitivity.expand(d.column(c), value: 0).flattened(output)
                for r in 0..<rows { j[r, c] = o[r] }
            }
        }
        return (j, report)
    }
}

extension QPSolution {
    /// The derivative of the solution map here (factorises at most once; see ``QPDerivative``).
    public func derivative(policy: QPWeaklyActivePolicy = .reject) throws -> QPDerivative {
        try QPDerivative(solution: self, policy: policy)
    }
}

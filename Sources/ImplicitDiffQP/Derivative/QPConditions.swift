/// The KKT conditions of a QP on its active set, as `ImplicitConditions` on packed
/// parameters `x = [vec(Q), q, vec(A), b, vec(G), h]` and solution `y = [z, lambda, mu]`
/// (layouts: ``QPShape``):
/// ```
/// F_z  = Q z + q + A'lambda + G_a'mu_a          (n)
/// F_e  = A z - b                                 (p)
/// F_mu = G_i z - h_i  (i active),   mu_i  (i inactive)     (m)
/// ```
/// with `Q` replaced by `(Q + Q')/2`, so the `Q` block of every gradient is symmetric.
/// `dF/dy = [Q A' G_a' 0; A 0 0 0; G_a 0 0 0; 0 0 0 I]` (in the obvious block order) is
/// symmetric; its factorisation is the reduced ``QPReducedKKT`` from the byproduct plus the
/// identity on the inactive multipliers, so `ImplicitDerivative` never factorises again.
///
/// The active set is the byproduct's, adjusted for weakly active inequalities by
/// ``policy``; dependent equality rows, weakly active rows under
/// ``QPWeaklyActivePolicy/reject`` and a singular `K` make ``linearize(x:y:byproduct:)``
/// throw ``QPError/notDifferentiable(_:)``.
public struct QPConditions: ImplicitConditions {
    /// The sizes `(n, p, m)` and the packing of `x` and `y`.
    public let shape: QPShape
    /// What to do at weakly active constraints.
    public let policy: QPWeaklyActivePolicy

    /// The conditions of QPs of the given shape.
    public init(shape: QPShape, policy: QPWeaklyActivePolicy = .reject) {
        self.shape = shape
        self.policy = policy
    }

    public func residual(x: Vector, y: Vector, byproduct: QPByproduct) -> Vector {
        guard let p = try? shape.unpackProblem(x), y.count == shape.solutionCount else {
            return Vector(repeating: .nan, count: y.count)
        }
        let o = shape.unpackSolution(y)
        let active = policy.activeInequalities(byproduct.activeSet)
        let isActive = Set(active)
        var muA = o.mu
        for i in 0..<shape.m where !isActive.contains(i) { muA[i] = 0 }
        var fz = p.Q * o.z + p.q
        if shape.p > 0 { fz += p.A.transposedTimes(o.lambda) }
        if shape.m > 0 { fz += p.G.transposedTimes(muA) }
        let fe = shape.p > 0 ? p.A * o.z - p.b : Vector.zeros(0)
        var fm = Vector.zeros(shape.m)
        if shape.m > 0 {
            let gz = p.G * o.z
            for i in 0..<shape.m { fm[i] = isActive.contains(i) ? gz[i] - p.h[i] : o.mu[i] }
        }
        return Vector(fz.scalars + fe.scalars + fm.scalars)
    }

    public func linearize(x: Vector, y: Vector, byproduct: QPByproduct) throws -> ConditionsLinearization {
        let p = try shape.unpackProblem(x)
        let o = shape.unpackSolution(y)
        let solution = QPSolution(problem: p, z: o.z, lambda: o.lambda, mu: o.mu, activeSet: byproduct.activeSet,
                                  report: byproduct.report, reducedKKT: byproduct.reducedKKT)
        let d = try QPDerivative(solution: solution, policy: policy)
        let map = QPFullOrdering(shape: shape, active: d.activeInequalities, equalities: byproduct.activeSet.equalities)
        let sens = d.sensitivity, kkt = d.kkt, s = shape
        let a = FunctionOperator(rows: s.solutionCount, columns: s.solutionCount, apply: { v in
            map.expandRows(kkt.apply(map.reduceColumns(v)), passthrough: v)
        }, applyTransposed: { v in
            map.expandRows(kkt.apply(map.reduceColumns(v)), passthrough: v)
        })
        let b = QPParameterOperator(shape: s, sensitivity: sens, map: map, blocks: Set(QPParameter.allCases))
        return ConditionsLinearization(a: a, b: b, factorizedA: QPFullKKTFactorization(kkt: kkt, map: map),
                                       isSymmetric: true)
    }
}

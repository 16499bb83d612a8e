/// What the QP solver hands to its conditions besides `y = [z, lambda, mu]`: the active
/// set and the factorised reduced KKT matrix (so that the derivative does not factorise
/// again), plus the solver's report. Never differentiated.
public struct QPByproduct: Sendable {
    /// The active set at the solution.
    public let activeSet: QPActiveSet
    /// The factorised reduced KKT matrix, when the solver made one.
    public let reducedKKT: QPReducedKKT?
    /// The solver's report.
    public let report: QPSolverReport
}

extension QPSolution {
    /// The byproduct of this solution for ``QPConditions``.
    public var byproduct: QPByproduct { QPByproduct(activeSet: activeSet, reducedKKT: reducedKKT, report: report) }
}

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

/// `B = dF/dx` of ``QPConditions`` on the parameter blocks `blocks` (all of them, or a
/// layer's subset): `B' w` computes only those blocks (``QPSensitivity``), so a layer in
/// `q` and `h` costs `O(n + m)` after the solve instead of `O(n^2 + (p + m) n)`. Not API.
struct QPParameterOperator: ColumnSelectableOperator, Sendable {
    let shape: QPShape
    let sensitivity: QPSensitivity
    let map: QPFullOrdering
    /// The blocks of `x` this operator's columns are, in the order of ``QPParameter``.
    let blocks: Set<QPParameter>

    var ordered: [QPParameter] { QPParameter.allCases.filter(blocks.contains) }
    var rowCount: Int { shape.solutionCount }
    var columnCount: Int { ordered.reduce(0) { $0 + $1.count(shape) } }

    func apply(_ dx: Vector) -> Vector {
        let full = ParameterSelection(blocks: ordered.map { shape.range(of: $0) }, fullCount: shape.parameterCount)
            .scatter(dx.materialized(count: columnCount))
        guard let t = try? shape.unpackParameters(full) else {
            return Vector(repeating: .nan, count: shape.solutionCount)
        }
        return map.expandRows(sensitivity.applyB(t), passthrough: nil)
    }

    func applyTransposed(_ w: Vector) -> Vector {
        let g = sensitivity.applyBTransposed(map.reduceColumns(w.materialized(count: shape.solutionCount)), blocks: blocks)
        var out = [Double]()
        out.reserveCapacity(columnCount)
        for parameter in ordered { out += g.flattened(parameter).scalars }
        return Vector(out)
    }

    func selectingColumns(_ selection: ParameterSelection) -> any AdjointableLinearOperator {
        // Whole blocks: compute only those; anything finer goes through the generic gather.
        let chosen = QPParameter.allCases.filter { selection.contains(shape.range(of: $0)) && $0.count(shape) > 0 }
        let covered = chosen.reduce(0) { $0 + $1.count(shape) }
        guard blocks.count == QPParameter.allCases.count, covered == selection.count else {
            return SelectedColumnsOperator(base: self, selection: selection)
        }
        return QPParameterOperator(shape: shape, sensitivity: sensitivity, map: map, blocks: Set(chosen))
    }
}

/// Maps between the full ordering `[z; lambda; mu]` of ``QPConditions`` and the reduced
/// ordering `[z; mu_a; lambda_e]` of ``QPReducedKKT``. Not API.
struct QPFullOrdering: Sendable {
    let shape: QPShape
    let active: [Int]
    let equalities: [Int]
    let inactive: [Int]

    init(shape: QPShape, active: [Int], equalities: [Int]) {
        self.shape = shape
        self.active = active
        self.equalities = equalities
        let a = Set(active)
        inactive = (0..<shape.m).filter { !a.contains($0) }
    }

    /// `[v_z; v_mu[active]; v_lambda[eq]]` of a full vector.
    func reduceColumns(_ v: Vector) -> Vector {
        let n = shape.n, p = shape.p
        var r = Array(v.scalars[0..<n])
        r += active.map { v[n + p + $0] }
        r += equalities.map { v[n + $0] }
        return Vector(r)
    }

    /// A full vector from a reduced one; inactive `mu` rows copy `passthrough` (the
    /// identity block), or are zero.
    func expandRows(_ r: Vector, passthrough: Vector?) -> Vector {
        let n = shape.n, p = shape.p, k = active.count
        var v = [Double](repeating: 0, count: shape.solutionCount)
        for j in 0..<n { v[j] = r[j] }
        for (t, i) in active.enumerated() { v[n + p + i] = r[n + t] }
        for (t, i) in equalities.enumerated() { v[n + i] = r[n + k + t] }
        if let pt = passthrough { for i in inactive { v[n + p + i] = pt[n + p + i] } }
        return Vector(v)
    }
}

/// The factorisation of the full `dF/dy` of ``QPConditions``: the reduced LDL' plus the
/// identity on the inactive multipliers. It measures its residual in its refinement step
/// (the identity block is exact), so the core's solve makes one product with `K`. Not API.
struct QPFullKKTFactorization: Factorization {
    let kkt: QPReducedKKT
    let map: QPFullOrdering
    var dimension: Int { map.shape.solutionCount }

    func solve(_ b: Vector) -> Vector { map.expandRows(kkt.solve(map.reduceColumns(b)), passthrough: b) }

    /// `K` is symmetric: both directions are the same solve.
    func solveMeasuringResidual(_ b: Vector, transposed: Bool) -> (solution: Vector, relativeResidual: Double)? {
        let reduced = map.reduceColumns(b)
        let (x, relative) = kkt.solveMeasuringResidual(reduced)
        // The residual lives on the reduced rows; relative to the whole right-hand side.
        let bn = b.norm, rn = reduced.norm
        return (map.expandRows(x, passthrough: b), bn == 0 ? 0 : relative * rn / bn)
    }

    func solveTransposed(_ b: Vector) -> Vector { solve(b) }

    func solve(_ b: Matrix) -> Matrix {
        var reduced = Matrix(rows: kkt.dimension, columns: b.columns)
        for c in 0..<b.columns { reduced.setColumn(c, to: map.reduceColumns(b.column(c))) }
        let x = kkt.solve(reduced)
        var out = Matrix(rows: dimension, columns: b.columns)
        for c in 0..<b.columns { out.setColumn(c, to: map.expandRows(x.column(c), passthrough: b.column(c))) }
        return out
    }

    func solveTransposed(_ b: Matrix) -> Matrix { solve(b) }
}

extension QuadraticProgram {
    /// The QP as an `ImplicitFunction` of its packed parameters
    /// `x = [vec(Q), q, vec(A), b, vec(G), h]` returning `y = [z, lambda, mu]`: a layer
    /// that works inside `gradient(at:of:)` (reverse mode through ``QPConditions``, with the
    /// solver's own factorisation) and in the throwing API (`pushforward`, `jacobian`).
    /// `Q` is symmetrised (`(Q + Q')/2`), so gradients with respect to it are symmetric.
    ///
    /// ```swift
    /// let shape = QPShape(n: 3, p: 1, m: 4)
    /// let layer = QuadraticProgram.layer(shape: shape)
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: x) { x in shape.z(layer(x)).dot(target) }
    /// }
    /// ```
    /// For a layer in some of the parameters only (the others fixed), see
    /// ``layer(wrt:solverOptions:policy:options:)``.
    ///
    /// - Parameters:
    ///   - shape: `(n, p, m)`; `x` must have `shape.parameterCount` entries.
    ///   - solverOptions: the forward solver's settings.
    ///   - policy: what the derivative does at weakly active constraints.
    ///   - options: the implicit derivative's settings (the default reuses the solver's
    ///     factorisation of the reduced KKT matrix).
    public static func layer(shape: QPShape, solverOptions: QPSolverOptions = .init(),
                             policy: QPWeaklyActivePolicy = .reject,
                             options: ImplicitOptions = .init()) -> ImplicitFunction<QPByproduct> {
        ImplicitFunction(solver: { x in
            let s = try shape.unpackProblem(x).solve(options: solverOptions)
            return (s.packed, s.byproduct)
        }, conditions: QPConditions(shape: shape, policy: policy), options: options)
            .withOutputCount { _ in shape.solutionCount }
    }

    /// This QP as a layer in the parameters `wrt` alone, the others fixed at this
    /// problem's values (never differentiated):
    /// ```
    /// x = the blocks of wrt, concatenated in the order [vec(Q), q, vec(A), b, vec(G), h]
    /// y = [z, lambda, mu]
    /// ```
    /// For `wrt: [.q, .h]`, `x = [q, h]` (``packed(wrt:)`` gives it at this problem's
    /// values). The derivative solves the same reduced KKT system as the full layer's
    /// (the solver's factorisation) but forms only the gradient blocks in `wrt`: a layer
    /// in `q` costs one triangular solve pair per pullback.
    ///
    /// ```swift
    /// let layer = qp.layer(wrt: [.q])
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: qp.q) { q in qp.shape.z(layer(q)).dot(target) }
    /// }
    /// ```
    public func layer(wrt parameters: Set<QPParameter>, solverOptions: QPSolverOptions = .init(),
                      policy: QPWeaklyActivePolicy = .reject,
                      options: ImplicitOptions = .init()) -> ImplicitFunction<QPByproduct> {
        let shape = self.shape
        return QuadraticProgram.layer(shape: shape, solverOptions: solverOptions, policy: policy, options: options)
            .restricted(to: shape.ranges(of: parameters), fixing: shape.pack(self))
    }

    /// The argument of ``layer(wrt:solverOptions:policy:options:)`` at this problem's
    /// values: the blocks of `wrt` in the order `[vec(Q), q, vec(A), b, vec(G), h]`.
    public func packed(wrt parameters: Set<QPParameter>) -> Vector {
        let shape = self.shape
        return ParameterSelection(blocks: shape.ranges(of: parameters), fullCount: shape.parameterCount)
            .gather(shape.pack(self))
    }

    @available(*, deprecated, renamed: "layer(shape:solverOptions:policy:options:)",
               message: "options: is now the implicit derivative's ImplicitOptions; the QP solver's options are solverOptions:")
    public static func layer(shape: QPShape, options: QPSolverOptions, policy: QPWeaklyActivePolicy = .reject,
                             implicitOptions: ImplicitOptions = .init()) -> ImplicitFunction<QPByproduct> {
        layer(shape: shape, solverOptions: options, policy: policy, options: implicitOptions)
    }

    @available(*, deprecated, renamed: "layer(shape:solverOptions:policy:options:)",
               message: "the implicit derivative's options are now options:")
    public static func layer(shape: QPShape, policy: QPWeaklyActivePolicy = .reject,
                             implicitOptions: ImplicitOptions) -> ImplicitFunction<QPByproduct> {
        layer(shape: shape, solverOptions: .init(), policy: policy, options: implicitOptions)
    }
}

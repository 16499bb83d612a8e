import Glibc
import _ImplicitDiffKernels

/// A solved ``SinkhornProblem``: potentials, plan, cost, and the cost's gradient.
///
/// ```
/// P_ij = exp((f_i + g_j - C_ij) / eps),            sum(g) = 0
/// cost = <P, C> + eps sum_ij P_ij (log P_ij - 1)  = f'(P 1) + g'(P' 1) - eps sum_ij P_ij
/// ```
/// The plan is recomputed from the final potentials in the log domain, so it is
/// exactly the plan of `(f, g)` (no `0 * log 0`: `log P` is `(f_i + g_j - C_ij)/eps`).
/// On a forbidden route (`C_ij >= SinkhornProblem.forbiddenCostThreshold`) `P_ij = 0`
/// exactly and the route contributes nothing to the cost, its gradient or any derivative.
///
/// Every solution returned by ``SinkhornProblem/solve(options:)`` has passed the
/// independent check in ``certificate``.
///
/// Envelope theorem (no linear solve), along mass-preserving `da`, `db`:
/// ```
/// d cost = <P, dC> + <f, da> + <g, db> + d eps * sum_ij P_ij (log P_ij - 1)
/// d cost / d x_i = 2 sum_j P_ij (x_i - y_j),   d cost / d y_j = 2 sum_i P_ij (y_j - x_i)
/// ```
///
/// **Unbalanced problems** (``SinkhornProblem/tauA`` or ``SinkhornProblem/tauB`` below 1):
/// the cost includes the marginal penalties, and the potentials are unique (no gauge):
/// ```
/// cost = <P, C> + eps sum_ij P_ij (log P_ij - 1) + rho_a KL(P 1 | a) + rho_b KL(P' 1 | b)
///      = f'(P 1) + g'(P' 1) - eps sum_ij P_ij + rho_a KL(P 1 | a) + rho_b KL(P' 1 | b)
/// d cost = <P, dC> + <-rho_a expm1(-f / rho_a), da> + <-rho_b expm1(-g / rho_b), db>
///          + d eps (sum_ij P_ij (log P_ij - 1) + tau_a/(1 - tau_a) KL(P 1 | a) + tau_b/(1 - tau_b) KL(P' 1 | b))
/// ```
/// in every direction `(da, db)` (nothing is projected; for an exact side, `tau = 1`,
/// the weight gradient is its potential). This is the optimal value of the problem
/// ott-jax's unbalanced iteration solves; ott-jax 0.6's `reg_ot_cost` reports a different
/// number for `tau < 1` (<doc:SinkhornDerivativeConventions>).
/// The derivatives of the plan and of the potentials need a linear solve:
/// ``derivative(options:)``.
public struct SinkhornSolution: Sendable {
    /// The problem solved.
    public let problem: SinkhornProblem
    /// The cost matrix `C` (computed once for point clouds).
    public let costMatrix: Matrix
    /// Source potential `f` (`n`).
    public let f: Vector
    /// Target potential `g` (`m`), `sum(g) = 0` when balanced (unique as it is when unbalanced).
    public let g: Vector
    /// The transport plan `P` (`n x m`).
    public let plan: Matrix
    /// `<P, C> + eps sum P (log P - 1)`.
    public let cost: Double
    /// The derivative of the cost with respect to `eps`: `sum_ij P_ij (log P_ij - 1)`,
    /// plus `tau/(1 - tau) KL` of each relaxed marginal when unbalanced.
    public let entropyTerm: Double
    /// Sinkhorn iterations, summed over the epsilon-scaling stages.
    public internal(set) var iterations: Int
    /// Number of epsilon-scaling stages (1 without scaling).
    public let stages: Int
    /// `max(||P 1 - a||_1, ||P' 1 - b||_1) / sum(a)` of the reported plan; when
    /// unbalanced, against the relaxed conditions `s_a = a o exp(-f / rho_a)`,
    /// `s_b = b o exp(-g / rho_b)` and relative to `sum(s_a)`.
    public let marginalError: Double
    /// The independent check of the returned plan and potentials: marginal and mass
    /// errors re-summed from ``plan``, and the validity of every entry. A solution from
    /// ``SinkhornProblem/solve(options:)`` passes it at the requested tolerance.
    public private(set) var certificate: SinkhornCertificate
    /// `P 1` and `P' 1` of the reported plan.
    let rowSums: [Double]
    let columnSums: [Double]
    /// What the conditions ask of `P 1` and `P' 1`: `a` and `b` when balanced,
    /// `s_a = a o exp(-f / rho_a)` and `s_b = b o exp(-g / rho_b)` when relaxed.
    let rowTargets: [Double]
    let columnTargets: [Double]

    /// The solution of the potentials `(f, g)`; with `certify`, checked at once
    /// (otherwise ``certificate`` is `.unchecked` until ``certified()``).
    init(problem: SinkhornProblem, costMatrix c: Matrix, f: Vector, g: Vector, iterations: Int, stages: Int,
         certify: Bool = true) {
        self.problem = problem
        self.costMatrix = c
        self.f = f
        self.g = g
        self.iterations = iterations
        self.stages = stages
        let n = c.rows, m = c.columns, eps = problem.epsilon, inv = 1 / eps
        let limit = problem.forbiddenThreshold
        var p = [Double](repeating: 0, count: n * m)
        var rows = [Double](repeating: 0, count: n), cols = [Double](repeating: 0, count: m)
        var transport = 0.0
        c.scalars.withUnsafeBufferPointer { cp in
            p.withUnsafeMutableBufferPointer { pp in
                g.scalars.withUnsafeBufferPointer { gp in
                    for i in 0..<n {
                        let base = i * m, fi = f[i]
                        for j in 0..<m {
                            // A forbidden route: log P = -inf, P = 0 exactly (whatever eps).
                            let cij = cp[base + j]
                            pp[base + j] = cij < limit ? (fi + gp[j] - cij) * inv : -.infinity
                        }
                        exponentiate(pp, base..<(base + m), minus: 0)
                        var rs = 0.0
                        for j in 0..<m {
                            let x = pp[base + j]
                            rs += x
                            cols[j] += x
                            transport += x * cp[base + j]
                        }
                        rows[i] = rs
                    }
                }
            }
        }
        plan = Matrix(rows: n, columns: m, scalars: p)
        rowSums = rows
        columnSums = cols
        let total = rows.reduce(0, +)
        let dual = f.dot(Vector(rows)) + g.dot(Vector(cols))
        let (ra, rb) = (problem.relaxationA, problem.relaxationB)
        rowTargets = ra.target(weights: problem.a.scalars, potential: f.scalars, epsilon: eps)
        columnTargets = rb.target(weights: problem.b.scalars, potential: g.scalars, epsilon: eps)
        if problem.isBalanced {
            cost = dual - eps * total
            entropyTerm = (dual - transport) * inv - total
        } else {
            let pa = ra.penalty(marginal: rows, weights: problem.a.scalars, epsilon: eps)
            let pb = rb.penalty(marginal: cols, weights: problem.b.scalars, epsilon: eps)
            cost = dual - eps * total + pa.value + pb.value
            entropyTerm = (dual - transport) * inv - total + pa.epsilonDerivative + pb.epsilonDerivative
        }
        var rowError = 0.0, columnError = 0.0
        for i in 0..<n { rowError += abs(rows[i] - rowTargets[i]) }
        for j in 0..<m { columnError += abs(cols[j] - columnTargets[j]) }
        marginalError = Swift.max(rowError, columnError) / (problem.isBalanced ? problem.a.sum() : rowTargets.reduce(0, +))
        certificate = .unchecked
        if certify { certificate = check() }
    }

    /// The independent check of this solution's plan and potentials.
    func check() -> SinkhornCertificate {
        SinkhornCertificate(plan: plan.scalars, rows: plan.rows, columns: plan.columns, a: rowTargets,
                            b: columnTargets, cost: costMatrix.scalars, forbiddenThreshold: problem.forbiddenThreshold,
                            f: f.scalars, g: g.scalars, epsilon: problem.epsilon,
                            costIsFinite: cost.isFinite && entropyTerm.isFinite)
    }

    /// This solution with its iteration count replaced (after a Newton finish).
    func withIterations(_ count: Int) -> SinkhornSolution {
        var s = self
        s.iterations = count
        return s
    }

    /// This solution with its ``certificate`` computed.
    func certified() -> SinkhornSolution {
        var s = self
        s.certificate = check()
        return s
    }

    /// The gradient of the cost (envelope theorem, no solve): `dC = P`, `da = f`,
    /// `db = g` (projected to zero sum), `d eps = sum P (log P - 1)`, and for point clouds
    /// `dx_i = 2 sum_j P_ij (x_i - y_j)`, `dy_j = 2 sum_i P_ij (y_j - x_i)`. When
    /// unbalanced: `da = -rho_a expm1(-f / rho_a)`, `db = -rho_b expm1(-g / rho_b)` (not
    /// projected) and `d eps` = ``entropyTerm`` with its penalty terms.
    public var costGradient: SinkhornParameterTangent {
        let (ga, gb) = weightGradients
        var t = SinkhornParameterTangent(costMatrix: plan, a: ga, b: gb, epsilon: entropyTerm)
        if case .pointClouds = problem.geometry { (t.x, t.y) = pointCloudGradient(costGradient: plan) }
        return t
    }

    /// `d cost / d a` and `d cost / d b`: `f`, `g` projected to zero sum when balanced;
    /// `-rho expm1(-f / rho)` (the potential itself on an exact side) when unbalanced.
    var weightGradients: (a: Vector, b: Vector) {
        if problem.isBalanced { return (f.projectedToZeroSum(), g.projectedToZeroSum()) }
        let eps = problem.epsilon
        return (Vector(problem.relaxationA.weightGradient(potential: f.scalars, epsilon: eps)),
                Vector(problem.relaxationB.weightGradient(potential: g.scalars, epsilon: eps)))
    }

    /// The diagonal blocks of the linearised conditions (times `eps`):
    /// `P 1 + kappa_a s_a` and `P' 1 + kappa_b s_b` (`P 1`, `P' 1` when balanced).
    var conditionDiagonals: (rows: [Double], columns: [Double]) {
        if problem.isBalanced { return (rowSums, columnSums) }
        let ka = problem.relaxationA.kappa, kb = problem.relaxationB.kappa
        var dr = rowSums, dc = columnSums
        for i in 0..<dr.count { dr[i] += ka * rowTargets[i] }
        for j in 0..<dc.count { dc[j] += kb * columnTargets[j] }
        return (dr, dc)
    }

    /// Prepares the derivative of the plan and potentials: builds (and, for a direct
    /// solve, factorises once) the Schur-complement system; see ``SinkhornDerivative``.
    public func derivative(options: ImplicitOptions = .init()) throws -> SinkhornDerivative {
        try SinkhornDerivative(solution: self, options: options)
    }

    /// Up to `steps` Newton steps on the marginal conditions towards rounding accuracy
    /// (``newtonFinished(tolerance:maxSteps:)`` with the tolerance `4e-15`): near the
    /// solution Newton converges quadratically, so the potentials become accurate to
    /// rounding. Not certified (the caller certifies the one it keeps).
    func polished(steps: Int) -> SinkhornSolution {
        newtonFinished(tolerance: 4e-15, maxSteps: steps).solution
    }

    /// `(f_i + g_j - C_ij) / eps = log P_ij` for row `i`, written into `out`; `0` on a
    /// forbidden route (where `P_ij = 0`: every use multiplies by `P_ij`, and `-infinity`
    /// would turn `0 * log P` into NaN).
    @inline(__always)
    func logPlanRow(_ i: Int, _ cp: UnsafeBufferPointer<Double>, _ gp: UnsafeBufferPointer<Double>,
                    into out: UnsafeMutableBufferPointer<Double>) {
        let m = g.count, base = i * m, fi = f[i], inv = 1 / problem.epsilon, limit = problem.forbiddenThreshold
        for j in 0..<m {
            let c = cp[base + j]
            out[j] = c < limit ? (fi + gp[j] - c) * inv : 0
        }
    }

    /// Chain rule through `C_ij = ||x_i - y_j||^2` for a gradient `G = dL/dC`:
    /// `dL/dx = 2 (diag(G 1) x - G y)`, `dL/dy = 2 (diag(G' 1) y - G' x)`.
    func pointCloudGradient(costGradient gc: Matrix) -> (x: Matrix, y: Matrix) {
        guard case let .pointClouds(x, y) = problem.geometry else { return (.zero, .zero) }
        let n = x.rows, m = y.rows, d = x.columns
        var gx = Matrix.product(gc, transposed: false, y, transposed: false)
        var gy = Matrix.product(gc, transposed: true, x, transposed: false)
        var rs = [Double](repeating: 0, count: n), cs = [Double](repeating: 0, count: m)
        gc.scalars.withUnsafeBufferPointer { gp in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<m {
                    let v = gp[i * m + j]
                    s += v
                    cs[j] += v
                }
                rs[i] = s
            }
        }
        for i in 0..<n { for k in 0..<d { gx.scalars[i * d + k] = 2 * (rs[i] * x.scalars[i * d + k] - gx.scalars[i * d + k]) } }
        for j in 0..<m { for k in 0..<d { gy.scalars[j * d + k] = 2 * (cs[j] * y.scalars[j * d + k] - gy.scalars[j * d + k]) } }
        return (gx, gy)
    }

    /// The cost tangent `dC = dC_given + 2 (x_i - y_j)'(dx_i - dy_j)`.
    func costTangent(_ t: SinkhornParameterTangent) throws -> Matrix {
        let n = plan.rows, m = plan.columns
        var dc = t.costMatrix.materialized(rows: n, columns: m)
        guard dc.rows == n, dc.columns == m else {
            throw SinkhornError.dimensionMismatch("cost tangent is \(dc.rows) x \(dc.columns), expected \(n) x \(m)")
        }
        let hasPoints = !t.x.scalars.isEmpty || !t.y.scalars.isEmpty
        guard hasPoints else { return dc }
        guard case let .pointClouds(x, y) = problem.geometry else {
            throw SinkhornError.dimensionMismatch("point-cloud tangents given for a problem with a cost matrix")
        }
        let dx = t.x.materialized(rows: x.rows, columns: x.columns), dy = t.y.materialized(rows: y.rows, columns: y.columns)
        guard dx.rows == x.rows, dx.columns == x.columns, dy.rows == y.rows, dy.columns == y.columns else {
            throw SinkhornError.dimensionMismatch("point-cloud tangents of shapes \(dx.rows) x \(dx.columns) and \(dy.rows) x \(dy.columns) for x \(x.rows) x \(x.columns), y \(y.rows) x \(y.columns)")
        }
        let xdy = Matrix.product(x, transposed: false, dy, transposed: true)
        let dxy = Matrix.product(dx, transposed: false, y, transposed: true)
        let d = x.columns
        var s = [Double](repeating: 0, count: n), r = [Double](repeating: 0, count: m)
        for i in 0..<n { for k in 0..<d { s[i] += x.scalars[i * d + k] * dx.scalars[i * d + k] } }
        for j in 0..<m { for k in 0..<d { r[j] += y.scalars[j * d + k] * dy.scalars[j * d + k] } }
        if dc.scalars.isEmpty { dc = Matrix(rows: n, columns: m) }
        for i in 0..<n {
            for j in 0..<m {
                dc.scalars[i * m + j] += 2 * (s[i] + r[j] - xdy.scalars[i * m + j] - dxy.scalars[i * m + j])
            }
        }
        return dc
    }
}

extension Vector {
    /// `v - mean(v)`: the orthogonal projection onto the sum-zero subspace.
    func projectedToZeroSum() -> Vector {
        if scalars.isEmpty { return self }
        return self - sum() / Double(count)
    }
}

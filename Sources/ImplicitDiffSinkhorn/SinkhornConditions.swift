import Glibc

/// The dual first-order conditions of entropic optimal transport as
/// `ImplicitConditions`, for the core's generic machinery (`ImplicitFunction`,
/// `ImplicitDerivative`). Parameters `x = [vec(C), a, b, eps]` (row-major `C`),
/// unknowns `y = [f, g]`:
/// ```
/// F(x, y) = [ P 1 - a                 ]      P_ij = exp((f_i + g_j - C_ij) / eps)
///           [ P' 1 - b + sum(g) 1     ]
/// ```
/// The term `sum(g) 1` fixes the gauge `(f + t, g - t)`: it vanishes at the reported
/// solution (`sum(g) = 0`) and makes
/// ```
/// A = dF/dy = (1/eps) [diag(P 1)  P        ]  +  [0  0  ]
///                     [P'         diag(P'1)]     [0  11']
/// ```
/// symmetric positive definite. `B = dF/dx` applies as
/// `B [dC, da, db, de] = -(1/eps) [(P o D) 1; (P o D)' 1] - [da; db]` with
/// `D = dC + log(P) de`. Derivatives are meaningful along mass-preserving `(da, db)`
/// (`sum(da) = sum(db)`), as for the problem itself.
///
/// **Unbalanced** (`tauA` or `tauB` below 1, ``SinkhornProblem/tauA``): with
/// `s_a = a o exp(-kappa_a f / eps)`, `s_b = b o exp(-kappa_b g / eps)`,
/// `kappa = (1 - tau)/tau`, the conditions have no gauge term,
/// ```
/// F(x, y) = [ P 1 - s_a  ]        A = (1/eps) [diag(P 1 + kappa_a s_a)  P                    ]
///           [ P' 1 - s_b ]                    [P'                     diag(P' 1 + kappa_b s_b)]
/// ```
/// positive definite, and `B [dC, da, db, de] = -(1/eps) [(P o D) 1; (P o D)' 1]
/// - [(s_a / a) o da; (s_b / b) o db] - (de / eps^2) [kappa_a s_a o f; kappa_b s_b o g]`.
///
/// ``SinkhornDerivative`` solves the same system faster (Schur complement of size
/// `min(n, m)`); these conditions let the generic path (dense Cholesky of order `n + m`)
/// serve as an independent check and make ``SinkhornProblem/layer(rows:columns:tauA:tauB:solverOptions:options:)`` possible.
public struct SinkhornConditions: ImplicitConditions {
    public typealias Byproduct = Void
    /// `n`, the number of sources.
    public let rows: Int
    /// `m`, the number of targets.
    public let columns: Int
    /// The relaxations of the marginals, in `(0, 1]` (``SinkhornProblem/tauA``, ``SinkhornProblem/tauB``).
    public let tauA: Double
    public let tauB: Double

    /// The conditions of problems with `n = rows` sources and `m = columns` targets
    /// (balanced unless `tauA` or `tauB` is below 1).
    public init(rows: Int, columns: Int, tauA: Double = 1, tauB: Double = 1) {
        self.rows = rows
        self.columns = columns
        self.tauA = tauA
        self.tauB = tauB
    }

    var balanced: Bool { tauA == 1 && tauB == 1 }

    /// `s_a`, `s_b` (``MarginalRelaxation/target(weights:potential:epsilon:)``) for `(x, y)`.
    func targets(x: Vector, y: Vector) -> (sa: [Double], sb: [Double]) {
        let (_, a, b, eps) = unpack(x)
        let n = rows
        return (MarginalRelaxation(tau: tauA).target(weights: a, potential: Array(y.scalars[0..<n]), epsilon: eps),
                MarginalRelaxation(tau: tauB).target(weights: b, potential: Array(y.scalars[n...]), epsilon: eps))
    }

    /// `C`, `a`, `b`, `eps` from `x = [vec(C), a, b, eps]`.
    func unpack(_ x: Vector) -> (c: [Double], a: [Double], b: [Double], eps: Double) {
        let nm = rows * columns
        return (Array(x.scalars[0..<nm]), Array(x.scalars[nm..<(nm + rows)]),
                Array(x.scalars[(nm + rows)..<(nm + rows + columns)]), x[nm + rows + columns])
    }

    /// The plan and its log for `(x, y)`; a forbidden route
    /// (`C_ij >= SinkhornProblem.forbiddenCostThreshold`) has `P_ij = 0` and, as its log,
    /// `0` (every use multiplies it by `P_ij`).
    func plan(x: Vector, y: Vector) -> (p: [Double], logP: [Double]) {
        let (c, _, _, eps) = unpack(x)
        let n = rows, m = columns
        var p = [Double](repeating: 0, count: n * m), l = p
        for i in 0..<n {
            for j in 0..<m where c[i * m + j] < SinkhornProblem.forbiddenCostThreshold {
                let t = (y[i] + y[n + j] - c[i * m + j]) / eps
                l[i * m + j] = t
                p[i * m + j] = Glibc.exp(t)
            }
        }
        return (p, l)
    }

    public func residual(x: Vector, y: Vector, byproduct: Void) -> Vector {
        let (_, a, b, _) = unpack(x)
        let n = rows, m = columns
        let (p, _) = plan(x: x, y: y)
        var r = [Double](repeating: 0, count: n + m)
        for i in 0..<n { for j in 0..<m { r[i] += p[i * m + j]; r[n + j] += p[i * m + j] } }
        if !balanced {
            let (sa, sb) = targets(x: x, y: y)
            for i in 0..<n { r[i] -= sa[i] }
            for j in 0..<m { r[n + j] -= sb[j] }
            return Vector(r)
        }
        let gaugeTerm = y.scalars[n...].reduce(0, +)
        for i in 0..<n { r[i] -= a[i] }
        for j in 0..<m { r[n + j] += gaugeTerm - b[j] }
        return Vector(r)
    }

    public func linearize(x: Vector, y: Vector, byproduct: Void) throws -> ConditionsLinearization {
        let n = rows, m = columns, nm = n * m
        let eps = unpack(x).eps
        let (p, logP) = plan(x: x, y: y)
        var rs = [Double](repeating: 0, count: n), cs = [Double](repeating: 0, count: m)
        for i in 0..<n { for j in 0..<m { rs[i] += p[i * m + j]; cs[j] += p[i * m + j] } }
        // Unbalanced: diagonal blocks P 1 + kappa_a s_a, P' 1 + kappa_b s_b; the weights'
        // and eps's columns of B scaled by s / w and kappa s o h / eps^2.
        let balanced = self.balanced
        let (sa, sb) = balanced ? (unpack(x).a, unpack(x).b) : targets(x: x, y: y)
        let (wa, wb) = (unpack(x).a, unpack(x).b)
        let (ka, kb) = (MarginalRelaxation(tau: tauA).kappa, MarginalRelaxation(tau: tauB).kappa)
        for i in 0..<n { rs[i] += ka * sa[i] }
        for j in 0..<m { cs[j] += kb * sb[j] }
        var weightScale = [Double](repeating: 1, count: n + m), epsColumn = [Double](repeating: 0, count: n + m)
        if !balanced {
            for i in 0..<n { weightScale[i] = sa[i] / wa[i]; epsColumn[i] = ka * sa[i] * y[i] / (eps * eps) }
            for j in 0..<m { weightScale[n + j] = sb[j] / wb[j]; epsColumn[n + j] = kb * sb[j] * y[n + j] / (eps * eps) }
        }
        let (rowSums, columnSums, scale, epsTerm) = (rs, cs, weightScale, epsColumn)
        let a = FunctionOperator(rows: n + m, columns: n + m, apply: { v in
            let total = balanced ? v.scalars[n...].reduce(0, +) : 0
            var out = [Double](repeating: 0, count: n + m)
            for i in 0..<n {
                for j in 0..<m {
                    out[i] += p[i * m + j] * v[n + j]
                    out[n + j] += p[i * m + j] * v[i]
                }
            }
            for i in 0..<n { out[i] = (out[i] + rowSums[i] * v[i]) / eps }
            for j in 0..<m { out[n + j] = (out[n + j] + columnSums[j] * v[n + j]) / eps + total }
            return Vector(out)
        }, applyTransposed: nil)
        let b = FunctionOperator(rows: n + m, columns: nm + n + m + 1, apply: { t in
            var out = [Double](repeating: 0, count: n + m)
            let de = t[nm + n + m]
            for i in 0..<n {
                for j in 0..<m {
                    let pd = p[i * m + j] * (t[i * m + j] + logP[i * m + j] * de) / eps
                    out[i] -= pd
                    out[n + j] -= pd
                }
            }
            for k in 0..<(n + m) { out[k] -= scale[k] * t[nm + k] + epsTerm[k] * de }
            return Vector(out)
        }, applyTransposed: { w in
            var out = [Double](repeating: 0, count: nm + n + m + 1)
            var de = 0.0
            for i in 0..<n {
                for j in 0..<m {
                    let g = -p[i * m + j] * (w[i] + w[n + j]) / eps
                    out[i * m + j] = g
                    de += g * logP[i * m + j]
                }
            }
            for k in 0..<(n + m) {
                out[nm + k] = -scale[k] * w[k]
                de -= epsTerm[k] * w[k]
            }
            out[nm + n + m] = de
            return Vector(out)
        })
        return ConditionsLinearization(a: SymmetricOperator(base: a), b: b, isPositiveDefinite: true)
    }
}

/// A symmetric operator known by its product: its transpose is itself. Not API.
struct SymmetricOperator: AdjointableLinearOperator, Sendable {
    let base: FunctionOperator
    var rowCount: Int { base.rowCount }
    var columnCount: Int { base.columnCount }
    func apply(_ v: Vector) -> Vector { base.apply(v) }
    func applyTransposed(_ v: Vector) -> Vector { base.apply(v) }
}

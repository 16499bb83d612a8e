/// The independent check of a linear program's answer, run on the problem's own data
/// (not GLPK's scaled copy) before the answer is reported as optimal.
///
/// For `minimize c'z + gamma/2 ||z||^2  s.t.  A z = b,  G z <= h` (`gamma = 0`: the LP)
/// with multipliers `y = [lambda; mu]` of the Lagrangian
/// `c'z + gamma/2 ||z||^2 + lambda'(A z - b) + mu'(G z - h)`, write `K = [A; G]`,
/// `r = [b; h]`, `s_i = h_i - G_i z` (slack) and `d = c + gamma z + K'y` (the gradient of
/// the Lagrangian, zero at an optimum). Each figure is a relative residual: a violation
/// divided by the magnitude of the terms it is computed from, so that it is unchanged when
/// a row, a column or the objective is scaled, and a value near machine precision means
/// "exact up to rounding":
/// ```
/// row scale      rho_i   = |r_i| + sum_j |K_ij z_j| + max_j |K_ij| ||z||_inf
/// column scale   sigma_j = |c_j| + gamma |z_j| + sum_i |K_ij y_i| + max_i |K_ij| ||y||_inf
/// primal          = max_i  v_i / rho_i,   v_i = |A_i z - b_i| (equalities), max(G_i z - h_i, 0)
/// dual            = max( max_j |d_j| / sigma_j,  max_i max(-mu_i, 0) max_j |G_ij| / ||sigma||_inf )
/// complementarity = max_i  (|mu_i| max_j |G_ij| / ||sigma||_inf) * (max(s_i, 0) / rho_i)
/// gap             = |c'z + gamma z'z + r'y| / (|c|'|z| + gamma z'z + sum_i |y_i| rho_i)
/// ```
/// (`0/0` counts as 0). `c'z + gamma z'z + r'y` is the difference between the primal
/// objective and the dual objective `-r'y - gamma/2 ||z||^2`; it vanishes at an optimum.
/// The `max_j |K_ij| ||z||_inf` term of `rho_i` admits the rounding error of a computed
/// vertex (about `eps ||z||_inf` in every entry), which a component that should be zero
/// carries: without it a degenerate vertex would fail. `max_i |K_ij| ||y||_inf` does the
/// same for the multipliers (netlib's share1b has basic columns whose only term is a
/// multiplier of size 1e-29 that should be 0).
///
/// The answer passes when every figure is at most ``tolerance``
/// (``LPOptions/certificateTolerance``); otherwise the solver reports
/// ``LPError/notConverged(_:)`` with the figures instead of an optimum.
public struct LPCertificate: Sendable, Equatable, CustomStringConvertible {
    /// Worst relative violation of `A z = b` and `G z <= h`.
    public var primal: Double
    /// Worst relative residual of `c + gamma z + A'lambda + G'mu = 0` and of `mu >= 0`.
    public var dual: Double
    /// Worst relative product of a multiplier and its constraint's slack.
    public var complementarity: Double
    /// Relative difference of the primal and the dual objective.
    public var gap: Double
    /// The threshold every figure was compared with.
    public var tolerance: Double

    /// A certificate with the given figures.
    public init(primal: Double, dual: Double, complementarity: Double, gap: Double, tolerance: Double) {
        self.primal = primal
        self.dual = dual
        self.complementarity = complementarity
        self.gap = gap
        self.tolerance = tolerance
    }

    /// The largest figure.
    public var worst: Double { [primal, dual, complementarity, gap].reduce(0) { Swift.max($0, $1.isNaN ? .infinity : $1) } }

    /// Whether every figure is at most ``tolerance`` (NaN fails).
    public var passed: Bool { worst <= tolerance }

    /// `(name, value)` pairs in the order `primal`, `dual`, `complementarity`, `gap` (the
    /// CLI writes them to `stats.certificate`).
    public var figures: [(name: String, value: Double)] {
        [("primal", primal), ("dual", dual), ("complementarity", complementarity), ("gap", gap)]
    }

    public var description: String {
        "relative primal residual \(shortNumber(primal)), dual residual \(shortNumber(dual)), "
            + "complementarity \(shortNumber(complementarity)), duality gap \(shortNumber(gap)) "
            + "(tolerance \(shortNumber(tolerance)))"
    }

    /// Checks `(z, lambda, mu)` on the data of `problem` (see the type's description).
    static func check(_ problem: LinearProgram, gamma: Double = 0, z: Vector, lambda: Vector, mu: Vector,
                      tolerance: Double) -> LPCertificate {
        let n = problem.c.count, p = problem.A.rows, m = problem.G.rows
        let zs = z.scalars, c = problem.c.scalars
        let zNorm = zs.reduce(0) { max($0, abs($1)) }
        var d = (0..<n).map { c[$0] + gamma * zs[$0] }
        var sigma = (0..<n).map { abs(c[$0]) + gamma * abs(zs[$0]) }
        var primal = 0.0, gapTerms = 0.0, rowInfo = [(rowMax: Double, slack: Double, rho: Double)]()
        rowInfo.reserveCapacity(m)
        var ry = 0.0
        // One pass over each row of K: its activity, scales, and its contribution to K'y.
        func row(_ k: UnsafeBufferPointer<Double>, _ offset: Int, rhs: Double, y: Double, isEquality: Bool) {
            var activity = 0.0, magnitude = 0.0, rowMax = 0.0
            for j in 0..<n {
                let v = k[offset + j]
                if v == 0 { continue }
                activity += v * zs[j]
                magnitude += abs(v * zs[j])
                rowMax = max(rowMax, abs(v))
                if y != 0 {
                    d[j] += v * y
                    sigma[j] += abs(v * y)
                }
            }
            let rho = abs(rhs) + magnitude + rowMax * zNorm
            let violation = isEquality ? abs(activity - rhs) : max(activity - rhs, 0)
            primal = max(primal, ratio(violation, rho))
            gapTerms += abs(y) * rho
            ry += rhs * y
            if !isEquality { rowInfo.append((rowMax, rhs - activity, rho)) }
        }
        problem.A.scalars.withUnsafeBufferPointer { a in
            for i in 0..<p { row(a, i * n, rhs: problem.b[i], y: lambda[i], isEquality: true) }
        }
        problem.G.scalars.withUnsafeBufferPointer { g in
            for i in 0..<m { row(g, i * n, rhs: problem.h[i], y: mu[i], isEquality: false) }
        }
        // The multipliers' rounding floor: max_i |K_ij| ||y||_inf.
        let yNorm = max(lambda.scalars.reduce(0) { max($0, abs($1)) }, mu.scalars.reduce(0) { max($0, abs($1)) })
        if yNorm > 0 {
            var columnMax = [Double](repeating: 0, count: n)
            for k in [problem.A, problem.G] {
                k.scalars.withUnsafeBufferPointer { s in
                    for i in 0..<k.rows {
                        for j in 0..<n where s[i * n + j] != 0 { columnMax[j] = max(columnMax[j], abs(s[i * n + j])) }
                    }
                }
            }
            for j in 0..<n { sigma[j] += columnMax[j] * yNorm }
        }
        var dual = 0.0
        for j in 0..<n { dual = max(dual, ratio(abs(d[j]), sigma[j])) }
        let sigmaNorm = sigma.reduce(0) { max($0, $1) }
        var complementarity = 0.0
        for i in 0..<m {
            let info = rowInfo[i], muI = mu[i]
            dual = max(dual, ratio(max(-muI, 0) * info.rowMax, sigmaNorm))
            complementarity = max(complementarity,
                                  ratio(abs(muI) * info.rowMax, sigmaNorm) * ratio(max(info.slack, 0), info.rho))
        }
        var cz = 0.0, czMagnitude = 0.0
        for j in 0..<n {
            cz += c[j] * zs[j]
            czMagnitude += abs(c[j] * zs[j])
        }
        let zz = zs.reduce(0) { $0 + $1 * $1 }
        let gap = ratio(abs(cz + gamma * zz + ry), czMagnitude + gamma * zz + gapTerms)
        return LPCertificate(primal: primal, dual: dual, complementarity: complementarity, gap: gap, tolerance: tolerance)
    }

    /// `value / scale`, with `0/0 = 0` and `x/0 = inf` (NaN stays NaN).
    private static func ratio(_ value: Double, _ scale: Double) -> Double {
        if value == 0 { return 0 }
        return scale > 0 ? value / scale : (value.isNaN ? .nan : .infinity)
    }
}

/// The ranges of data the LP code accepts, and the sizes it allocates at most.
///
/// GLPK scales the constraint matrix (geometric mean, then equilibration) with factors
/// `1/sqrt(min |a| max |a|)` per row and column. With entries beyond about `1e150` (or
/// non-zero entries below `1e-150`) those products leave the double range and GLPK stops
/// with "invalid scale factor" (measured with GLPK 5.0: 1 x 2 rows `[1e160, 1]` and
/// `[1e-170, 1]` fail, random matrices with entries in `[1e-150, 1e150]` never did). Data
/// are therefore limited, with a margin, to magnitudes at most ``maximumMagnitude`` and
/// non-zero matrix entries at least ``minimumMatrixMagnitude``; anything outside is
/// ``LPError/invalidProblem(_:)`` naming the entry.
public enum LPDataLimits {
    /// Largest magnitude of any entry of `c`, `A`, `b`, `G`, `h` (and of a model's bounds): `1e100`.
    public static let maximumMagnitude = 1e100
    /// Smallest magnitude of a non-zero entry of `A` or `G`: `1e-100`.
    public static let minimumMatrixMagnitude = 1e-100
    /// Largest dense constraint matrix `[A; G]` a model file may become, in bytes (8 per
    /// entry): 4 GiB. Until LP is sparse end to end, a model read from a file is solved
    /// in the dense ``LinearProgram`` form (rows `A`, `G`, and one row per finite bound),
    /// and the process needs about three times this size: netlib's fit2p (24 025 x 13 525,
    /// 2.6 GB dense, the largest of the netlib models the tests use) solves in about 2
    /// minutes with 7 GB; a 2 MB file with 60 000 bounded columns (28.8 GB dense) is refused.
    public static let maximumDenseBytes = 4 << 30
    /// Largest model file (MPS or CPLEX LP) read: 256 MiB.
    public static let maximumModelFileBytes = 256 << 20

    /// Checks one vector of data against ``maximumMagnitude``.
    static func check(_ v: Vector, _ name: String) throws {
        for (i, x) in v.scalars.enumerated() where abs(x) > maximumMagnitude {
            throw LPError.invalidProblem("\(name)[\(i)] = \(x) is outside the range GLPK can work with "
                                         + "(magnitudes up to \(maximumMagnitude))")
        }
    }

    /// Checks one matrix of data against ``maximumMagnitude`` and ``minimumMatrixMagnitude``.
    static func check(_ a: Matrix, _ name: String) throws {
        for (e, x) in a.scalars.enumerated() where x != 0 {
            let magnitude = abs(x)
            if magnitude > maximumMagnitude || magnitude < minimumMatrixMagnitude {
                throw LPError.invalidProblem(
                    "\(name)[\(e / a.columns), \(e % a.columns)] = \(x) is outside the range GLPK's scaling can "
                        + "represent (non-zero entries between \(minimumMatrixMagnitude) and \(maximumMagnitude) "
                        + "in magnitude; rescale the row or the variable, or write a negligible entry as 0)")
            }
        }
    }
}

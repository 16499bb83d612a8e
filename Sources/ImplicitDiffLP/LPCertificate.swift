/// The independent check of a linear program's answer, run on the problem's own data
/// (not GLPK's scaled copy) before the answer is reported as optimal.
///
/// For `minimize c'z + gamma/2 ||z||^2  s.t.  A z = b,  G z <= h` (`gamma = 0`: the LP)
/// with multipliers `y = [lambda; mu]` of the Lagrangian
/// `c'z + gamma/2 ||z||^2 + lambda'(A z - b) + mu'(G z - h)`, write `K = [A; G]`,
/// `r = [b; h]`, `s_i = h_i - G_i z` (slack) and `d = c + gamma z + K'y` (the gradient of
/// the Lagrangian, zero at an optimum). Each figure is a relative residual: a violation
/// divided by the magnitude of the terms it is computed from, and a value near machine
/// precision means "exact up to rounding".
///
/// The figures are computed after an exact equilibration of the data (powers of two
/// `R`, `S` that bring every row and column of `[R K; c'] S` to max-norm about 1:
/// geometric-mean rounds, then max-norm; the variables become `S^-1 z`, the multipliers
/// `R^-1 y`), so that they do not change when rows, columns or the objective are scaled. With `K`, `z`,
/// `y`, `c`, `r` standing for the equilibrated quantities:
/// ```
/// row scale      rho_i   = |r_i| + sum_j |K_ij z_j| + max_j |K_ij| ||z||_inf
/// column scale   sigma_j = |c_j| + gamma S_j |z_j| + sum_i |K_ij y_i| + max_i |K_ij| ||y||_inf
/// primal          = max_i  v_i / rho_i,   v_i = |A_i z - b_i| (equalities), max(G_i z - h_i, 0)
/// dual            = max( max_j |d_j| / sigma_j,  max_(i,j) max(-mu_i, 0) |G_ij| / sigma_j )
/// complementarity = max_i  (max_j |mu_i G_ij| / sigma_j) * (max(s_i, 0) / rho_i)
/// gap             = |c'z + gamma z'z + r'y| / (|c|'|z| + gamma z'z + sum_i |y_i| rho_i)
/// ```
/// (`0/0` counts as 0; the gap is the same in both scalings). `c'z + gamma z'z + r'y` is
/// the difference between the primal objective and the dual objective
/// `-r'y - gamma/2 ||z||^2`; it vanishes at an optimum. The `max_j |K_ij| ||z||_inf` term of
/// `rho_i` admits the rounding error of a computed vertex (about `eps ||z||_inf` in every
/// entry, in the equilibrated variables), which a component that should be zero carries:
/// without it a degenerate vertex would fail. `max_i |K_ij| ||y||_inf` does the same for
/// the multipliers (netlib's share1b has basic columns whose only term is a multiplier of
/// size 1e-29 that should be 0). A negative multiplier is measured against the terms of
/// each column it enters.
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
    /// `matrix` is `[A; G]` in compressed rows when the caller has it.
    static func check(_ problem: LinearProgram, gamma: Double = 0, z: Vector, lambda: Vector, mu: Vector,
                      tolerance: Double, matrix: LPSparseRows? = nil) -> LPCertificate {
        let K = matrix ?? LPSparseRows(stacking: [problem.A, problem.G], columns: problem.c.count)
        return check(c: problem.c.scalars, matrix: K, rhs: problem.b.scalars + problem.h.scalars, equalityCount: problem.A.rows,
                     gamma: gamma, z: z.scalars, y: lambda.scalars + mu.scalars, tolerance: tolerance)
    }

    /// The same check on sparse data: `K = [A; G]` in compressed rows (the first
    /// `equalityCount` rows are equalities), `rhs = [b; h]`, `y = [lambda; mu]`. Memory is
    /// `O(rows + columns + non-zeros)` (``LPModel``'s answers are checked this way, on the
    /// model's rows with its finite column bounds as rows).
    static func check(c cOriginal: [Double], matrix K: LPSparseRows, rhs rhsOriginal: [Double], equalityCount p: Int,
                      gamma: Double = 0, z zOriginal: [Double], y yOriginal: [Double], tolerance: Double) -> LPCertificate {
        let n = cOriginal.count, k = K.rowCount
        // Equilibrate [K; c'] (the objective as one more row), so that the equilibrated
        // objective, and with it the multipliers, have comparable entries: then the noise
        // floors below, which use ||z||_inf and ||y||_inf, are of the size of rounding.
        var cColumns = [Int](), cValues = [Double]()
        for j in 0..<n where cOriginal[j] != 0 {
            cColumns.append(j)
            cValues.append(cOriginal[j])
        }
        let augmented = LPSparseRows(rowCount: k + 1, columnCount: n, rowStart: K.rowStart + [K.rowStart[k] + cColumns.count],
                                     columnIndices: K.columnIndices + cColumns, values: K.values + cValues)
        let (augmentedR, S) = augmented.equilibration()
        let R = Array(augmentedR[0..<k])
        // Equilibrated variables, multipliers, objective and right-hand side.
        let z = (0..<n).map { zOriginal[$0] / S[$0] }, y = (0..<k).map { yOriginal[$0] / R[$0] }
        let c = (0..<n).map { cOriginal[$0] * S[$0] }, rhs = (0..<k).map { rhsOriginal[$0] * R[$0] }
        let zNorm = z.reduce(0) { max($0, abs($1)) }, yNorm = y.reduce(0) { max($0, abs($1)) }
        // gamma z_j enters column j of the equilibrated stationarity as gamma S_j z_j (original z).
        var d = (0..<n).map { c[$0] + gamma * S[$0] * (z[$0] * S[$0]) }
        var sigma = (0..<n).map { abs(c[$0]) + gamma * S[$0] * abs(z[$0] * S[$0]) }
        var columnMax = [Double](repeating: 0, count: n)
        var rho = [Double](repeating: 0, count: k), rowMax = [Double](repeating: 0, count: k)
        var slack = [Double](repeating: 0, count: k)
        var primal = 0.0, gapTerms = 0.0
        for i in 0..<k {
            var activity = 0.0, magnitude = 0.0, largest = 0.0
            for e in K.rowStart[i]..<K.rowStart[i + 1] {
                let j = K.columnIndices[e], v = K.values[e] * R[i] * S[j]
                activity += v * z[j]
                magnitude += abs(v * z[j])
                largest = max(largest, abs(v))
                columnMax[j] = max(columnMax[j], abs(v))
                if y[i] != 0 {
                    d[j] += v * y[i]
                    sigma[j] += abs(v * y[i])
                }
            }
            rho[i] = abs(rhs[i]) + magnitude + largest * zNorm
            rowMax[i] = largest
            slack[i] = rhs[i] - activity
            let violation = i < p ? abs(activity - rhs[i]) : max(activity - rhs[i], 0)
            primal = max(primal, ratio(violation, rho[i]))
            gapTerms += abs(yOriginal[i]) * rho[i] / R[i]
        }
        for j in 0..<n { sigma[j] += columnMax[j] * yNorm }
        var dual = 0.0
        for j in 0..<n { dual = max(dual, ratio(abs(d[j]), sigma[j])) }
        var complementarity = 0.0
        for i in p..<k where y[i] != 0 {
            // The multiplier's share in the terms of each column it enters.
            var share = 0.0
            for e in K.rowStart[i]..<K.rowStart[i + 1] {
                let j = K.columnIndices[e], v = K.values[e] * R[i] * S[j]
                share = max(share, ratio(abs(v * y[i]), sigma[j]))
            }
            if y[i] < 0 { dual = max(dual, share) }
            complementarity = max(complementarity, share * ratio(max(slack[i], 0), rho[i]))
        }
        var cz = 0.0, czMagnitude = 0.0, ry = 0.0
        for j in 0..<n {
            cz += cOriginal[j] * z[j] * S[j]
            czMagnitude += abs(cOriginal[j] * z[j] * S[j])
        }
        for i in 0..<k { ry += rhsOriginal[i] * yOriginal[i] }
        let zz = (0..<n).reduce(0.0) { $0 + (z[$1] * S[$1]) * (z[$1] * S[$1]) }
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

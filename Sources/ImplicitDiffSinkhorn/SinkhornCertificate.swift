import Glibc

/// The independent check of a Sinkhorn answer, run on what is returned (the plan `P`,
/// the potentials `f`, `g` and the cost) before ``SinkhornProblem/solve(options:)``
/// reports it. It does not reuse any figure of the iteration: it re-sums the returned
/// plan (compensated, Neumaier's summation, so the sums are accurate to a few ulp):
/// ```
/// rowMarginalError    = ||P 1 - a||_1  / sum(a)
/// columnMarginalError = ||P' 1 - b||_1 / sum(a)
/// massError           = |sum_ij P_ij - sum(a)| / sum(a)
/// ```
/// and checks that every `P_ij` is finite and `>= 0`, that forbidden routes
/// (`C_ij >= SinkhornProblem.forbiddenCostThreshold`) carry exactly `P_ij = 0`, that `f`,
/// `g` and the cost are finite, and that the plan is the plan of the returned potentials:
/// a sample of up to ``sampleSize`` entries (spread over the matrix) is recomputed as
/// `exp((f_i + g_j - C_ij)/eps)` with `Glibc.exp` and must agree to `1e-12`
/// relative (`1e-300` absolute, for results in the subnormal range).
///
/// Unbalanced problems (``SinkhornProblem/tauA`` or ``SinkhornProblem/tauB`` below 1) are
/// checked against their relaxed conditions: `a` and `b` above become
/// `s_a = a o exp(-f / rho_a)` and `s_b = b o exp(-g / rho_b)` (recomputed from the
/// returned potentials), and every error is relative to `sum(s_a)`.
///
/// The answer passes at tolerance `tol` when the entries are valid and all three errors
/// are at most `tol`, strictly as asked. Tolerances below ``roundingFloor`` (`16 u`,
/// `u = 2^-52`) can rarely be met: each computed `P_ij` carries a relative rounding error
/// of a few `u`.
public struct SinkhornCertificate: Sendable, Equatable {
    /// `||P 1 - a||_1 / sum(a)` of the returned plan (`marginal_a` in the CLI's
    /// `stats.certificate`).
    public let rowMarginalError: Double
    /// `||P' 1 - b||_1 / sum(a)` of the returned plan (`marginal_b`).
    public let columnMarginalError: Double
    /// `|sum_ij P_ij - sum(a)| / sum(a)` (`mass`).
    public let massError: Double
    /// Every plan entry finite and non-negative, every forbidden route exactly zero, `f`,
    /// `g` and the cost finite, and the sampled entries equal to
    /// `exp((f_i + g_j - C_ij)/eps)`.
    public let entriesAreValid: Bool

    /// How many plan entries are recomputed from the potentials (all of them for plans
    /// up to this size).
    public static let sampleSize = 4096

    /// About the smallest tolerance that can be certified: `16 u = 3.6e-15`, the rounding
    /// of the plan's entries and their sums. Not applied by ``passes(tolerance:)``.
    public static let roundingFloor = 16 * Double.ulpOfOne

    /// Not checked yet: NaN errors, entries not valid (fails every tolerance).
    static let unchecked = SinkhornCertificate(rowMarginalError: .nan, columnMarginalError: .nan, massError: .nan,
                                               entriesAreValid: false)

    init(rowMarginalError: Double, columnMarginalError: Double, massError: Double, entriesAreValid: Bool) {
        self.rowMarginalError = rowMarginalError
        self.columnMarginalError = columnMarginalError
        self.massError = massError
        self.entriesAreValid = entriesAreValid
    }

    /// `max(rowMarginalError, columnMarginalError)`.
    public var marginalError: Double { Swift.max(rowMarginalError, columnMarginalError) }

    /// Whether the answer is certified at `tolerance`: valid entries and every error at
    /// most `tolerance` (a NaN error fails).
    public func passes(tolerance: Double) -> Bool {
        entriesAreValid && rowMarginalError <= tolerance && columnMarginalError <= tolerance && massError <= tolerance
    }

    /// The figures by the names of the CLI's `stats.certificate`.
    public var figures: [(name: String, value: Double)] {
        [("marginal_a", rowMarginalError), ("marginal_b", columnMarginalError), ("mass", massError)]
    }

    /// Checks `plan` (`n x m`, row-major) against the marginals. `cost` is the cost
    /// matrix and `forbiddenThreshold` the value from which an entry is a forbidden
    /// route (`+infinity`: none).
    init(plan: [Double], rows n: Int, columns m: Int, a: [Double], b: [Double], cost: [Double],
         forbiddenThreshold: Double, f: [Double], g: [Double], epsilon: Double, costIsFinite: Bool) {
        var valid = costIsFinite && f.allSatisfy(\.isFinite) && g.allSatisfy(\.isFinite)
        // The sampled entries against the potentials: k = t * step, t < sampleSize.
        let count = n * m, samples = Swift.min(count, Self.sampleSize)
        let step = Swift.max(1, count / Swift.max(samples, 1))
        for t in 0..<samples where valid {
            let k = (t * step) % count, i = k / m, j = k % m
            let c = cost[k]
            let expected = c < forbiddenThreshold ? Glibc.exp((f[i] + g[j] - c) / epsilon) : 0
            if !(Swift.abs(plan[k] - expected) <= 1e-12 * expected + 1e-300) { valid = false }
        }
        var columnSum = [Double](repeating: 0, count: m), columnCompensation = [Double](repeating: 0, count: m)
        var rowError = 0.0, total = 0.0, totalCompensation = 0.0
        plan.withUnsafeBufferPointer { pp in
            cost.withUnsafeBufferPointer { cp in
                columnSum.withUnsafeMutableBufferPointer { cs in
                    columnCompensation.withUnsafeMutableBufferPointer { cc in
                        for i in 0..<n {
                            let base = i * m
                            var s = 0.0, comp = 0.0
                            var bad = false
                            for j in 0..<m {
                                let p = pp[base + j]
                                // Finite, >= 0 (false for NaN), and zero on a forbidden route.
                                bad = bad || !(p >= 0 && p < .infinity) || (p != 0 && cp[base + j] >= forbiddenThreshold)
                                // Neumaier's compensated sums, rows and columns.
                                let t = s + p
                                comp += Swift.abs(s) >= p ? (s - t) + p : (p - t) + s
                                s = t
                                let c = cs[j], u = c + p
                                cc[j] += Swift.abs(c) >= p ? (c - u) + p : (p - u) + c
                                cs[j] = u
                            }
                            if bad { valid = false }
                            let rowSum = s + comp
                            rowError += Swift.abs(rowSum - a[i])
                            let t = total + rowSum
                            totalCompensation += Swift.abs(total) >= Swift.abs(rowSum) ? (total - t) + rowSum : (rowSum - t) + total
                            total = t
                        }
                    }
                }
            }
        }
        var columnError = 0.0
        for j in 0..<m { columnError += Swift.abs(columnSum[j] + columnCompensation[j] - b[j]) }
        var mass = 0.0, massCompensation = 0.0
        for v in a {
            let t = mass + v
            massCompensation += Swift.abs(mass) >= v ? (mass - t) + v : (v - t) + mass
            mass = t
        }
        mass += massCompensation
        rowMarginalError = rowError / mass
        columnMarginalError = columnError / mass
        massError = Swift.abs(total + totalCompensation - mass) / mass
        entriesAreValid = valid && rowMarginalError.isFinite && columnMarginalError.isFinite && massError.isFinite
    }
}

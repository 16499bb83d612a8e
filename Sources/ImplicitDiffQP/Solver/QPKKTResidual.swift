import Glibc

/// The relative KKT residuals of a candidate solution `(z, lambda, mu)` of a
/// ``QuadraticProgram``, computed on the original data and scaled so that they do not
/// depend on the units of the data.
///
/// They are the plain relative residuals (as OSQP and qpbenchmark define them) of the
/// problem with every row of `A` and `G` divided by its 2-norm (`a_i = ||A_i||_2`,
/// `g_i = ||G_i||_2`, 1 for a zero row), with the absolute floor `1` of the objective's
/// residuals lowered to the objective's data scale when that is smaller:
/// `sigma = min(1, max(max |Q_ij|, ||q||_inf))` (1 when `Q = 0, q = 0`). All norms are max
/// norms; `r_d = Q z + q + A'lambda + G'mu` and `s_i = h_i - G_i z`:
/// ```
/// equality         max_i |A_i z - b_i| / a_i           / (1 + max_i max(|A_i z|, |b_i|) / a_i)
/// inequality       max_i (G_i z - h_i)_+ / g_i          / (1 + max_i max(|G_i z|, |h_i|) / g_i)
/// stationarity     ||r_d||                             / (sigma + max(||Q z||, ||q||, ||A'lambda||, ||G'mu||))
/// dualSign         max_i (-mu_i g_i)_+                  / (sigma + max_i |mu_i| g_i)
/// complementarity  max_i |mu_i s_i|                    / (sigma + max(|z'Q z|/2, |q'z|, max_i |mu_i h_i|))
/// gap              |z'Q z + q'z + b'lambda + h'mu|     / (sigma + max(|z'Q z|, |q'z|, |b'lambda|, |h'mu|))
/// ```
/// `gap` is the difference of the primal objective and the Wolfe dual objective
/// `-1/2 z'Q z - b'lambda - h'mu` (the duality gap of qpbenchmark).
///
/// Each residual is invariant to scaling a row `(A_i, b_i)` or `(G_i, h_i)` by a
/// positive factor, and to scaling `(Q, q)` (with the multipliers) down by a positive
/// factor. Without the row scaling, a violation of a unit row is hidden by the size of a
/// row scaled by `1e10`; with the floor `1` for objectives of size `1e-12`, any `z` met
/// the tolerance (both were wrong answers reported optimal). The floor is not raised for
/// large objectives: `sigma = max |Q_ij| = 1e9` with `O(1)` objective terms would accept an
/// interior-point iterate of an ill-conditioned `Q` whose `z` is wrong in the 5th digit. The cost is a few products with `Q`, `A`, `A'`, `G`, `G'` and the row
/// norms: `O(nnz)`.
///
/// The solver accepts a point when ``maximum`` is at most ``QPSolverOptions/tolerance``,
/// and ``QuadraticProgram/solve(options:)`` recomputes these residuals on the returned
/// point as its certificate (``QPSolution/certificate``) before returning it.
public struct QPKKTResidual: Sendable, Equatable, CustomStringConvertible {
    /// Relative residual of `Q z + q + A'lambda + G'mu = 0`.
    public var stationarity: Double
    /// Relative residual of `A z = b` (row-scaled).
    public var equality: Double
    /// Relative violation of `G z <= h` (row-scaled).
    public var inequality: Double
    /// Relative violation of `mu >= 0`.
    public var dualSign: Double
    /// Relative size of `mu_i (h_i - G_i z)`.
    public var complementarity: Double
    /// Relative duality gap `|z'Q z + q'z + b'lambda + h'mu|`.
    public var gap: Double
    /// The largest absolute residual, in the data's own units (no row scaling): primal
    /// violation `max(|A z - b|, (G z - h)_+)`, `||r_d||`, `max (-mu_i)_+` and
    /// `|z'Q z + q'z + b'lambda + h'mu|` when above its rounding level `100 eps (1 + max
    /// of its terms)` (what ``QPSolverOptions/absoluteTolerance`` bounds).
    public var absoluteMaximum: Double

    /// Primal feasibility: `max(equality, inequality)`.
    public var primal: Double { Swift.max(equality, inequality) }
    /// Dual feasibility: `max(stationarity, dualSign)`.
    public var dual: Double { Swift.max(stationarity, dualSign) }

    /// The largest of the six (NaN counts as infinite).
    public var maximum: Double {
        let all = [stationarity, equality, inequality, dualSign, complementarity, gap]
        return all.contains { $0.isNaN } ? .infinity : all.max()!
    }

    public var description: String {
        "KKT residual \(maximum) (stationarity \(stationarity), equality \(equality), inequality \(inequality), dual sign \(dualSign), complementarity \(complementarity), gap \(gap))"
    }

    /// The residuals of `(z, lambda, mu)` for `problem`.
    /// The six residuals as given (the sparse solver's certificate maps onto them).
    init(stationarity: Double, equality: Double, inequality: Double, dualSign: Double, complementarity: Double, gap: Double,
         absoluteMaximum: Double) {
        self.stationarity = stationarity
        self.equality = equality
        self.inequality = inequality
        self.dualSign = dualSign
        self.complementarity = complementarity
        self.gap = gap
        self.absoluteMaximum = absoluteMaximum
    }

    public init(problem p: QuadraticProgram, z: Vector, lambda: Vector, mu: Vector) {
        let n = p.variableCount, pe = p.equalityCount, m = p.inequalityCount
        let sigma0 = Swift.max(p.Q.maxNorm, p.q.maxNorm)
        let sigma = sigma0 > 0 ? Swift.min(1, sigma0) : 1
        let qz = p.Q * z
        let atl = pe > 0 ? p.A.transposedTimes(lambda) : Vector.zeros(n)
        let gtm = m > 0 ? p.G.transposedTimes(mu) : Vector.zeros(n)
        let rd = qz + p.q + atl + gtm
        stationarity = rd.maxNorm / (sigma + Swift.max(qz.maxNorm, p.q.maxNorm, atl.maxNorm, gtm.maxNorm))
        let zqz = z.dot(qz), qtz = p.q.dot(z)
        var bl = 0.0, hm = 0.0
        var absolute = rd.maxNorm
        if pe > 0 {
            let az = p.A * z
            let norms = Self.rowNorms(p.A)
            var worst = 0.0, scale = 0.0
            for i in 0..<pe {
                let a = norms[i] > 0 ? norms[i] : 1
                worst = Swift.max(worst, abs(az[i] - p.b[i]) / a)
                absolute = Swift.max(absolute, abs(az[i] - p.b[i]))
                scale = Swift.max(scale, abs(az[i]) / a, abs(p.b[i]) / a)
            }
            equality = worst / (1 + scale)
            bl = p.b.dot(lambda)
        } else {
            equality = 0
        }
        if m > 0 {
            let gz = p.G * z
            let norms = Self.rowNorms(p.G)
            var viol = 0.0, slackScale = 0.0, comp = 0.0, neg = 0.0, muScale = 0.0, muh = 0.0
            for i in 0..<m {
                let g = norms[i] > 0 ? norms[i] : 1
                let slack = p.h[i] - gz[i]
                viol = Swift.max(viol, -slack / g)
                absolute = Swift.max(absolute, -slack, -mu[i])
                slackScale = Swift.max(slackScale, abs(gz[i]) / g, abs(p.h[i]) / g)
                comp = Swift.max(comp, abs(mu[i] * slack))
                neg = Swift.max(neg, -mu[i] * g)
                muScale = Swift.max(muScale, abs(mu[i]) * g)
                muh = Swift.max(muh, abs(mu[i] * p.h[i]))
            }
            inequality = viol / (1 + slackScale)
            dualSign = neg / (sigma + muScale)
            complementarity = comp / (sigma + Swift.max(abs(0.5 * zqz), abs(qtz), muh))
            hm = p.h.dot(mu)
        } else {
            inequality = 0
            dualSign = 0
            complementarity = 0
        }
        gap = abs(zqz + qtz + bl + hm) / (sigma + Swift.max(abs(zqz), abs(qtz), abs(bl), abs(hm)))
        // The gap counts only above its rounding level (see SparseQPResidual.gapRoundingLevel).
        let absoluteGap = abs(zqz + qtz + bl + hm)
        let gapRounding = 100 * Double.ulpOfOne * (1 + Swift.max(abs(zqz), abs(qtz), abs(bl), abs(hm)))
        absoluteMaximum = Swift.max(absolute, absoluteGap > gapRounding ? absoluteGap : 0)
        if absoluteMaximum.isNaN { absoluteMaximum = .infinity }
    }

    /// The 2-norms of the rows of `m` (`O(rows x columns)`).
    static func rowNorms(_ m: Matrix) -> [Double] {
        let c = m.columns
        guard c > 0 else { return [Double](repeating: 0, count: m.rows) }
        return m.scalars.withUnsafeBufferPointer { s in
            (0..<m.rows).map { i in
                var sum = 0.0, big = 0.0
                for j in (i * c)..<((i + 1) * c) { big = Swift.max(big, abs(s[j])) }
                guard big > 0 else { return 0 }
                for j in (i * c)..<((i + 1) * c) { let t = s[j] / big; sum += t * t }
                return big * sum.squareRoot()
            }
        }
    }
}

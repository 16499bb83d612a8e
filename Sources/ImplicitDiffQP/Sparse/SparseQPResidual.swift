import ImplicitDiffCore

/// The optimality residuals of a candidate `(z, y, w)` of a ``SparseQuadraticProgram``,
/// recomputed on the original data (the certificate of a sparse solve), both absolute
/// (qpbenchmark's definitions) and relative to the data's scale. Max norms throughout;
/// `y+ = max(y, 0)`, `y- = max(-y, 0)`:
/// ```
/// primal   = max( ||(A z - u)+||, ||(l - A z)+||, ||(z - ub)+||, ||(lb - z)+|| )
/// dual     = || P z + q + A'y + w ||
/// gap      = | z'P z + q'z + u'y+ - l'y- + ub'w+ - lb'w- |
/// dualSign = largest |y_i| on a side that is infinite (y_i > 0 with u_i = inf, ...), same for w
/// ```
/// `gap` is the primal objective minus the dual objective `-1/2 z'Pz - u'y+ + l'y- - ...`;
/// for a feasible `z` and multipliers of the right signs it is the sum of the
/// complementarity products `(u_i - A_i z) y_i+ + (A_i z - l_i) y_i- + ...`.
/// The relative residuals divide by `1 + max(||A z||, ||z||)` (primal),
/// `1 + max(||P z||, ||q||, ||A'y||, ||w||)` (dual, sign) and
/// `1 + max(|z'Pz|, |q'z|, |u'y+ - l'y-|, |ub'w+ - lb'w-|)` (gap). `O(nnz)`.
public struct SparseQPResidual: Sendable, Equatable, CustomStringConvertible {
    /// Absolute primal residual.
    public let primal: Double
    /// Absolute dual residual.
    public let dual: Double
    /// Absolute duality gap.
    public let gap: Double
    /// Largest multiplier on an infinite side (must be 0).
    public let dualSign: Double
    /// Relative primal residual.
    public let relativePrimal: Double
    /// Relative dual residual (sign violations included).
    public let relativeDual: Double
    /// Relative duality gap.
    public let relativeGap: Double

    /// The largest relative residual (NaN counts as infinite).
    public var maximum: Double {
        let all = [relativePrimal, relativeDual, relativeGap]
        return all.contains { $0.isNaN } ? .infinity : all.max()!
    }

    /// The largest absolute residual (NaN counts as infinite).
    public var absoluteMaximum: Double {
        let all = [primal, dual, gap, dualSign]
        return all.contains { $0.isNaN } ? .infinity : all.max()!
    }

    /// The rounding level of ``gap``: `100 eps (1 + max(|z'Pz|, |q'z|, |u'y+ - l'y-|,
    /// |ub'w+ - lb'w-|))`. The gap is a difference of those terms, each a sum of up to
    /// `nnz` products: below this level it is the rounding of the sums, which no point can
    /// improve (and which another summation order, numpy's say, rounds differently).
    public let gapRoundingLevel: Double

    /// ``absoluteMaximum`` with the gap counted only above ``gapRoundingLevel``: what
    /// ``QPSolverOptions/absoluteTolerance`` bounds.
    public var absoluteMaximumBeyondRounding: Double {
        let all = [primal, dual, gap > gapRoundingLevel ? gap : 0, dualSign]
        return all.contains { $0.isNaN } ? .infinity : all.max()!
    }

    /// The residuals of `(z, y, w)` on `p`.
    public init(problem p: SparseQuadraticProgram, z: Vector, y: Vector, w: Vector) {
        let n = p.variableCount, m = p.rowCount
        let az = p.A * z, pz = p.P * z, aty = p.A.transposedTimes(y)
        var primal = 0.0
        for i in 0..<m { primal = Swift.max(primal, az[i] - p.u[i], p.l[i] - az[i]) }
        for j in 0..<n { primal = Swift.max(primal, z[j] - p.ub[j], p.lb[j] - z[j]) }
        var dual = 0.0
        for j in 0..<n { dual = Swift.max(dual, abs(pz[j] + p.q[j] + aty[j] + w[j])) }
        var support = 0.0, boundSupport = 0.0, sign = 0.0
        func side(_ v: Double, _ lo: Double, _ up: Double) -> (Double, Double) {
            if v > 0 { return up.isFinite ? (up * v, 0) : (0, v) }
            if v < 0 { return lo.isFinite ? (lo * v, 0) : (0, -v) }
            return (0, 0)
        }
        for i in 0..<m { let (s, bad) = side(y[i], p.l[i], p.u[i]); support += s; sign = Swift.max(sign, bad) }
        for j in 0..<n { let (s, bad) = side(w[j], p.lb[j], p.ub[j]); boundSupport += s; sign = Swift.max(sign, bad) }
        let zpz = z.dot(pz), qz = p.q.dot(z)
        let gap = abs(zpz + qz + support + boundSupport)
        self.primal = Swift.max(primal, 0)
        self.dual = dual
        self.gap = gap
        self.dualSign = sign
        relativePrimal = self.primal / (1 + Swift.max(az.maxNorm, z.maxNorm))
        let dscale = 1 + Swift.max(pz.maxNorm, p.q.maxNorm, aty.maxNorm, w.maxNorm)
        relativeDual = Swift.max(dual, sign) / dscale
        let gapScale = 1 + Swift.max(abs(zpz), abs(qz), abs(support), abs(boundSupport))
        relativeGap = gap / gapScale
        gapRoundingLevel = 100 * Double.ulpOfOne * gapScale
    }

    public var description: String {
        "primal \(primal) (relative \(relativePrimal)), dual \(dual) (relative \(relativeDual)), gap \(gap) (relative \(relativeGap)), sign \(dualSign)"
    }

    /// The same numbers in the dense solver's residual type (for ``QPError/uncertified(_:tolerance:)``):
    /// primal as `inequality`, dual as `stationarity`, sign as `dualSign`, gap as `gap`.
    var asKKTResidual: QPKKTResidual {
        QPKKTResidual(stationarity: relativeDual, equality: 0, inequality: relativePrimal, dualSign: dualSign,
                      complementarity: 0, gap: relativeGap, absoluteMaximum: absoluteMaximumBeyondRounding)
    }
}

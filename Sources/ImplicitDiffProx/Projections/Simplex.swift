/// The scaled probability simplex `{w : w >= 0, sum w = s}`, projected by sorting
/// (Held, Wolfe & Crowder 1974; Duchi et al. 2008, doi:10.1145/1390156.1390191):
/// ```
/// P(v) = max(v - tau, 0),   tau such that sum_i max(v_i - tau, 0) = s
/// J = D_S - 1_S 1_S' / |S|,     S = {i : v_i > tau}     (a mask plus one rank-one term)
/// d P / d s = 1_S / |S|
/// ```
/// `tau` comes from sorting `v` in decreasing order `u` and taking
/// `rho = max{j : u_j > (sum_{i<=j} u_i - s) / j}`, `tau = (sum_{i<=rho} u_i - s) / rho`.
/// `J` is the exact Jacobian (the orthogonal projection onto `{d : d_off = 0, sum d_S = 0}`)
/// wherever no `v_i` equals `tau`; the margin is `min_i |v_i - tau| / (s / |S|)`.
///
/// - Parameters: `theta = [s]`, `s > 0` (default 1: the probability simplex).
public struct Simplex: Projection {
    /// The total `s > 0`.
    public let scale: Double

    /// The simplex `{x >= 0 : sum x = s}`.
    ///
    /// - Throws: ``ProxError`` unless `s > 0` is finite.
    public init(scale: Double = 1) throws {
        try ProxSupport.checkNonNegative(scale, "the simplex scale", strictly: true)
        self.scale = scale
    }

    public var parameters: Vector { [scale] }
    public func withParameters(_ parameters: Vector) throws -> Simplex {
        try ProxSupport.checkCount(parameters, 1, "Simplex")
        return try Simplex(scale: parameters[0])
    }
    public func validate(dimension n: Int) throws {
        guard n > 0 else { throw ProxError.dimensionMismatch("the simplex needs at least one coordinate") }
    }

    public func contains(_ w: Vector, tolerance: Double) -> Bool {
        let slack = tolerance * Swift.max(1, scale)
        return w.scalars.allSatisfy { $0 >= -slack } && abs(w.sum() - scale) <= slack * Swift.max(1, Double(w.count))
    }

    /// The threshold `tau` and the support size `|S|`.
    static func threshold(_ v: [Double], total s: Double) -> (tau: Double, count: Int) {
        let u = v.sorted(by: >)
        var cumulative = 0.0, tau = 0.0, rho = 0
        for (j, uj) in u.enumerated() {
            cumulative += uj
            let t = (cumulative - s) / Double(j + 1)
            if uj > t { tau = t; rho = j + 1 }
        }
        return (tau, rho)
    }

    public func project(_ v: Vector) -> Vector {
        let tau = Self.threshold(v.scalars, total: scale).tau
        return v.map { Swift.max($0 - tau, 0) }
    }

    public func jacobian(at v: Vector) -> ProxJacobian {
        let tau = Self.threshold(v.scalars, total: scale).tau
        let mask = v.map { $0 > tau ? 1 : 0 }
        let k = mask.sum()
        return ProxJacobian(diagonal: mask, rankOneTerms: k > 0 ? [(mask, -1 / k)] : [])
    }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        let tau = Self.threshold(v.scalars, total: scale).tau
        let mask = v.map { $0 > tau ? 1 : 0 }
        return ProxSupport.column(mask / Swift.max(mask.sum(), 1))
    }

    public func differentiabilityMargin(at v: Vector) -> Double {
        let (tau, k) = Self.threshold(v.scalars, total: scale)
        let unit = scale / Double(Swift.max(k, 1))
        return v.scalars.reduce(Double.infinity) { Swift.min($0, abs($1 - tau) / unit) }
    }
}

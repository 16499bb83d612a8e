/// The group-lasso penalty `g(w) = lambda sum_g omega_g ||w_g||_2` over disjoint groups
/// of coordinates (coordinates in no group are not penalised), whose prox is block
/// soft thresholding:
/// ```
/// prox_{eta g}(v)_g = max(1 - tau_g / ||v_g||, 0) v_g,        tau_g = eta lambda omega_g
/// J_g = (1 - tau_g/r_g) I + (tau_g/r_g) n_g n_g'   if r_g = ||v_g|| > tau_g   (n_g = v_g / r_g)
/// J_g = 0                                           otherwise
/// d prox_g / d lambda = -eta omega_g n_g             on active groups, 0 elsewhere
/// ```
/// so `J` is a mask plus one rank-one term per active group. Kinks at `||v_g|| = tau_g`;
/// the margin is `min_g |r_g - tau_g| / tau_g`.
///
/// - Parameters: `theta = [lambda]`, `lambda >= 0`; the groups and weights are fixed.
public struct GroupL2Norm: ProximalOperator {
    /// The weight `lambda >= 0`.
    public let lambda: Double
    /// Disjoint groups of coordinate indices.
    public let groups: [[Int]]
    /// `omega_g > 0`, one per group (default 1).
    public let weights: [Double]

    /// The group norm `lambda sum_g omega_g ||w_g||_2`.
    ///
    /// - Parameters:
    ///   - lambda: the weight, `lambda >= 0`.
    ///   - groups: disjoint, non-empty index sets (checked against the dimension by
    ///     ``validate(dimension:)``).
    ///   - weights: positive group weights (`nil`: all 1; `sqrt(|g|)` is a common choice).
    public init(lambda: Double, groups: [[Int]], weights: [Double]? = nil) throws {
        try ProxSupport.checkNonNegative(lambda, "lambda")
        guard groups.allSatisfy({ !$0.isEmpty }) else { throw ProxError.invalidParameter("a group is empty") }
        let all = groups.flatMap { $0 }
        guard Set(all).count == all.count else { throw ProxError.invalidParameter("groups overlap") }
        let w = weights ?? Array(repeating: 1, count: groups.count)
        guard w.count == groups.count else {
            throw ProxError.dimensionMismatch("\(w.count) weights for \(groups.count) groups")
        }
        guard w.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw ProxError.invalidParameter("group weights must be positive") }
        self.lambda = lambda
        self.groups = groups
        self.weights = w
    }

    /// Consecutive groups of the given sizes: `[0..<s0, s0..<s0+s1, ...]`.
    public init(lambda: Double, groupSizes: [Int], weights: [Double]? = nil) throws {
        var start = 0, groups: [[Int]] = []
        for s in groupSizes {
            guard s > 0 else { throw ProxError.invalidParameter("group size \(s)") }
            groups.append(Array(start..<(start + s)))
            start += s
        }
        try self.init(lambda: lambda, groups: groups, weights: weights)
    }

    public var parameters: Vector { [lambda] }
    public func withParameters(_ parameters: Vector) throws -> GroupL2Norm {
        try ProxSupport.checkCount(parameters, 1, "GroupL2Norm")
        return try GroupL2Norm(lambda: parameters[0], groups: groups, weights: weights)
    }

    public func validate(dimension n: Int) throws {
        guard groups.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < n } }) else {
            throw ProxError.dimensionMismatch("a group index is outside 0..<\(n)")
        }
    }

    func norm(_ v: Vector, _ g: [Int]) -> Double {
        var s = 0.0
        for i in g { s += v[i] * v[i] }
        return s.squareRoot()
    }

    public func value(_ w: Vector) -> Double {
        var s = 0.0
        for (k, g) in groups.enumerated() { s += weights[k] * norm(w, g) }
        return lambda * s
    }

    public func prox(_ v: Vector, stepSize eta: Double) -> Vector {
        var out = v
        for (k, g) in groups.enumerated() {
            let r = norm(v, g), tau = eta * lambda * weights[k]
            let c = r > tau ? 1 - tau / r : 0
            for i in g { out[i] = c * v[i] }
        }
        return out
    }

    public func jacobian(at v: Vector, stepSize eta: Double) -> ProxJacobian {
        var d = Vector(repeating: 1, count: v.count)
        var terms: [(vector: Vector, scale: Double)] = []
        for (k, g) in groups.enumerated() {
            let r = norm(v, g), tau = eta * lambda * weights[k]
            if r > tau {
                var n = Vector.zeros(v.count)
                for i in g {
                    d[i] = 1 - tau / r
                    n[i] = v[i] / r
                }
                terms.append((n, tau / r))
            } else {
                for i in g { d[i] = 0 }
            }
        }
        return ProxJacobian(diagonal: d, rankOneTerms: terms)
    }

    public func parameterJacobian(at v: Vector, stepSize eta: Double) -> any SendableLinearOperator {
        var col = Vector.zeros(v.count)
        for (k, g) in groups.enumerated() {
            let r = norm(v, g), tau = eta * lambda * weights[k]
            if r > tau { for i in g { col[i] = -eta * weights[k] * v[i] / r } }
        }
        return ProxSupport.column(col)
    }

    public func differentiabilityMargin(at v: Vector, stepSize eta: Double) -> Double {
        var m = Double.infinity
        for (k, g) in groups.enumerated() {
            let tau = eta * lambda * weights[k]
            if tau > 0 { m = Swift.min(m, abs(norm(v, g) - tau) / tau) }
        }
        return m
    }

    /// `lambda omega_g w_g / ||w_g||` on groups with `w_g != 0`, zero elsewhere.
    public func pieceGradient(at w: Vector) -> Vector {
        var out = Vector.zeros(w.count)
        for (k, g) in groups.enumerated() {
            let r = norm(w, g)
            if r > 0 { for i in g { out[i] = lambda * weights[k] * w[i] / r } }
        }
        return out
    }

    /// `[sum_g omega_g ||w_g||]`.
    public func parameterGradient(at w: Vector) -> Vector {
        [groups.enumerated().reduce(0) { $0 + weights[$1.offset] * norm(w, $1.element) }]
    }
}

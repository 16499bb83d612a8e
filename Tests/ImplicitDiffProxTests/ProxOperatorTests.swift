import Testing
@testable import ImplicitDiffProx

/// A point of length `n` at which `prox` has margin > 0.05 (deterministic search).
func pointAwayFromKinks<P: ProximalOperator>(_ prox: P, count n: Int, stepSize eta: Double, seed: UInt64,
                                             range: ClosedRange<Double> = -2...2) -> Vector {
    var rng = SplitMix64(seed: seed)
    for _ in 0..<1000 {
        let v = rng.vector(n, in: range)
        if prox.differentiabilityMargin(at: v, stepSize: eta) > 0.05 { return v }
    }
    Issue.record("no point away from the kinks of \(P.self)")
    return .zeros(n)
}

@Suite("Proximal operators: definition, Jacobians, value derivatives")
struct ProxOperatorTests {
    // Golden-section search resolves the minimiser to ~sqrt(ulp) relative (the objective is
    // flat to rounding within that band), so definitions are checked at 1e-6.

    @Test func l1SoftThresholding() throws {
        let prox = try L1Norm(lambda: 0.4), eta = 0.7
        let v = pointAwayFromKinks(prox, count: 8, stepSize: eta, seed: 1)
        let p = prox.prox(v, stepSize: eta)
        expectClose(p, bruteForceSeparableProx(prox, v, stepSize: eta, domain: -100...100), rtol: 1e-6, floor: 1, "soft threshold")
        #expect(p.scalars.contains(0) && p.scalars.contains { $0 != 0 }, "the test point should have both active and zero coordinates")
        try checkJacobians(prox, at: v, stepSize: eta)
        try checkValueDerivatives(prox, at: p)
        // lambda = 0 is the identity, with an infinite margin.
        let identity = try L1Norm(lambda: 0)
        #expect(identity.prox(v, stepSize: eta) == v)
        #expect(identity.differentiabilityMargin(at: v, stepSize: eta) == .infinity)
    }

    @Test func nonNegativeL1() throws {
        let prox = try NonNegativeL1Norm(lambda: 0.3), eta = 0.9
        let v = pointAwayFromKinks(prox, count: 8, stepSize: eta, seed: 2)
        let p = prox.prox(v, stepSize: eta)
        expectClose(p, bruteForceSeparableProx(prox, v, stepSize: eta, domain: 0...100), rtol: 1e-6, floor: 1, "non-negative l1")
        try checkJacobians(prox, at: v, stepSize: eta)
        #expect(prox.value(Vector([-1, 1])) == .infinity)
    }

    @Test func elasticNet() throws {
        let prox = try ElasticNetPenalty(lambda1: 0.3, lambda2: 0.8), eta = 0.6
        let v = pointAwayFromKinks(prox, count: 8, stepSize: eta, seed: 3)
        let p = prox.prox(v, stepSize: eta)
        expectClose(p, bruteForceSeparableProx(prox, v, stepSize: eta, domain: -100...100), rtol: 1e-6, floor: 1, "elastic net")
        try checkJacobians(prox, at: v, stepSize: eta)
        try checkValueDerivatives(prox, at: p)
    }

    @Test func ridgeConvention() throws {
        // prox of eta * lambda/2 ||w||^2 is w / (1 + eta lambda).
        let prox = try SquaredL2Norm(lambda: 0.6), eta = 0.5
        var rng = SplitMix64(seed: 4)
        let v = rng.vector(6, in: -2...2)
        expectClose(prox.prox(v, stepSize: eta), v / 1.3, rtol: 1e-15, "ridge prox closed form")
        expectClose(prox.prox(v, stepSize: eta), bruteForceSeparableProx(prox, v, stepSize: eta, domain: -100...100),
                    rtol: 1e-6, floor: 1, "ridge prox")
        try checkJacobians(prox, at: v, stepSize: eta)
        try checkValueDerivatives(prox, at: v)
    }

    @Test func groupLasso() throws {
        // Groups {0,1}, {2,3,4}, {5,6}; coordinate 7 is unpenalised.
        let prox = try GroupL2Norm(lambda: 0.5, groups: [[0, 1], [2, 3, 4], [5, 6]], weights: [1, 1.5, 0.8])
        let eta = 0.8
        var rng = SplitMix64(seed: 5)
        var v = Vector.zeros(8)
        for _ in 0..<1000 {
            v = rng.vector(8, in: -1...1)
            let p = prox.prox(v, stepSize: eta)
            let active = [0..<2, 2..<5, 5..<7].map { r in r.contains { p[$0] != 0 } }
            if prox.differentiabilityMargin(at: v, stepSize: eta) > 0.05, active.contains(true), active.contains(false) { break }
        }
        let p = prox.prox(v, stepSize: eta)
        // Definition: p minimises phi(w) = g(w) + ||w - v||^2/(2 eta); no random perturbation
        // (small or large) decreases phi.
        let phi = { (w: Vector) in prox.value(w) + (w - v).squaredNorm() / (2 * eta) }
        for k in 0..<400 {
            let delta = (k % 4 == 0 ? 1e-1 : (k % 4 == 1 ? 1e-3 : (k % 4 == 2 ? 1e-5 : 1))) * rng.vector(8)
            #expect(phi(p) <= phi(p + delta) + 1e-14, "perturbation \(k) decreases the prox objective")
        }
        // And the subgradient conditions: active groups (p_g - v_g)/eta + lambda w_g p_g/||p_g|| = 0,
        // inactive ||v_g|| <= eta lambda w_g, unpenalised p = v.
        for (k, g) in prox.groups.enumerated() {
            let pg = Vector(g.map { p[$0] }), vg = Vector(g.map { v[$0] })
            if pg.norm > 0 {
                expectClose((pg - vg) / eta + (prox.lambda * prox.weights[k] / pg.norm) * pg, .zeros(g.count),
                            rtol: 1e-13, floor: 1, "group \(k) stationarity")
            } else {
                #expect(vg.norm <= eta * prox.lambda * prox.weights[k])
            }
        }
        #expect(p[7] == v[7])
        try checkJacobians(prox, at: v, stepSize: eta)
        try checkValueDerivatives(prox, at: p)
        #expect(throws: ProxError.self) { try GroupL2Norm(lambda: 1, groups: [[0, 1], [1, 2]]) }
        #expect(throws: ProxError.self) { try GroupL2Norm(lambda: 1, groups: [[0, 9]]).validate(dimension: 4) }
    }

    @Test func invalidParametersThrow() {
        #expect(throws: ProxError.self) { try L1Norm(lambda: -1) }
        #expect(throws: ProxError.self) { try L1Norm(lambda: .nan) }
        #expect(throws: ProxError.self) { try ElasticNetPenalty(lambda1: 1, lambda2: -0.1) }
        #expect(throws: ProxError.self) { try L1Norm(lambda: 1).withParameters([1, 2]) }
        #expect(throws: ProxError.self) { try SquaredL2Norm(lambda: .infinity) }
    }
}

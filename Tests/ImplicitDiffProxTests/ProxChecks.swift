import Testing
@testable import ImplicitDiffProx

// Generic checks of a proximal operator's derivatives against central differences.
// The operators are piecewise smooth; the points are chosen with a differentiability
// margin of at least 1e-2 (relative), far beyond the difference step 1e-6, so no kink
// is crossed. Piecewise-affine operators then differ only by rounding (~1e-10); the
// curved ones (group lasso, l2 ball) by O(h^2) ~ 1e-12. Both are checked at 1e-6 relative.

/// Checks `jacobian(at:)` (dense and as an operator, and its symmetry) and
/// `parameterJacobian(at:)` (products and transposed products) against differences.
func checkJacobians<P: ProximalOperator>(_ prox: P, at v: Vector, stepSize eta: Double,
                                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let margin = prox.differentiabilityMargin(at: v, stepSize: eta)
    #expect(margin > 1e-2, "test point too close to a kink: margin \(margin)", sourceLocation: sourceLocation)
    let j = prox.jacobian(at: v, stepSize: eta)
    let fd = finiteDifferenceJacobian(at: v) { prox.prox($0, stepSize: eta) }
    expectClose(j.dense, fd, rtol: 1e-6, floor: 1, "\(P.self) Jacobian", sourceLocation: sourceLocation)
    expectClose(j.dense, j.dense.transposed, rtol: 1e-14, floor: 1, "\(P.self) Jacobian symmetry", sourceLocation: sourceLocation)
    expectClose(j.densified(), j.dense, rtol: 1e-14, floor: 1, "\(P.self) Jacobian products", sourceLocation: sourceLocation)

    let theta = prox.parameters
    guard theta.count > 0 else { return }
    let pj = prox.parameterJacobian(at: v, stepSize: eta)
    let fdTheta = try finiteDifferenceJacobian(at: theta) { try prox.withParameters($0).prox(v, stepSize: eta) }
    expectClose(pj.densified(), fdTheta, rtol: 1e-6, floor: 1, "\(P.self) parameter Jacobian", sourceLocation: sourceLocation)
    expectClose(pj.densifiedByRows(), pj.densified(), rtol: 1e-13, floor: 1,
                "\(P.self) parameter Jacobian transpose", sourceLocation: sourceLocation)
}

/// Checks `value`, `pieceGradient` and `parameterGradient` of `g` at `w` against
/// differences (on the smooth piece containing `w`).
func checkValueDerivatives<P: ProximalOperator>(_ prox: P, at w: Vector,
                                                sourceLocation: SourceLocation = #_sourceLocation) throws {
    let gw = finiteDifferenceJacobian(at: w) { Vector([prox.value($0)]) }
    expectClose(prox.pieceGradient(at: w), Vector(gw.scalars), rtol: 1e-6, floor: 1, "\(P.self) piece gradient",
                sourceLocation: sourceLocation)
    let theta = prox.parameters
    let gt = try finiteDifferenceJacobian(at: theta) { Vector([try prox.withParameters($0).value(w)]) }
    expectClose(prox.parameterGradient(at: w), Vector(gt.scalars), rtol: 1e-6, floor: 1, "\(P.self) parameter gradient",
                sourceLocation: sourceLocation)
}

/// For a separable `g`, minimises `g(w) + ||w - v||^2/(2 eta)` one coordinate at a time
/// by golden-section search on `[lo, hi]` (exact for separable `g`), independently of
/// the prox formula.
func bruteForceSeparableProx<P: ProximalOperator>(_ prox: P, _ v: Vector, stepSize eta: Double,
                                                  domain: ClosedRange<Double>) -> Vector {
    var w = Vector.zeros(v.count)
    for i in 0..<v.count {
        let objective = { (t: Double) -> Double in
            var e = Vector.zeros(v.count)
            e[i] = t
            return prox.value(e) + (t - v[i]) * (t - v[i]) / (2 * eta)
        }
        w[i] = goldenSection(objective, Swift.max(domain.lowerBound, v[i] - 10), Swift.min(domain.upperBound, v[i] + 10))
    }
    return w
}

/// Checks `P_C(v)` against the variational inequality that defines the projection onto a
/// convex set: `P_C(v)` in `C` and `<v - P_C(v), q - P_C(v)> <= 0` for every `q` in `C`;
/// `extremePoints` must contain enough points of `C` to make the check complete (the
/// vertices of a polytope, or the maximiser of `<v - p, q>` over `C`).
func checkProjection<P: Projection>(_ set: P, _ v: Vector, extremePoints: (Vector) -> [Vector],
                                    sourceLocation: SourceLocation = #_sourceLocation) {
    let p = set.project(v)
    #expect(set.contains(p, tolerance: 1e-12), "\(P.self): projection not in the set", sourceLocation: sourceLocation)
    let scale = Swift.max(1, v.norm) * Swift.max(1, v.norm)
    for q in extremePoints(p) {
        #expect(set.contains(q, tolerance: 1e-12), "\(P.self): test point not in the set", sourceLocation: sourceLocation)
        let vi = (v - p).dot(q - p)
        #expect(vi <= 1e-12 * scale, "\(P.self): variational inequality violated: <v - p, q - p> = \(vi)",
                sourceLocation: sourceLocation)
    }
    // Idempotence: P(P(v)) = P(v).
    expectClose(set.project(p), p, rtol: 1e-12, floor: 1, "\(P.self) idempotence", sourceLocation: sourceLocation)
}

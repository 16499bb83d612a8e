import Testing
@testable import ImplicitDiffProx

/// Checks every derivative of a proximal problem's solution against central differences
/// of tight re-solves (the solver runs to ~1e-13 and, for piecewise-affine problems, is
/// polished to rounding level):
/// * forward mode: `dw` and `dV` along random directions `dtheta`;
/// * reverse mode: the adjoint identity `<pullback(wbar, vbar), dtheta> = <wbar, dw> + vbar dV`
///   with `dw`, `dV` from differences;
/// * the dense Jacobian against forward mode.
/// The point must be safely differentiable (margin > 1e-3, far beyond the difference step
/// 1e-6), which is checked, so differences never cross a kink. Tolerance `rtol` (1e-6 by
/// default: difference truncation O(h^2) plus rounding O(ulp/h) ~ 1e-10, with margin for
/// the conditioning of the restricted systems).
func checkDerivatives<S, P>(_ problem: ProximalProblem<S, P>, seed: UInt64, directions: Int = 2, rtol: Double = 1e-6,
                            parameterScale: ((Int) -> Double)? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
    let solution = try problem.solve(options: tightSolver)
    let derivative = try solution.derivative()
    #expect(derivative.margin > 1e-3, "the test point is too close to a kink (margin \(derivative.margin))",
            sourceLocation: sourceLocation)
    let theta = problem.parameters
    let p = theta.count, n = problem.dimension
    var rng = SplitMix64(seed: seed)
    let jacobian = try derivative.jacobian()
    #expect(jacobian.rows == n && jacobian.columns == p, sourceLocation: sourceLocation)
    for k in 0..<directions {
        // Directions scaled per parameter (e.g. keep lambda moves small relative to its size).
        let dtheta = Vector((0..<p).map { i in rng.uniform() * (parameterScale?(i) ?? 1) })
        let h = 1e-6
        let plus = try problem.withParameters(theta + h * dtheta).solve(options: tightSolver)
        let minus = try problem.withParameters(theta - h * dtheta).solve(options: tightSolver)
        let dwFD = (plus.w - minus.w) / (2 * h)
        let dvFD = (plus.value - minus.value) / (2 * h)

        let (dw, dv, _) = try derivative.pushforward(dtheta)
        expectClose(dw, dwFD, rtol: rtol, floor: 1e-3 * Swift.max(1, solution.w.maxNorm), "forward dw, direction \(k)",
                    sourceLocation: sourceLocation)
        expectClose(dv, dvFD, rtol: rtol, floor: 1e-3, "forward dV, direction \(k)", sourceLocation: sourceLocation)
        expectClose(jacobian * dtheta, dw, rtol: 1e-9, floor: 1e-3, "Jacobian times direction \(k)",
                    sourceLocation: sourceLocation)

        let wbar = rng.vector(n), vbar = rng.uniform()
        let (g, _) = try derivative.pullback(w: wbar, value: vbar)
        #expect(g.count == p, sourceLocation: sourceLocation)
        let lhs = g.dot(dtheta), rhs = wbar.dot(dwFD) + vbar * dvFD
        expectClose(lhs, rhs, rtol: rtol, floor: 1e-3 * (wbar.norm * dwFD.norm + abs(dvFD)),
                    "reverse mode (adjoint identity), direction \(k)", sourceLocation: sourceLocation)
        // And reverse against forward exactly (same linear system, no differences).
        expectClose(lhs, wbar.dot(dw) + vbar * dv, rtol: 1e-9, floor: 1e-6, "reverse vs forward, direction \(k)",
                    sourceLocation: sourceLocation)
    }
}

/// The columns of `x` listed in `s`.
func columns(_ x: Matrix, _ s: [Int]) -> Matrix {
    var out = Matrix(rows: x.rows, columns: s.count)
    for (b, j) in s.enumerated() { out.setColumn(b, to: x.column(j)) }
    return out
}

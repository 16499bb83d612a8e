import _Differentiation
@testable import ImplicitDiffSinkhorn

// An independent reference for the derivatives: Sinkhorn's potential updates written
// with the core's differentiable Vector/Matrix operations, run to convergence and
// differentiated by Swift AD through every iteration (no implicit function theorem).
//   f = eps (log a - log(K exp(g / eps))),   g = eps (log b - log(K' exp(f / eps))),
//   K = exp(-C / eps)
// (the kernel form of the log-domain updates; safe for eps >= 0.05 max C, as used here).

/// Parameters packed as `[vec(C), a, b, eps]`.
func packParameters(_ d: TransportData) -> Vector {
    d.costMatrix!.flattened.concatenated(with: d.a).concatenated(with: d.b).concatenated(with: [d.epsilon])
}

/// `vec(u v')`, differentiably.
@differentiable(reverse)
func outerFlattened(_ u: Vector, _ v: Vector) -> Vector {
    var out = u.element(0) * v
    for i in 1..<withoutDerivative(at: u).count { out = out.concatenated(with: u.element(i) * v) }
    return out
}

/// `<Pbar, P> + <fbar, f> + <gbar, g> + costbar cost` after `iterations` unrolled
/// Sinkhorn iterations, with the potentials shifted to `sum(g) = 0`.
@differentiable(reverse, wrt: theta)
func unrolledLoss(_ theta: Vector, n: Int, m: Int, iterations: Int, cotangent w: SinkhornOutputTangent) -> Double {
    let c = Matrix(reshaping: theta.entries(0..<(n * m)), rows: n, columns: m)
    let a = theta.entries((n * m)..<(n * m + n))
    let b = theta.entries((n * m + n)..<(n * m + n + m))
    let eps = theta.element(n * m + n + m)
    let k = Matrix(reshaping: (c.flattened * (-1 / eps)).exp(), rows: n, columns: m)
    var f = 0 * a
    var g = 0 * b
    for _ in 0..<iterations {
        f = eps * (a.log() - (k * (g / eps).exp()).log())
        g = eps * (b.log() - k.transposedTimes((f / eps).exp()).log())
    }
    let shift = g.sum() / Double(m)
    g = g - shift
    f = f + shift
    let p = k.flattened * outerFlattened((f / eps).exp(), (g / eps).exp())
    let cost = p.dot(c.flattened) + eps * p.dot(p.log() - 1)
    return p.dot(Vector(w.plan.scalars)) + f.dot(w.f) + g.dot(w.g) + w.cost * cost
}

/// The unrolled potentials (no AD), to check that the loop has converged.
func unrolledPotentials(_ d: TransportData, iterations: Int) -> (f: Vector, g: Vector) {
    let c = d.costMatrix!, eps = d.epsilon
    let k = Matrix(reshaping: (c.flattened * (-1 / eps)).exp(), rows: c.rows, columns: c.columns)
    var f = 0 * d.a, g = 0 * d.b
    for _ in 0..<iterations {
        f = eps * (d.a.log() - (k * (g / eps).exp()).log())
        g = eps * (d.b.log() - k.transposedTimes((f / eps).exp()).log())
    }
    let shift = g.sum() / Double(g.count)
    return (f + shift, g - shift)
}

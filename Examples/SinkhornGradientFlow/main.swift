// Sinkhorn gradient flow: a point cloud x (a circle) moves along the negative gradient of
// the Sinkhorn divergence towards a target cloud y (a heart), frames drawn as SVG.
//
//   S(x, y) = OT_eps(a, b) - OT_eps(a, a)/2 - OT_eps(b, b)/2
//   dS/dx_i = 2 sum_j P_ij (x_i - y_j) - (the same for the x-x problem)        (envelope theorem)
//   x <- x - (step / a_i) dS/dx_i
//
// The cost gradient needs no linear solve (the potentials are optimal, so only the
// explicit dependence of the cost on x counts); S(x, x) = 0 with zero gradient. The
// target term is solved once (SinkhornDivergenceTarget), the self terms by the symmetric
// update, and every step starts from the previous step's potentials.
import ExampleSupport
import Foundation
import ImplicitDiffSinkhorn

let n = 120, m = 150
let circle = Matrix(rows: n, columns: 2, scalars: (0..<n).flatMap { i -> [Double] in
    let t = 2 * Double.pi * Double(i) / Double(n)
    return [0.35 * cos(t) - 0.5, 0.35 * sin(t)]
})
let heart = Matrix(rows: m, columns: 2, scalars: (0..<m).flatMap { j -> [Double] in
    let t = 2 * Double.pi * Double(j) / Double(m)
    let hx = 16 * pow(sin(t), 3), hy = 13 * cos(t) - 5 * cos(2 * t) - 2 * cos(3 * t) - cos(4 * t)
    return [0.03 * hx + 0.5, 0.03 * hy]
})
let a = Vector(repeating: 1 / Double(n), count: n), b = Vector(repeating: 1 / Double(m), count: m)
var x = circle
var frames: [Matrix] = [x]
// The target's self term OT(b, b) is solved once; each step warm-starts the cross and
// source terms from the previous step's potentials.
let target = try SinkhornDivergenceTarget(y: heart, b: b, epsilon: 0.01)
var previous: SinkhornDivergence?
var iterations = 0
print("step   S(x, y)")
for step in 0...60 {
    let s = try SinkhornDivergence(x: x, a: a, target: target, warmStart: previous)
    previous = s
    iterations += s.crossTerm.iterations + s.sourceTerm.iterations
    if step % 10 == 0 { print(String(format: "%4d   %.3e", step, s.value)) }
    let g = s.gradient.x
    // A Wasserstein-like step: move point i by -(step / a_i) dS/dx_i.
    for i in 0..<n { for d in 0..<2 { x[i, d] -= 0.05 / a[i] * g[i, d] } }
    if [4, 14, 29, 59].contains(step) { frames.append(x) }
}
var plot = SVGPlot(title: "Sinkhorn gradient flow: a circle flows to a heart", xLabel: "x1", yLabel: "x2", equalAspect: true)
plot.dots((0..<m).map { (heart[$0, 0], heart[$0, 1]) }, color: "#d62728", label: "target y", radius: 2.5)
let shades = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
for (k, f) in frames.enumerated() {
    plot.dots((0..<n).map { (f[$0, 0], f[$0, 1]) }, color: shades[min(k, shades.count - 1)],
              label: "x after \([0, 5, 15, 30, 60][k]) steps", radius: 2)
}
print("Sinkhorn iterations over the flow (cross and source terms):", iterations)
print("wrote", plot.write(to: "Examples/output/sinkhorn-gradient-flow.svg"))

// Differentiable QP layer: recover the cost vector q of a family of QPs from their
// observed solutions, by gradient descent through the QP's implicit derivative.
//
//   z_k(q) = argmin 1/2 z'Q_k z + q'z   s.t.  sum z = 1,  0 <= z <= 0.6      (k = 1..K)
//   loss(q) = sum_k ||z_k(q) - z_k_observed||^2
//
// The gradient of the loss goes through qp.layer(wrt: [.q]): Swift AD calls the
// registered implicit derivative (the reduced KKT system on the active set, factorised
// once per solve), never the interior-point iterations.
import ExampleSupport
import Foundation
import ImplicitDiffQP
import _Differentiation

struct Seeded: RandomNumberGenerator {
    var s: UInt64
    mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s ^ (s >> 29) }
}

/// The family of QPs: K risk matrices and shared constraints.
struct Family: Sendable {
    let n = 6, k = 8
    let shape: QPShape
    /// Problem k as a layer in q alone (Q_k and the constraints fixed): x = q.
    let layers: [ImplicitFunction<QPByproduct>]

    init(seed: UInt64) {
        var g = Seeded(s: seed)
        let n = 6, k = 8
        shape = QPShape(n: n, p: 1, m: 2 * n)
        let riskMatrices = (0..<k).map { _ in
            let m = Matrix(rows: n, columns: n, scalars: (0..<(n * n)).map { _ in Double.random(in: -0.5...0.5, using: &g) })
            var q = Matrix.product(m, transposed: true, m, transposed: false)
            for i in 0..<n { q[i, i] += 0.5 }
            return q.symmetricPart
        }
        // sum z = 1 (A = 1', b = 1); z <= 0.6 and -z <= 0 (G = [I; -I], h = [0.6; 0]).
        var gRows = [Double](repeating: 0, count: 2 * n * n)
        for i in 0..<n { gRows[i * n + i] = 1; gRows[(n + i) * n + i] = -1 }
        let a = Matrix(rows: 1, columns: n, repeating: 1), G = Matrix(rows: 2 * n, columns: n, scalars: gRows)
        let h = Vector([Double](repeating: 0.6, count: n) + [Double](repeating: 0, count: n))
        layers = riskMatrices.map { risk in
            try! QuadraticProgram(Q: risk, q: .zeros(n), A: a, b: [1], G: G, h: h)
                .layer(wrt: [.q], policy: .treatAsInactive)
        }
    }

    /// The solution of problem `i` with cost `q`, differentiable in `q`.
    @differentiable(reverse)
    func solution(_ q: Vector, _ i: Int) -> Vector {
        shape.z(layers[i](q))
    }
}

@differentiable(reverse)
func loss(_ q: Vector, _ family: Family, _ observed: [Vector]) -> Double {
    var total = 0.0
    for i in 0..<family.k {
        total += (family.solution(q, i) - observed[i]).squaredNorm()
    }
    return total
}

let family = Family(seed: 2026)
var g = Seeded(s: 7)
let qTrue = Vector((0..<family.n).map { _ in Double.random(in: -0.5...0.5, using: &g) })
let observed = (0..<family.k).map { family.solution(qTrue, $0) }

var q = Vector(repeating: 0, count: family.n)
var curve: [(Double, Double)] = []
print("step   loss          |q - q_true| (mean removed)")
func centred(_ v: Vector) -> Vector { v - v.sum() / Double(v.count) }
do {
    for step in 0...300 {
        let (l, grad) = try withCheckedDerivatives {
            valueWithGradient(at: q) { q in loss(q, family, observed) }
        }
        curve.append((Double(step), max(l, 1e-30)))
        if step % 30 == 0 {
            print(String(format: "%4d   %.6e  %.3e", step, l, (centred(q) - centred(qTrue)).norm))
        }
        q -= 0.05 * grad
    }
} catch {
    print("differentiation failed: \(error)")
}
// q is identified only up to adding t * 1 (that shifts the multiplier of sum z = 1 and
// leaves every z unchanged), so compare after removing the mean. Beyond that, a
// coordinate whose z_i sits at a bound in every observed problem is identified only up to
// an interval: the loss reaches rounding level while q may still differ there.
let worst = (0..<family.k).map { (family.solution(q, $0) - observed[$0]).maxNorm }.max() ?? 0
print("max |z_k(q) - z_k observed| over all problems: \(worst)")
print("recovered q (mean removed): \(centred(q).scalars.map { ($0 * 1000).rounded() / 1000 })")
print("true q      (mean removed): \(centred(qTrue).scalars.map { ($0 * 1000).rounded() / 1000 })")
let atBound = (0..<family.n).filter { i in observed.allSatisfy { $0[i] < 1e-9 || $0[i] > 0.6 - 1e-9 } }
print("coordinates at a bound in every problem (identified only up to an interval): \(atBound)")
var plot = SVGPlot(title: "QP layer: fitting q from observed solutions", xLabel: "gradient step", yLabel: "loss (log scale)", logY: true)
plot.line(curve, color: "#1f77b4", label: "sum_k ||z_k(q) - z_k observed||^2")
print("wrote", plot.write(to: "Examples/output/qp-layer-fitting.svg"))

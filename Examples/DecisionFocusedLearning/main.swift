// Decision-focused learning: a linear model predicts the costs of an LP, and is trained
// on the quality of the decisions the LP makes with them, through the LP's implicit
// derivative (with quadratic smoothing, since an LP solution is piecewise constant in c).
//
//   c_hat_k = W phi_k                                   (prediction from features)
//   z_k(c)  = argmin c'z  s.t.  sum z = B,  0 <= z <= 1  (pick B of n items; GLPK)
//   loss(W) = (1/K) sum_k  c_k' z_gamma(c_hat_k)         (true cost of the decisions)
//
// z_gamma is the solution of the smoothed problem min c'z + gamma/2 ||z||^2 over the same
// set: differentiable in c, where the LP solution itself has zero derivative almost
// everywhere. Its derivative comes from the KKT system on the active set.
import ExampleSupport
import Foundation
import ImplicitDiffLP
import _Differentiation

struct Seeded: RandomNumberGenerator {
    var s: UInt64
    mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s ^ (s >> 29) }
}

struct Task: Sendable {
    let items = 10, features = 4, samples = 24, budget = 3.0
    let layout: LPParameterLayout
    let phis: [Vector]                 // features of each sample
    let costs: [Vector]                // true costs of each sample
    let map: ImplicitFunction<LPActiveSet>        // c -> [z, lambda, mu], smoothed: for training
    let lpMap: ImplicitFunction<LPActiveSet>      // c -> [z, lambda, mu], the LP itself: for evaluation

    init(seed: UInt64, gamma: Double) {
        var g = Seeded(s: seed)
        let n = 10, f = 4, k = 24
        var gRows = [Double](repeating: 0, count: 2 * n * n)
        for i in 0..<n { gRows[i * n + i] = 1; gRows[(n + i) * n + i] = -1 }
        // The constraints are fixed; the layers are functions of c alone (x = c).
        let problem = try! LinearProgram(c: .zeros(n), A: Matrix(rows: 1, columns: n, repeating: 1), b: [budget],
                                         G: Matrix(rows: 2 * n, columns: n, scalars: gRows),
                                         h: Vector([Double](repeating: 1, count: n) + [Double](repeating: 0, count: n)))
        layout = problem.layout
        let wTrue = Matrix(rows: n, columns: f, scalars: (0..<(n * f)).map { _ in Double.random(in: -1...1, using: &g) })
        phis = (0..<k).map { _ in Vector((0..<f).map { _ in Double.random(in: -1...1, using: &g) }) }
        // True costs: a non-linear function of the features, so the linear model is misspecified
        // and fitting costs (least squares) is not the same as fitting decisions.
        costs = phis.map { phi in (wTrue * phi).map { 2 * $0 * $0 * $0 - $0 } }
        map = problem.layer(wrt: [.c], regularization: gamma)
        lpMap = problem.layer(wrt: [.c])
    }

    @differentiable(reverse)
    func decision(_ w: Vector, _ k: Int) -> Vector {
        let cHat = Matrix(reshaping: w, rows: items, columns: features) * phis[k]
        return layout.z(map(cHat))
    }

    @differentiable(reverse)
    func decisionLoss(_ w: Vector) -> Double {
        var total = 0.0
        for k in 0..<samples { total += costs[k].dot(decision(w, k)) }
        return total / Double(samples)
    }

    /// The true cost of the LP's own decisions (vertices) made with costs `c_hat_k`.
    func lpLoss(predicting cHat: (Int) -> Vector) throws -> Double {
        var total = 0.0
        for k in 0..<samples {
            let (y, _) = try lpMap.solve(at: cHat(k))
            total += costs[k].dot(layout.z(y))
        }
        return total / Double(samples)
    }

    func lpLoss(_ w: Vector) throws -> Double {
        try lpLoss { Matrix(reshaping: w, rows: items, columns: features) * phis[$0] }
    }

    /// Least-squares fit of W to the true costs (the "predict, then optimise" baseline).
    func leastSquaresW() throws -> Vector {
        // Solve min sum_k ||W phi_k - c_k||^2: W' = (Phi'Phi)^-1 Phi' C.
        let phi = Matrix(rows: samples, columns: features, scalars: phis.flatMap(\.scalars))
        let c = Matrix(rows: samples, columns: items, scalars: costs.flatMap(\.scalars))
        let wt = try QRFactorization(phi).leastSquares(c)   // features x items
        return Vector(wt.transposed.scalars)
    }
}

let task = Task(seed: 11, gamma: 0.1)
let best = try task.lpLoss { task.costs[$0] }
let twoStage = try task.leastSquaresW()
print(String(format: "LP decisions with the true costs:           true cost %.4f (the optimum)", best))
print(String(format: "least-squares cost model, then LP decisions: true cost %.4f", try task.lpLoss(twoStage)))
var w = twoStage
var curve: [(Double, Double)] = []
print("step  smoothed loss   regret of the LP decisions")
do {
    for step in 0...100 {
        let (l, g) = try withCheckedDerivatives { valueWithGradient(at: w) { w in task.decisionLoss(w) } }
        let regret = try task.lpLoss(w) - best
        curve.append((Double(step), regret))
        if step % 10 == 0 { print(String(format: "%4d  %.5f        %.5f", step, l, regret)) }
        w -= 0.3 * g
    }
} catch {
    print("failed: \(error)")
}
var plot = SVGPlot(title: "Decision-focused learning through a smoothed LP", xLabel: "training step", yLabel: "regret")
plot.line(curve, color: "#d62728", label: "regret of the LP decisions (training through gamma = 0.1)")
print("wrote", plot.write(to: "Examples/output/decision-focused-learning.svg"))

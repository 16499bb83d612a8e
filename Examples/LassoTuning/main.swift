// Lasso hyperparameter tuning: choose lambda by gradient descent on the validation loss,
// through the implicit derivative of the lasso solution.
//
//   w(lambda) = argmin 1/2 ||X_train w - y_train||^2 + lambda ||w||_1        (FISTA + polish)
//   L(t)      = 1/2 ||X_val w(e^t) - y_val||^2                               (lambda = e^t)
//   dw_S/dlambda = -(X_S'X_S)^-1 sign(w_S)   on the support, 0 off it
//
// The derivative reuses the Cholesky factor of X_S'X_S from the solver's polish step.
import ExampleSupport
import Foundation
import ImplicitDiffProx
import _Differentiation

struct Seeded: RandomNumberGenerator {
    var s: UInt64
    mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s ^ (s >> 29) }
}
func gaussian(_ g: inout Seeded) -> Double {
    let u = Double.random(in: 1e-12..<1, using: &g), v = Double.random(in: 0..<1, using: &g)
    return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
}

struct Tuning: Sendable {
    let nTrain = 60, nVal = 60, d = 40
    let xTrain: Matrix, yTrain: Vector, xVal: Matrix, yVal: Vector
    let map: ImplicitFunction<ProximalGradientByproduct>

    init(seed: UInt64) throws {
        var g = Seeded(s: seed)
        let d = 40
        // A sparse truth: 6 non-zero coefficients, noisy targets.
        var truth = [Double](repeating: 0, count: d)
        for k in 0..<6 { truth[k * 6] = (k % 2 == 0 ? 1 : -1) * (1 + Double(k) / 3) }
        func data(_ n: Int) -> (Matrix, Vector) {
            let x = Matrix(rows: n, columns: d, scalars: (0..<(n * d)).map { _ in gaussian(&g) })
            let y = x * Vector(truth) + Vector((0..<n).map { _ in 1.5 * gaussian(&g) })
            return (x, y)
        }
        (xTrain, yTrain) = data(60)
        (xVal, yVal) = data(60)
        map = try Lasso.layer(rows: 60, columns: d)
    }

    @differentiable(reverse)
    func validationLoss(_ t: Double) -> Double {
        let lambda = exp(t)
        let x = Vector(xTrain.scalars + yTrain.scalars).concatenated(with: lambda * Vector([1]))
        let r = xVal * map(x) - yVal
        return 0.5 * r.squaredNorm()
    }
}

let tuning = try Tuning(seed: 5)
// The validation curve on a grid, for the picture.
let grid = stride(from: log(0.5), through: log(150.0), by: 0.1).map { t in (t, tuning.validationLoss(t)) }
var t = log(100.0)   // start with heavy regularisation
var path: [(Double, Double)] = []
print("step   lambda      validation loss   dL/dlog(lambda)")
do {
    for step in 0...40 {
        let (l, g) = try withCheckedDerivatives { valueWithGradient(at: t) { tuning.validationLoss($0) } }
        path.append((t, l))
        if step % 5 == 0 { print(String(format: "%4d   %8.4f   %12.5f     %+.5f", step, exp(t), l, g)) }
        t -= 0.002 * g
    }
} catch {
    print("differentiation failed: \(error)")
}
let bestGrid = grid.min { $0.1 < $1.1 }!
print(String(format: "gradient descent: lambda = %.4f, validation loss %.5f", exp(t), tuning.validationLoss(t)))
print(String(format: "grid search:      lambda = %.4f, validation loss %.5f", exp(bestGrid.0), bestGrid.1))
var plot = SVGPlot(title: "Lasso: tuning lambda by gradient descent", xLabel: "log(lambda)", yLabel: "validation loss")
plot.line(grid, color: "#7f7f7f", label: "validation loss on a grid")
plot.dots(path, color: "#9467bd", label: "gradient descent through dw/dlambda", radius: 3)
print("wrote", plot.write(to: "Examples/output/lasso-tuning.svg"))

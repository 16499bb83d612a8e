// sqrt three ways: three solvers Swift AD cannot see into, made differentiable by
// the conditions their outputs satisfy (the implicit function theorem).
//
//   Newton iteration      y <- y - (y^2 - x) / (2y)        conditions  y^2 - x = 0
//   fixed point           y <- (y + x/y) / 2                conditions  T(x, y) - y = 0
//   optimisation          y = argmin_y  y^3/3 - x y, y > 0   conditions  y^2 - x = 0 (gradient)
//
// Each derivative comes from A dy = -B dx with A = dF/dy, B = dF/dx; the
// reference is the closed form d sqrt(x)/dx = 1 / (2 sqrt(x)).
import Foundation
import ImplicitDiffCore
import _Differentiation

/// Runs `step` elementwise on plain Doubles until it stops moving: opaque to AD.
@Sendable func iterate(_ x: Vector, _ step: (Double, Double) -> Double) -> (Vector, Int) {
    var y = x.scalars.map { max($0, 1) }
    var sweeps = 0
    while sweeps < 10_000 {
        sweeps += 1
        var moved = 0.0
        for i in y.indices {
            let next = step(x[i], y[i])
            moved = max(moved, abs(next - y[i]) / max(abs(next), 1e-300))
            y[i] = next
        }
        if moved < 1e-15 { break }
    }
    return (Vector(y), sweeps)
}

let newton = ImplicitFunction(
    solver: { x in iterate(x) { x, y in y - (y * y - x) / (2 * y) } },
    conditions: { x, y, _ in y * y - x })

let fixedPoint = ImplicitFunction(
    solver: { x in iterate(x) { x, y in 0.5 * (y + x / y) } },
    conditions: { x, y, _ in 0.5 * (y + x / y) - y })

let optimisation = ImplicitFunction(
    solver: { x in
        // Gradient descent with a safeguarded step on y^3/3 - x y; then Newton polish.
        iterate(x) { x, y in
            let g = y * y - x
            let step = g / max(2 * y, 1e-12)
            return max(y - step, 1e-300)
        }
    },
    conditions: { x, y, _ in y * y - x })

let x: Vector = [0.5, 2, 9, 30]
let exact = x.sqrt()
let exactGradient = Vector(x.scalars.map { 0.5 / $0.squareRoot() })
print("x                 = \(x.scalars)")
print("sqrt(x)           = \(exact.scalars)")
print("1 / (2 sqrt(x))   = \(exactGradient.scalars.map { ($0 * 1e6).rounded() / 1e6 })")
print()
for (name, f) in [("Newton iteration", newton), ("fixed point", fixedPoint), ("optimisation", optimisation)] {
    let y = f(x)
    // Swift's own reverse-mode AD, through the registered implicit derivative.
    let g = gradient(at: x) { x in f(x).sum() }
    do {
        let j = try f.jacobian(at: x)                         // dense Jacobian, one factorisation
        let dy = try f.pushforward(at: x, along: [1, 1, 1, 1]) // forward mode
        let err = max((y - exact).maxNorm / exact.maxNorm, (g - exactGradient).maxNorm / exactGradient.maxNorm,
                      (Vector((0..<4).map { j[$0, $0] }) - exactGradient).maxNorm / exactGradient.maxNorm,
                      (dy - exactGradient).maxNorm / exactGradient.maxNorm)
        print("\(name.padding(toLength: 17, withPad: " ", startingAt: 0)) gradient = \(g.scalars.map { ($0 * 1e6).rounded() / 1e6 })  max rel. error vs closed form: \(err)")
    } catch {
        print("\(name): \(error)")
    }
}

// Bratu continuation: follow the lower branch of -y'' = lambda exp(y), y(0) = y(1) = 0,
// towards its fold, using the implicit derivative dy/dlambda as the predictor.
//
//   F_i(lambda, y) = (2 y_i - y_{i-1} - y_{i+1}) / h^2 - lambda exp(y_i) = 0,   h = 1/(n+1)
//   dy/dlambda = -A^-1 dF/dlambda,  A = dF/dy (tridiagonal, factorised by the last Newton step)
//
// Predictor y(lambda + d) ~ y(lambda) + d dy/dlambda: the implicit derivative costs one
// O(n) solve with the factorisation Newton already made, and saves Newton iterations.
// Near the fold (lambda* ~ 3.51 for the continuous problem) dy/dlambda blows up and A
// becomes singular; Newton reports it instead of returning a wrong answer.
import ExampleSupport
import Foundation
import ImplicitDiffNewton

let n = 200
let problem = try BratuProblem(gridPoints: n)
let solver = NewtonSolver()
var last = try solver.solve(problem, parameters: [0.2], initialGuess: problem.initialGuess)
var lambda = 0.2
var step = 0.2
var points: [(Double, Double)] = []
print("lambda    max y     d(max y)/d lambda   Newton iterations from the predictor")
while step > 1e-6 {
    let dydl = try last.derivative(of: problem, parameters: [lambda]).pushforward([1])
    let k = last.y.scalars.indices.max { last.y[$0] < last.y[$1] }!
    if points.last?.0 != lambda {
        points.append((lambda, last.y[k]))
        print(String(format: "%7.5f   %.5f   %12.4f          %d", lambda, last.y[k], dydl[k], last.history.count))
    }
    // Aim for a change of about 0.05 in max y per step; halve the step when Newton fails.
    step = min(step, 0.05 / max(dydl.maxNorm, 1e-3))
    do {
        last = try solver.solve(problem, parameters: [lambda + step], initialGuess: last.y + step * dydl)
        lambda += step
    } catch {
        step /= 2
    }
}
print(String(format: "fold located at lambda ~ %.5f (Newton fails beyond it; dy/dlambda grows without bound)", lambda))
var plot = SVGPlot(title: "Bratu lower branch up to the fold (n = \(n))", xLabel: "lambda", yLabel: "max y")
plot.line(points, color: "#2ca02c", label: "max y(lambda), continued with the implicit dy/dlambda")
plot.dots(points, color: "#2ca02c", label: "")
print("wrote", plot.write(to: "Examples/output/bratu-continuation.svg"))

// Core benchmarks (release build: `swift run -c release CoreBenchmarks`):
//  1. Krylov methods: time per iteration on a dense 2000 x 2000 operator, against one
//     BLAS dgemv (the floor: every iteration needs at least one product).
//  2. Ridge regression (ImplicitDiffProx) N = 1000, d = 500: solve, and the VJP of w with respect to
//     (X, y, lambda) by the implicit path (reusing the solver's Cholesky factor),
//     against the same quantities computed from the closed form through LAPACK.
import Foundation
import ImplicitDiffCore
import ImplicitDiffProx   // RidgeRegression (benchmark 2)

let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var t = Double.infinity
    for _ in 0..<repeats {
        let s = clock.now
        try body()
        t = min(t, seconds(clock.now - s))
    }
    return t
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
var rng = SplitMix64(state: 42)
func randomMatrix(_ r: Int, _ c: Int, _ g: inout SplitMix64) -> Matrix {
    Matrix(rows: r, columns: c, scalars: (0..<(r * c)).map { _ in Double.random(in: -1...1, using: &g) })
}
func randomVector(_ n: Int, _ g: inout SplitMix64) -> Vector { Vector((0..<n).map { _ in Double.random(in: -1...1, using: &g) }) }

print("| benchmark | ours | reference | ratio |")
print("|---|---|---|---|")

// 1. Krylov per iteration, n = 2000.
let n = 2000
let m = randomMatrix(n, n, &rng)
var spd = Matrix.product(m, transposed: true, m, transposed: false)
for i in 0..<n { spd[i, i] += Double(n) }
var nonsym = m
for i in 0..<n { nonsym[i, i] += 3 * Double(n).squareRoot() }
let b = randomVector(n, &rng)
let gemv = best(20) { _ = spd * b }
let iterations = 40
let fixed = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 0, maxIterations: iterations, restart: 50, recordHistory: false)
func perIteration(_ name: String, _ solve: () throws -> KrylovResult) {
    let t = best(3) {
        do { _ = try solve() } catch KrylovError.notConverged(_, let it, _, _) { precondition(it == iterations) } catch {
            print("\(name): \(error)")
        }
    }
    let per = t / Double(iterations)
    print("| \(name) per iteration, n = \(n) | \(String(format: "%.3f", per * 1e3)) ms | dgemv \(String(format: "%.3f", gemv * 1e3)) ms | \(String(format: "%.2f", per / gemv)) |")
}
perIteration("CG") { try ConjugateGradient(options: fixed).solve(spd, b) }
perIteration("MINRES") { try MINRES(options: fixed).solve(spd, b) }
perIteration("GMRES(50)") { try GMRES(options: fixed).solve(nonsym, b) }
perIteration("BiCGStab") { try BiCGStab(options: fixed).solve(nonsym, b) }   // two products per iteration
perIteration("LSQR") { try LSQR(options: fixed).solve(nonsym, b, initialGuess: nil) } // A and A' per iteration

// 2. Ridge N = 1000, d = 500.
let rows = 1000, cols = 500, lambda = 1.0
let x = randomMatrix(rows, cols, &rng), y = randomVector(rows, &rng)
let problem = try RidgeRegression(design: x, targets: y, lambda: lambda)
var solution = try problem.solve()
let wbar = randomVector(cols, &rng)
let ourSolve = try best(5) { solution = try problem.solve() }
var ourGradient = Vector.zero
let ourVJP = try best(5) { ourGradient = try solution.derivative().pullback(wbar) }
// Closed form through LAPACK: w = (X'X + lambda I)^-1 X'y; v = (X'X + lambda I)^-1 wbar;
// xbar = (-(r v' + (X v) w'), X v, -v'w).
var closedW = Vector.zero
var chol: CholeskyFactorization?
let refSolve = try best(5) {
    var g = Matrix.product(x, transposed: true, x, transposed: false)
    for i in 0..<cols { g[i, i] += lambda }
    chol = try CholeskyFactorization(g)
    closedW = chol!.solve(x.transposedTimes(y))
}
var refGradient = Vector.zero
let refVJP = best(5) {
    let v = chol!.solve(wbar)
    let r = x * closedW - y, xv = x * v
    var gx = Matrix.outer(r, v)
    gx.addOuter(xv, closedW)
    refGradient = Vector((-1.0 * gx).scalars + xv.scalars + [-v.dot(closedW)])
}
let err = (ourGradient - refGradient).maxNorm / refGradient.maxNorm
func ms(_ t: Double) -> String { String(format: "%.2f ms", t * 1e3) }
print("| ridge 1000x500 solve | \(ms(ourSolve)) | closed form \(ms(refSolve)) | \(String(format: "%.2f", ourSolve / refSolve)) |")
print("| ridge 1000x500 VJP wrt (X, y, lambda) | \(ms(ourVJP)) | closed form \(ms(refVJP)) | \(String(format: "%.2f", ourVJP / refVJP)) |")
print("")
print("ridge VJP max relative difference to the closed form: \(err)")

// 3. Closure conditions: the fixed point y = tanh(W y + u) (||W||_2 ~ 0.5, a contraction),
//    conditions F(u, y) = y - tanh(W y + u) written as a Swift function, one gradient of
//    sum(y) with respect to u: `.automatic` against `.gmres` (issue: the default must not
//    be much slower than the matrix-free choice).
print("")
print("| closure conditions, one gradient | auto | gmres | direct | auto / gmres |")
print("|---|---|---|---|---|")
for size in [16, 32, 48, 100, 400, 1000] {
    var g = SplitMix64(state: UInt64(size))
    let w = (0.5 / Double(size).squareRoot()) * randomMatrix(size, size, &g)
    let u = randomVector(size, &g)
    let solver: @Sendable (Vector) throws -> (Vector, Void) = { u in
        var y = Vector.zeros(u.count)
        for _ in 0..<200 {
            let next = (w * y + u).tanh()
            if (next - y).maxNorm <= 1e-15 { return (next, ()) }
            y = next
        }
        return (y, ())
    }
    var times = [Double]()
    for choice in [LinearSolverChoice.automatic, .gmres, .direct] {
        let f = ImplicitFunction(solver: solver, conditions: { u, y, _ in y - (w * y + u).tanh() },
                                 options: ImplicitOptions(linearSolver: choice))
        let (y, _) = try f.solve(at: u)
        let ones = Vector(repeating: 1, count: size)
        times.append(best(3) {
            let d = try! f.derivative(at: u, solution: y, byproduct: ())
            _ = try! d.pullback(ones)
        })
    }
    print("| tanh fixed point n = \(size) | \(ms(times[0])) | \(ms(times[1])) | \(ms(times[2])) | \(String(format: "%.2f", times[0] / times[1])) |")
}

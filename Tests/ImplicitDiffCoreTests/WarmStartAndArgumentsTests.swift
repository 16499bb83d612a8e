import Foundation
import Synchronization
import Testing
import _Differentiation
@testable import ImplicitDiffCore

// Warm starts change where the solver starts, not the answer (agreement with a cold
// solve to the solver's 1e-15 stopping rule) or the derivative; non-differentiable
// arguments reach solver and conditions at each call. Gradients against the closed form
// of the tanh fixed point (MatrixFreeAutomaticTests), 1e-8 relative.

/// Iteration counts of the solves, in call order.
final class IterationLog: Sendable {
    let counts = Mutex<[Int]>([])
    func append(_ k: Int) { counts.withLock { $0.append(k) } }
    var all: [Int] { counts.withLock { $0 } }
}

/// Fixed-point iterations from `guess` (zero when nil), counting iterations.
func countedFixedPoint(w: Matrix, u: Vector, from guess: Vector?, counter: IterationLog) -> Vector {
    var y = guess ?? Vector.zeros(u.count)
    for k in 1...500 {
        let next = (w * y + u).tanh()
        if (next - y).maxNorm <= 1e-15 {
            counter.append(k)
            return next
        }
        y = next
    }
    return y
}

@Suite("Warm starts and non-differentiable arguments")
struct WarmStartAndArgumentsTests {
    @Test("a warm-started solver starts from the last solution: fewer iterations, same answer and gradient")
    func warmStart() throws {
        let p = TanhFixedPoint(n: 50, seed: 21)
        let w = p.w
        let counter = IterationLog()
        let start = WarmStart()
        let warm = ImplicitFunction(solver: { u, guess in (countedFixedPoint(w: w, u: u, from: guess, counter: counter), ()) },
                                    warmStart: start, conditions: { u, y, _ in y - (w * y + u).tanh() })
        #expect(start.guess == nil)
        let y0 = try warm.value(at: p.u)
        #expect(start.guess == y0)
        let nearby = p.u + Vector(repeating: 1e-3, count: 50)
        let ybar = Vector.ones(50)
        let g = try withCheckedDerivatives { gradient(at: nearby) { u in warm(u).dot(ybar) } }
        let iterations = counter.all
        #expect(iterations.count == 2 && iterations[1] < iterations[0], "\(iterations)")
        // Same answer as a cold solve, and the closed-form gradient at the nearby point.
        let cold = tanhFixedPoint(w: w, u: nearby)
        #expect((start.guess! - cold).maxNorm <= 1e-14)
        let reference = try TanhFixedPoint(w: w, u: nearby).referencePullback(ybar)
        #expect(relativeError(g, reference) <= 1e-8)
        start.reset()
        #expect(start.guess == nil)
    }

    @Test("arguments reach solver and conditions at each call; the gradient is with respect to x only")
    func arguments() throws {
        let a = TanhFixedPoint(n: 40, seed: 31), b = TanhFixedPoint(n: 40, seed: 32)
        let f = ImplicitFunctionWithArguments<Matrix, Void>(
            solver: { u, w in (tanhFixedPoint(w: w, u: u), ()) },
            conditions: { u, y, w, _ in y - (w * y + u).tanh() })
        let ybar = Vector((0..<40).map { Double($0 % 4) - 1.5 })
        let u = a.u
        for p in [a, b] {
            let y = f(u, arguments: p.w)
            #expect((y - tanhFixedPoint(w: p.w, u: u)).maxNorm == 0)
            let g = try withCheckedDerivatives { gradient(at: u) { u in f(u, arguments: p.w).dot(ybar) } }
            #expect(relativeError(g, try TanhFixedPoint(w: p.w, u: u).referencePullback(ybar)) <= 1e-8)
        }
        // The two argument values give different derivatives (the arguments are not stale).
        let ga = try f.derivative(at: u, arguments: a.w).derivative.pullback(ybar)
        let gb = try f.derivative(at: u, arguments: b.w).derivative.pullback(ybar)
        #expect(relativeError(ga, gb) > 1e-3)
    }
}

extension TanhFixedPoint {
    init(w: Matrix, u: Vector) {
        self.w = w
        self.u = u
    }
}

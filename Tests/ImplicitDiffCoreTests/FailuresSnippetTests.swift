import Foundation        // DispatchQueue, as the snippet uses it
import Synchronization   // Mutex, as the snippet uses it
import Testing
import ImplicitDiffCore

// The snippets of the DocC article "Failures under Swift AD", compiled and run as written
// (inside helpers that supply the names they assume). Values against the closed form of
// the square root (d sum sqrt(x) / dx = 1 / (2 sqrt x), exact to the solve: 1e-12); the
// failure path with y * y - x at x = 0 (A = 2y = 0: a singular system).

/// What the snippet's `do` block does with a gradient and an error.
final class Outcome: Sendable {
    let gradient = Mutex<Vector?>(nil)
    let error = Mutex<(any Error)?>(nil)
}

/// The first snippet with `f`, `loss`, `step(along:)` and `report(_:)` supplied.
func runCheckedScope(_ f: ImplicitFunction<Void>, at x: Vector, into outcome: Outcome) {
    func loss(_ y: Vector) -> Double { y.sum() }
    func step(along g: Vector) { outcome.gradient.withLock { $0 = g } }
    func report(_ error: any Error) { outcome.error.withLock { $0 = error } }
    // --- FailuresAndSwiftAD.md, "The rule" ---
    do {
        let g = try withCheckedDerivatives { gradient(at: x) { x in loss(f(x)) } }
        step(along: g)
    } catch {
        report(error)   // the first failure met, e.g. ImplicitDifferentiationError.singularSystem
    }
    // ---
}

@Suite("DocC: Failures under Swift AD, snippets compile and run")
struct FailuresSnippetTests {
    let f = ImplicitFunction(solver: { x in (newtonSqrt(x), ()) }, conditions: { x, y, _ in y * y - x })

    @Test("the checked scope: a gradient when it succeeds, the error when it fails")
    func checkedScope() throws {
        let x = Vector([0.25, 1, 4])
        let ok = Outcome()
        runCheckedScope(f, at: x, into: ok)
        let g = try #require(ok.gradient.withLock { $0 })
        #expect((g - Vector([1, 0.5, 0.25])).maxNorm <= 1e-12)
        #expect(ok.error.withLock { $0 } == nil)
        // sqrt at 0: y = 0, A = 2y = 0.
        let exactZero = ImplicitFunction(solver: { x in (Vector.zeros(x.count), ()) }, conditions: { x, y, _ in y * y - x })
        let failed = Outcome()
        runCheckedScope(exactZero, at: .zeros(2), into: failed)
        #expect(failed.gradient.withLock { $0 } == nil)
        let error = try #require(failed.error.withLock { $0 })
        #expect(error is ImplicitDifferentiationError, "\(error)")
    }

    @Test("child tasks in the async form, and a scope per worker thread")
    func tasksAndThreads() async throws {
        let f = self.f
        let inputs = [Vector([1, 4]), Vector([9, 16]), Vector([0.25, 0.64])]
        let xs = inputs
        // --- FailuresAndSwiftAD.md, "Where the scope reaches" ---
        // Reaches child tasks: use the async form (try await).
        let gradients = try await withCheckedDerivatives {
            await withTaskGroup(of: Vector.self) { group in
                for x in inputs { group.addTask { gradient(at: x) { x in f(x).sum() } } }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        // Threads started by hand: open a scope inside each worker.
        let results = Mutex([Result<Vector, any Error>?](repeating: nil, count: xs.count))
        DispatchQueue.concurrentPerform(iterations: xs.count) { i in
            let r = Result { try withCheckedDerivatives { gradient(at: xs[i]) { x in f(x).sum() } } }
            results.withLock { $0[i] = r }
        }
        // ---
        func expected(_ x: Vector) -> Vector { Vector(x.scalars.map { 1 / (2 * $0.squareRoot()) }) }
        // Task groups return in completion order: match each gradient to its input.
        #expect(gradients.count == inputs.count)
        for x in inputs {
            #expect(gradients.contains { ($0 - expected(x)).maxNorm <= 1e-12 }, "gradient at \(x)")
        }
        for (i, x) in xs.enumerated() {
            let g = try #require(results.withLock { $0[i] }).get()
            #expect((g - expected(x)).maxNorm <= 1e-12)
        }
    }
}

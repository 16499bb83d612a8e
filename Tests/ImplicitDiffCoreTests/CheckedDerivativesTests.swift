import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffCore

/// sqrt by its conditions, with a solver that fails (throws) for negative inputs: a
/// failure that can only surface through `withCheckedDerivatives`.
let fragileSqrt = ImplicitFunction(solver: { (x: Vector) throws -> (Vector, Int) in
    guard x.scalars.allSatisfy({ $0 >= 0 }) else { throw ImplicitDifferentiationError.nonFinite("sqrt of a negative input") }
    return opaqueSqrt(x)
}, conditions: { x, y, _ in y * y - x })

/// Issue 13: where the checked scope reaches (threads, tasks), and pullbacks that outlive
/// the scope that recorded their failure.
@Suite("withCheckedDerivatives: tasks, threads and stale pullbacks")
struct CheckedDerivativesTests {
    @Test("the async scope reaches structured child tasks (task group): a failure in one child is thrown")
    func taskGroupChildren() async throws {
        let inputs: [Vector] = [[4], [-1], [9]]
        await #expect(throws: ImplicitDifferentiationError.self) {
            try await withCheckedDerivatives {
                await withTaskGroup(of: Vector.self) { group in
                    for x in inputs { group.addTask { gradient(at: x) { x in fragileSqrt(x).sum() } } }
                    for await _ in group {}
                }
            }
        }
        // Healthy children: the gradients come back, nothing is thrown.
        let grads = try await withCheckedDerivatives {
            await withTaskGroup(of: Double.self) { group in
                for x in [4.0, 9, 16] { group.addTask { gradient(at: [x] as Vector) { x in fragileSqrt(x).sum() }[0] } }
                return await group.reduce(into: [Double]()) { $0.append($1) }.sorted()
            }
        }
        expectClose(Vector(grads), Vector([0.125, 1.0 / 6, 0.25]), rtol: 1e-12, "gradients")
    }

    @Test("async let children inherit the scope; the synchronous form still works in async code")
    func asyncLetChild() async throws {
        let g = try withCheckedDerivatives { gradient(at: [4] as Vector) { x in fragileSqrt(x).sum() } }
        expectClose(g, [0.25], rtol: 1e-12, "gradient")
        await #expect(throws: ImplicitDifferentiationError.self) {
            try await withCheckedDerivatives {
                async let g = gradient(at: [-2] as Vector) { x in fragileSqrt(x).sum() }
                _ = await g
            }
        }
    }

    @Test("a pullback kept from a scope that threw fails again in the next checked scope, never NaN")
    func stalePullbackThrowsInANewScope() throws {
        var kept: ((Double) -> Vector)?
        #expect(throws: ImplicitDifferentiationError.self) {
            try withCheckedDerivatives {
                let (_, pullback) = valueWithPullback(at: [-1] as Vector) { x in fragileSqrt(x).sum() }
                kept = pullback
            }
        }
        let pullback = try #require(kept)
        #expect(throws: ImplicitDifferentiationError.self) {
            _ = try withCheckedDerivatives { pullback(1) }
        }
    }

    @Test("a stale pullback called outside any scope stops the program with the error")
    func stalePullbackOutsideAnyScopeStops() async {
        await #expect(processExitsWith: .failure) {
            var kept: ((Double) -> Vector)?
            _ = try? withCheckedDerivatives {
                kept = valueWithPullback(at: [-1] as Vector) { x in fragileSqrt(x).sum() }.1
            }
            _ = kept?(1)
        }
    }

    @Test("a module's own failure report: thrown by the checked scope, a stop without one")
    func recordedFailure() async {
        #expect {
            try withCheckedDerivatives { recordDerivativeFailure(ImplicitDifferentiationError.singularSystem("recorded")) }
        } throws: { error in
            guard case ImplicitDifferentiationError.singularSystem("recorded") = error else { return false }
            return true
        }
        await #expect(processExitsWith: .failure) {
            recordDerivativeFailure(ImplicitDifferentiationError.singularSystem("no scope"))
        }
    }

    @Test("a thread started by hand is outside the scope: the failure stops the program, not a NaN")
    func threadOutsideTheScopeStops() async {
        await #expect(processExitsWith: .failure) {
            _ = try? withCheckedDerivatives {
                let done = DispatchSemaphore(value: 0)
                Thread { _ = gradient(at: [-1] as Vector) { x in fragileSqrt(x).sum() }; done.signal() }.start()
                done.wait()
            }
        }
    }
}

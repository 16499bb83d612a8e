import Testing
import Synchronization
import _Differentiation
import ImplicitDiffCore
import ImplicitDiffTestSupport

// Issue 16: a user's @differentiable conditions pay no wasted pullback. F(x, y) =
// H y - x with H symmetric positive definite (n = 5) so y(x) = H^-1 x, the VJP of ybar
// is H^-1 ybar (closed form). The conditions pass y through `countedIdentity`, whose
// pullback counts its calls: forming the dense A and B costs n pullbacks (one per row);
// the solve's residual and B' w then use those dense blocks, so one gradient costs
// exactly n pullbacks (it cost n + 2 before: A' w for the residual, B' w for xbar).

private let pullbacks = Mutex(0)

@differentiable(reverse)
private func countedIdentity(_ v: Vector) -> Vector { v }

@derivative(of: countedIdentity)
private func countedIdentityVJP(_ v: Vector) -> (value: Vector, pullback: (Vector) -> Vector) {
    (v, { g in
        pullbacks.withLock { $0 += 1 }
        return g
    })
}

private let h: Matrix = {
    var rng = SplitMix64(seed: 23)
    let m = rng.matrix(5, 5)
    return m * m.transposed / 5 + Matrix.identity(5)
}()

@Suite("Differentiable conditions: no wasted pullback", .serialized)
struct DifferentiableConditionsCostTests {
    @Test("one gradient costs n pullbacks of F with a direct solve, and is the closed form")
    func pullbackCount() throws {
        let f = ImplicitFunction(solver: { (x: Vector) throws -> (Vector, Void) in
            (try CholeskyFactorization(h).solve(x), ())
        }, conditions: { x, y, _ in h * countedIdentity(y) - x })
        var rng = SplitMix64(seed: 24)
        let x = rng.vector(5), ybar = rng.vector(5)
        pullbacks.withLock { $0 = 0 }
        let g = try withCheckedDerivatives { gradient(at: x) { x in f(x).dot(ybar) } }
        expectClose(g, try CholeskyFactorization(h).solve(ybar), rtol: 1e-12, "VJP vs H^-1 ybar")
        #expect(pullbacks.withLock { $0 } == 5)
    }
}

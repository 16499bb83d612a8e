import Foundation
import Testing
import Synchronization
@testable import ImplicitDiffCore

// ImplicitFunction.restricted(to:fixing:): a layer in some blocks of x, the rest fixed.
// The map: y_i^3 + y_i = u_i s_i (x = [u, s], three entries each), solved by an opaque
// Newton loop. Closed forms: dy_i/ds_i = u_i / (3 y_i^2 + 1), dy_i/du_i = s_i / (3 y_i^2 + 1)
// (exact to the linear solve: compared at 1e-12).

@Sendable func cubicRoots(_ r: Vector) -> Vector {
    r.map { v in
        var y = 0.0
        for _ in 0..<100 { y -= (y * y * y + y - v) / (3 * y * y + 1) }
        return y
    }
}

/// Conditions of the cubic map with hand-written linearisation, whose `B` is column
/// selectable and records the selections it was asked for, and a count of linearisations.
final class Spy: Sendable {
    let linearizations = Mutex(0)
    let selections = Mutex<[ParameterSelection]>([])
}

struct SelectableB: ColumnSelectableOperator, @unchecked Sendable {
    let u: Vector, s: Vector, spy: Spy
    var rowCount: Int { u.count }
    var columnCount: Int { 2 * u.count }
    // F = y^3 + y - u s: dF/du = -diag(s), dF/ds = -diag(u).
    func apply(_ v: Vector) -> Vector {
        let v = v.materialized(count: columnCount), n = u.count
        return -(s * v.slice(0..<n) + u * v.slice(n..<(2 * n)))
    }
    func applyTransposed(_ w: Vector) -> Vector { -((s * w).concatenated(with: u * w)) }
    func selectingColumns(_ selection: ParameterSelection) -> any AdjointableLinearOperator {
        spy.selections.withLock { $0.append(selection) }
        return SelectedColumnsOperator(base: self, selection: selection)
    }
}

struct CubicConditions: ImplicitConditions {
    let spy: Spy
    func residual(x: Vector, y: Vector, byproduct: Void) -> Vector {
        let n = y.count
        return y * y * y + y - x.slice(0..<n) * x.slice(n..<(2 * n))
    }
    func linearize(x: Vector, y: Vector, byproduct: Void) throws -> ConditionsLinearization {
        spy.linearizations.withLock { $0 += 1 }
        let n = y.count
        let a = Matrix.diagonal(3 * y * y + 1)
        return ConditionsLinearization(a: a, b: SelectableB(u: x.slice(0..<n), s: x.slice(n..<(2 * n)), spy: spy),
                                       isSymmetric: true)
    }
}

@Suite("ImplicitFunction.restricted: layers in a subset of the parameters")
struct RestrictedImplicitFunctionTests {
    let x = Vector([0.5, 2, -1.5, 1.2, 0.7, 3])   // [u, s]

    @Test("ParameterSelection gathers, embeds and scatters blocks")
    func selection() {
        let sel = ParameterSelection(blocks: [1..<2, 3..<5, 5..<5], fullCount: 6)
        #expect(sel.blocks == [1..<2, 3..<5] && sel.count == 3 && !sel.isComplete)
        #expect(sel.gather(x) == Vector([2, 1.2, 0.7]))
        #expect(sel.embed([9, 8, 7], into: x) == Vector([0.5, 9, -1.5, 8, 7, 3]))
        #expect(sel.scatter([9, 8, 7]) == Vector([0, 9, 0, 8, 7, 0]))
        #expect(sel.scatter(.zero).scalars.isEmpty && sel.gather(.zero).scalars.isEmpty)
        #expect(sel.contains(3..<4) && !sel.contains(2..<4) && sel.overlaps(2..<4))
    }

    @Test("in s alone and in (u_0, s_1, s_2): gradients, pushforward and Jacobian equal the closed forms")
    func closedForms() throws {
        let spy = Spy()
        let full = ImplicitFunction(solver: { x in (cubicRoots(x.slice(0..<3) * x.slice(3..<6)), ()) },
                                    conditions: CubicConditions(spy: spy))
        let y = cubicRoots(x.slice(0..<3) * x.slice(3..<6))
        let d = 3 * y * y + 1
        let u = x.slice(0..<3), s = x.slice(3..<6)
        let inS = full.restricted(to: [3..<6], fixing: x)
        let g = try withCheckedDerivatives { gradient(at: s) { s in inS(s).sum() } }
        #expect((g - u / d).maxNorm <= 1e-12, "dsum(y)/ds: \(g) vs \(u / d)")
        let mixed = full.restricted(to: [0..<1, 4..<6], fixing: x)
        let xs = Vector([u[0], s[1], s[2]])
        let gm = try withCheckedDerivatives { gradient(at: xs) { xs in mixed(xs).sum() } }
        #expect((gm - Vector([s[0] / d[0], u[1] / d[1], u[2] / d[2]])).maxNorm <= 1e-12)
        let dy = try mixed.pushforward(at: xs, along: [1, 0, 0])
        #expect((dy - Vector([s[0] / d[0], 0, 0])).maxNorm <= 1e-12)
        let jac = try inS.jacobian(at: s)
        #expect(jac.rows == 3 && jac.columns == 3)
        #expect((jac - Matrix.diagonal(u / d)).maxNorm <= 1e-12)
        // The restricted argument has the selection's length; anything else is an error.
        #expect(throws: ImplicitDifferentiationError.self) { _ = try inS.value(at: x) }
    }

    @Test("the implicit path runs: one opaque solve and one linearisation per gradient, B restricted by the conditions")
    func implicitPath() throws {
        let spy = Spy()
        let solves = Mutex(0)
        let full = ImplicitFunction(solver: { x in
            solves.withLock { $0 += 1 }
            return (cubicRoots(x.slice(0..<3) * x.slice(3..<6)), ())
        }, conditions: CubicConditions(spy: spy))
        let inS = full.restricted(to: [3..<6], fixing: x)
        _ = try withCheckedDerivatives { gradient(at: x.slice(3..<6)) { s in inS(s).sum() } }
        #expect(solves.withLock { $0 } == 1)
        #expect(spy.linearizations.withLock { $0 } >= 1)
        #expect(spy.selections.withLock { $0 } == [ParameterSelection(blocks: [3..<6], fullCount: 6)])
    }

    @Test("Swift AD traps: joint differentiation in (s, w); s is the explicit input, not captured")
    func adTraps() throws {
        let full = ImplicitFunction(solver: { x in (cubicRoots(x.slice(0..<3) * x.slice(3..<6)), ()) },
                                    conditions: { x, y, _ in y * y * y + y - x.slice(0..<3) * x.slice(3..<6) })
        let inS = full.restricted(to: [3..<6], fixing: x)
        let s = x.slice(3..<6), w = Vector([1, -2, 0.5])
        let (_, pullback) = valueWithPullback(at: s, w) { s, w in inS(s).dot(w) }
        let (gs, gw) = pullback(1)
        let y = inS(s), d = 3 * y * y + 1
        #expect((gs - w * x.slice(0..<3) / d).maxNorm <= 1e-10, "d/ds jointly: \(gs)")
        #expect((gw - y).maxNorm <= 1e-14, "d/dw = y")
        #expect(gs.maxNorm > 0.1)
    }
}

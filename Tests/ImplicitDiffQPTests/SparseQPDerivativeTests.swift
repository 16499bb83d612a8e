import Foundation
import Testing
@testable import ImplicitDiffQP

/// Derivatives of sparse QPs against central finite differences of re-solved problems
/// (forward and reverse mode), and the typed refusals at non-differentiable points.
@Suite struct SparseQPDerivativeTests {
    /// The problem with its data moved by `eps` along the tangent `t`.
    func perturbed(_ p: SparseQuadraticProgram, _ t: SparseQPParameters, _ eps: Double) throws -> SparseQuadraticProgram {
        func add(_ a: Vector, _ b: Vector) -> Vector {
            Vector((0..<a.count).map { a[$0].isFinite ? a[$0] + eps * b[$0] : a[$0] })
        }
        return try SparseQuadraticProgram(
            P: p.P.withValues((0..<p.P.nonZeroCount).map { p.P.values[$0] + eps * t.P[$0] }), q: add(p.q, t.q),
            A: p.A.withValues((0..<p.A.nonZeroCount).map { p.A.values[$0] + eps * t.A[$0] }),
            l: add(p.l, t.l), u: add(p.u, t.u), lb: add(p.lb, t.lb), ub: add(p.ub, t.ub))
    }

    /// A random tangent on every parameter: symmetric on `P`'s pattern, zero on infinite
    /// bounds, and equality rows moved together (`dl = du`: the row stays an equality).
    func tangent(_ p: SparseQuadraticProgram, seed: UInt64) -> SparseQPParameters {
        var rng = QPRandom(seed: seed)
        var t = SparseQPParameters.zeros(like: p)
        let pt = p.P.transposed
        var pv = (0..<p.P.nonZeroCount).map { _ in rng.normal() }
        let sym = pt.withValues(pv).transposed.values  // the transpose's values on P's pattern
        for e in pv.indices { pv[e] = 0.5 * (pv[e] + sym[e]) }
        t.P = pv
        t.A = (0..<p.A.nonZeroCount).map { _ in rng.normal() }
        t.q = rng.vector(p.variableCount)
        for i in 0..<p.rowCount {
            let d = rng.normal()
            t.l[i] = p.l[i].isFinite ? d : 0
            t.u[i] = p.u[i].isFinite ? (p.l[i] == p.u[i] ? d : rng.normal()) : 0
        }
        for j in 0..<p.variableCount {
            t.lb[j] = p.lb[j].isFinite ? rng.normal() : 0
            t.ub[j] = p.ub[j].isFinite ? (p.lb[j] == p.ub[j] ? t.lb[j] : rng.normal()) : 0
        }
        return t
    }

    func dot(_ a: SparseQPParameters, _ b: SparseQPParameters) -> Double {
        var s = a.q.dot(b.q) + a.l.dot(b.l) + a.u.dot(b.u) + a.lb.dot(b.lb) + a.ub.dot(b.ub)
        for e in a.P.indices { s += a.P[e] * b.P[e] }
        for e in a.A.indices { s += a.A[e] * b.A[e] }
        return s
    }

    /// JVP and VJP against central differences `(z(x + eps t) - z(x - eps t)) / 2 eps`,
    /// eps = 1e-6, on problems solved to rounding (polished): the difference quotient's
    /// truncation error is O(eps^2 |z'''|) ~ 1e-12 and its rounding error ~ 1e-16 / eps
    /// = 1e-10 relative, so 1e-6 relative leaves a wide margin while a wrong sign, a
    /// missing term or a wrong active side gives O(1) errors.
    @Test(arguments: [(30, 20, UInt64(21)), (80, 60, 22), (150, 100, 23)])
    func forwardAndReverseAgreeWithFiniteDifferences(_ n: Int, _ m: Int, _ seed: UInt64) throws {
        let p = RandomSparseQP(n: n, m: m, density: 0.06, seed: seed).problem
        let s = try p.solve()
        #expect(s.polished)
        let d: SparseQPDerivative
        do { d = try s.derivative() } catch {
            Issue.record("not differentiable at a random problem: \(error)")
            return
        }
        let t = tangent(p, seed: seed + 100)
        let eps = 1e-6
        let zp = try perturbed(p, t, eps).solve().z, zm = try perturbed(p, t, -eps).solve().z
        let fd = Vector((0..<n).map { (zp[$0] - zm[$0]) / (2 * eps) })
        let jvp = try d.pushforward(t).z
        #expect(sparseRelativeError(jvp, fd) < 1e-6, "JVP vs finite differences: \(sparseRelativeError(jvp, fd))")
        // Reverse mode: <zbar, J t> = <J' zbar, t> for a random zbar.
        var rng = QPRandom(seed: seed + 200)
        let zbar = rng.vector(n)
        let g = try d.pullback(z: zbar)
        let lhs = zbar.dot(fd), rhs = dot(g, t)
        #expect(abs(lhs - rhs) <= 1e-6 * (1 + abs(lhs)), "VJP: <zbar, fd> = \(lhs), <grad, t> = \(rhs)")
    }

    /// The gradient agrees with the dense path's on the same small problem (`q` and the
    /// upper sides `h` of `G z <= h`, which is how the sparse rows carry them).
    @Test func agreesWithTheDensePath() throws {
        let known = KnownQP(n: 12, p: 2, m: 16, activeCount: 5, seed: 31)
        let dq = known.problem
        let sp = try SparseQuadraticProgram(Q: SparseMatrix(dq.Q), q: dq.q, equalities: SparseMatrix(dq.A), b: dq.b,
                                            inequalities: SparseMatrix(dq.G), h: dq.h)
        let sparse = try sp.solve().derivative()
        let dense = try dq.solve().derivative()
        var rng = QPRandom(seed: 32)
        let zbar = rng.vector(12)
        let gs = try sparse.pullback(z: zbar)
        let gd = try dense.pullback(QPOutputs(z: zbar))
        // Both solve a well-conditioned KKT system to rounding: 1e-9 relative.
        #expect(sparseRelativeError(gs.q, gd.q) < 1e-9)
        // An equality row's gradient sits on the side its multiplier binds (u if y >= 0, else l).
        #expect(sparseRelativeError(Vector((0..<2).map { gs.u[$0] + gs.l[$0] }), gd.b) < 1e-9)
        #expect(sparseRelativeError(Vector(Array(gs.u.scalars[2...])), gd.h) < 1e-9)
        // The stacked rows [A; G] carry both matrix gradients (dense data: full pattern).
        let ga = sp.A.withValues(gs.A).dense
        let top = Vector(Array(ga.scalars[0..<(2 * 12)])), bottom = Vector(Array(ga.scalars[(2 * 12)...]))
        #expect(sparseRelativeError(top, Vector(gd.A.scalars)) < 1e-9)
        #expect(sparseRelativeError(bottom, Vector(gd.G.scalars)) < 1e-9)
        let gp = sp.P.withValues(gs.P).dense
        #expect(sparseRelativeError(Vector(gp.scalars), Vector(gd.Q.scalars)) < 1e-9)
    }

    /// A weakly active bound: `min 1/2 z^2` with `z >= 0` (slack 0 and multiplier 0): typed
    /// refusal naming the bound; the one-sided policies give the two one-sided derivatives.
    @Test func weaklyActiveBoundIsRefusedAndNamed() throws {
        let p = try SparseQuadraticProgram(P: .identity(2), q: [0, -1], lb: [0, -.infinity], ub: [.infinity, .infinity])
        let s = try p.solve()
        #expect(s.activeSet.weaklyActiveBounds == [0])
        do { _ = try s.derivative(); Issue.record("a kink was differentiated") } catch let e as QPError {
            guard case let .notDifferentiable(why) = e else { Issue.record("wrong error \(e)"); return }
            #expect(why.contains("variable 0"))
        }
        // Treated as active, z_0 = lb_0 moves with lb; treated as inactive it does not.
        let active = try s.derivative(policy: .treatAsActive).pullback(z: [1, 0])
        let inactive = try s.derivative(policy: .treatAsInactive).pullback(z: [1, 0])
        #expect(abs(active.lb[0] - 1) < 1e-12 && abs(inactive.lb[0]) < 1e-12)
        #expect(abs(inactive.q[0] + 1) < 1e-9)  // z_0 = -q_0 when free
    }

    /// Two identical active rows: linearly dependent, refused with the rows named, by the
    /// first solve (whatever the cotangent: here one the singular system could satisfy),
    /// by every later one, and by `requireNonsingular()`.
    @Test func dependentActiveRowsAreNamed() throws {
        let A = try SparseMatrix(rows: 2, columns: 2, rowIndices: [0, 0, 1, 1], columnIndices: [0, 1, 0, 1], values: [1, 1, 1, 1])
        let p = try SparseQuadraticProgram(P: .identity(2), q: [0, 0], A: A, l: [1, 1], u: [1, 1])
        let s = try p.solve()
        let d = try s.derivative()
        for attempt in 0..<2 {
            do { _ = try d.pullback(z: [1, 1]); Issue.record("dependent rows were differentiated") } catch let e as QPError {
                guard case let .notDifferentiable(why) = e else { Issue.record("wrong error \(e)"); return }
                #expect(why.contains("[0, 1]"), "attempt \(attempt), message: \(why)")
            }
        }
        #expect(throws: QPError.self) { try s.derivative().requireNonsingular() }
        #expect(throws: QPError.self) { try s.derivative().pushforward(.zeros(like: p)) }
    }
}

import Foundation
import Testing
@testable import ImplicitDiffQP

// The weakly active example: min 1/2||z||^2 - z2 s.t. z1 <= h1 (= 0), z2 <= h2 (= 2).
// The unconstrained minimiser (0, 1) lies on z1 = 0 with mu1 = 0: constraint 0 is weakly
// active. One-sided derivatives in h1: raising h1 frees the constraint (dz/dh1 = 0),
// lowering it drags z1 along (dz1/dh1 = 1).
@Suite("QP weakly active constraints")
struct QPWeakActivityTests {
    func problem(h1: Double = 0) throws -> QuadraticProgram {
        try QuadraticProgram(Q: .identity(2), q: [0, -1], G: Matrix(rowArrays: [[1, 0], [0, 1]])!, h: [h1, 2])
    }

    @Test("detected, reported, and rejected by default with the constraint named")
    func detectionAndRejection() throws {
        let s = try problem().solve()
        expectClose(s.z, [0, 1], rtol: 1e-12, atol: 1e-14, "z")
        #expect(s.activeSet.weaklyActive == [0])
        #expect(!s.activeSet.isNondegenerate)
        let msg = expectQPError("reject", { if case .notDifferentiable = $0 { return true }; return false }) {
            _ = try s.derivative()
        }
        #expect(msg.contains("inequality 0 is weakly active"))
        // A strictly active or strictly inactive neighbour is not weakly active.
        #expect(try problem(h1: -0.5).solve().activeSet.weaklyActive.isEmpty)
        #expect(try problem(h1: 0.5).solve().activeSet.weaklyActive.isEmpty)
    }

    @Test("treatAsInactive / treatAsActive give the two one-sided derivatives")
    func oneSidedConventions() throws {
        let s = try problem().solve()
        let t = 1e-6
        let z0 = s.z
        let up = (try problem(h1: t).solve().z - z0) / t       // constraint becomes inactive
        let down = (z0 - (try problem(h1: -t).solve().z)) / t  // constraint binds
        let inactive = try s.derivative(policy: .treatAsInactive)
        let active = try s.derivative(policy: .treatAsActive)
        #expect(inactive.activeInequalities == [])
        #expect(active.activeInequalities == [0])
        expectClose(try inactive.jacobian(of: .z, wrt: .h).column(0), up, rtol: 1e-8, atol: 1e-8, "dz/dh1 from above")
        expectClose(try active.jacobian(of: .z, wrt: .h).column(0), down, rtol: 1e-8, atol: 1e-8, "dz/dh1 from below")
        expectClose(up, [0, 0], rtol: 0, atol: 1e-9, "right derivative")
        expectClose(down, [1, 0], rtol: 1e-8, "left derivative")
    }

    @Test("weakly active threshold is relative: the same problem scaled by 1e6 behaves alike")
    func scaleInvariance() throws {
        let p = try problem()
        let big = try QuadraticProgram(Q: 1e6 * p.Q, q: 1e6 * p.q, G: 1e-3 * p.G, h: 1e-3 * p.h)
        #expect(try big.solve().activeSet.weaklyActive == [0])
    }
}

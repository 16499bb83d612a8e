import Foundation
import Testing
@testable import ImplicitDiffQP

@Suite("QP solver")
struct QPSolverTests {
    @Test("recovers the planted optimum and its exact active set", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func plantedOptimum(seed: UInt64) throws {
        let k = KnownQP(n: 12, p: 3, m: 15, activeCount: 6, seed: seed)
        let s = try k.problem.solve()
        expectClose(s.z, k.z, rtol: 1e-10, atol: 1e-12, "z")
        expectClose(s.lambda, k.lambda, rtol: 1e-9, atol: 1e-12, "lambda")
        expectClose(s.mu, k.mu, rtol: 1e-9, atol: 1e-12, "mu")
        #expect(s.activeSet.active == k.active)
        #expect(s.activeSet.weaklyActive.isEmpty)
        #expect(s.report.polished)
        #expect(s.report.kktResidual.maximum <= 1e-10)
        print("seed \(seed): \(s.report.iterations) iterations, \(s.report.polishAttempts) polish, \(s.report.kktResidual)")
    }
}

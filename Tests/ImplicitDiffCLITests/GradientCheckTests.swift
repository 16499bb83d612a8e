import Testing
@testable import ImplicitDiffCLI

/// Every registered kind with a sample problem: its JVP against central finite differences
/// of re-solved problems (1e-5 relative: forward solves at tol 1e-13, step 1e-6, so
/// truncation ~1e-12 and rounding ~1e-13/1e-6 = 1e-7 relative to the derivative), and its
/// VJP against its JVP through the adjoint identity (1e-8: both exact up to the solve).
@Suite("Derivative checks of every CLI kind")
struct GradientCheckTests {
    @Test(arguments: ProblemKinds.all.map { $0.name })
    func kindPassesGradientCheck(name: String) throws {
        let kind = try #require(ProblemKinds.named(name))
        let rows = GradientCheck().run(kind: kind, seed: 7)
        for row in rows {
            #expect(row.passed, "\(row.kind).\(row.parameter): forward error \(row.forwardError) on \(row.worstOutput), adjoint \(row.adjointError) \(row.note)")
        }
    }

    @Test func ridgeHasASample() {
        #expect(RidgeKind.sample(seed: 1) != nil)
        #expect(!GradientCheck().run(kind: RidgeKind.self, seed: 1).isEmpty)
    }
}

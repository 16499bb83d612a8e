import Foundation
import Testing
@testable import ImplicitDiffSinkhorn

// Agreement with ott-jax's unbalanced Sinkhorn (tau_a, tau_b < 1) at 1e-6 relative: the
// numbers are OTTUnbalanced's, printed by Benchmarks/sinkhorn/unbalanced_reference.py.

/// A cost-matrix case of the reference script.
struct OTTMatrixCase: CustomTestStringConvertible, Sendable {
    let name: String
    let epsilon: Double
    let tauA: Double
    let tauB: Double
    let f: [Double], g: [Double], plan: [Double]
    let cost: Double
    let costGradC: [Double], costGradA: [Double], costGradB: [Double]
    let costGradEps: Double
    let lossGradC: [Double], lossGradA: [Double], lossGradB: [Double]
    let lossGradEps: Double
    var testDescription: String { name }
}

let ottMatrixCases: [OTTMatrixCase] = [
    OTTMatrixCase(name: "case 1: tau_a 0.7, tau_b 0.8, eps 0.1", epsilon: 0.1, tauA: 0.7, tauB: 0.8,
                  f: OTTUnbalanced.Case1.f, g: OTTUnbalanced.Case1.g, plan: OTTUnbalanced.Case1.plan,
                  cost: OTTUnbalanced.Case1.cost, costGradC: OTTUnbalanced.Case1.costGradC,
                  costGradA: OTTUnbalanced.Case1.costGradA, costGradB: OTTUnbalanced.Case1.costGradB,
                  costGradEps: OTTUnbalanced.Case1.costGradEps, lossGradC: OTTUnbalanced.Case1.lossGradC,
                  lossGradA: OTTUnbalanced.Case1.lossGradA, lossGradB: OTTUnbalanced.Case1.lossGradB,
                  lossGradEps: OTTUnbalanced.Case1.lossGradEps),
    OTTMatrixCase(name: "case 2: tau_a 1 (exact), tau_b 0.5, eps 0.2", epsilon: 0.2, tauA: 1, tauB: 0.5,
                  f: OTTUnbalanced.Case2.f, g: OTTUnbalanced.Case2.g, plan: OTTUnbalanced.Case2.plan,
                  cost: OTTUnbalanced.Case2.cost, costGradC: OTTUnbalanced.Case2.costGradC,
                  costGradA: OTTUnbalanced.Case2.costGradA, costGradB: OTTUnbalanced.Case2.costGradB,
                  costGradEps: OTTUnbalanced.Case2.costGradEps, lossGradC: OTTUnbalanced.Case2.lossGradC,
                  lossGradA: OTTUnbalanced.Case2.lossGradA, lossGradB: OTTUnbalanced.Case2.lossGradB,
                  lossGradEps: OTTUnbalanced.Case2.lossGradEps),
]

@Suite("Unbalanced Sinkhorn against ott-jax (issue 14)")
struct SinkhornUnbalancedReferenceTests {
    static let rtol = 1e-6

    @Test(arguments: ottMatrixCases)
    func costMatrixValuesAndGradients(_ c: OTTMatrixCase) throws {
        let problem = try SinkhornProblem(costMatrix: OTTUnbalanced.costMatrix, a: OTTUnbalanced.a, b: OTTUnbalanced.b,
                                          epsilon: c.epsilon, tauA: c.tauA, tauB: c.tauB)
        #expect(!problem.isBalanced)
        let s = try problem.solve(options: SinkhornOptions(tolerance: 1e-13))
        expectClose(s.f, Vector(c.f), rtol: Self.rtol, "\(c.name): f (no gauge shift)")
        expectClose(s.g, Vector(c.g), rtol: Self.rtol, "\(c.name): g")
        expectClose(s.plan.flattened, Vector(c.plan), rtol: Self.rtol, "\(c.name): plan")
        expectClose(s.cost, c.cost, rtol: Self.rtol, "\(c.name): cost OT_u")
        // Envelope gradient against ott-jax's implicit differentiation of the value.
        let g = s.costGradient
        expectClose(g.costMatrix.flattened, Vector(c.costGradC), rtol: Self.rtol, "\(c.name): d cost/dC")
        expectClose(g.a, Vector(c.costGradA), rtol: Self.rtol, "\(c.name): d cost/da")
        expectClose(g.b, Vector(c.costGradB), rtol: Self.rtol, "\(c.name): d cost/db")
        expectClose(g.epsilon, c.costGradEps, rtol: Self.rtol, "\(c.name): d cost/d eps")
        // Reverse mode of plan and potentials: the implicit derivative.
        let (loss, report) = try s.derivative().pullbackWithReport(
            SinkhornOutputTangent(plan: OTTUnbalanced.planCotangent, f: OTTUnbalanced.fCotangent, g: OTTUnbalanced.gCotangent))
        #expect(report.method == "cholesky" && report.relativeResidual < 1e-12)
        expectClose(loss.costMatrix.flattened, Vector(c.lossGradC), rtol: Self.rtol, "\(c.name): dL/dC")
        expectClose(loss.a, Vector(c.lossGradA), rtol: Self.rtol, "\(c.name): dL/da")
        expectClose(loss.b, Vector(c.lossGradB), rtol: Self.rtol, "\(c.name): dL/db")
        expectClose(loss.epsilon, c.lossGradEps, rtol: Self.rtol, "\(c.name): dL/d eps")
    }

    /// Case 3, stored and streamed: the cost and its gradient in the points and weights,
    /// and the pullback of a cotangent on the potentials.
    @Test func pointCloudsStoredAndStreamed() throws {
        let problem = try SinkhornProblem(x: OTTUnbalanced.x, y: OTTUnbalanced.y, a: OTTUnbalanced.pa, b: OTTUnbalanced.pb,
                                          epsilon: 0.15, tauA: 0.9, tauB: 0.6)
        let cotangent = SinkhornOutputTangent(f: OTTUnbalanced.pfCotangent, g: OTTUnbalanced.pgCotangent)
        let c = OTTUnbalanced.Case3.self
        let stored = try problem.solve(options: SinkhornOptions(tolerance: 1e-13))
        let streamed = try problem.solveStreaming(options: SinkhornOptions(tolerance: 1e-13))
        for (path, f, g, cost, grad) in [("stored", stored.f, stored.g, stored.cost, stored.costGradient),
                                         ("streamed", streamed.f, streamed.g, streamed.cost, streamed.costGradient)] {
            expectClose(f, Vector(c.f), rtol: Self.rtol, "\(path): f")
            expectClose(g, Vector(c.g), rtol: Self.rtol, "\(path): g")
            expectClose(cost, c.cost, rtol: Self.rtol, "\(path): cost")
            expectClose(grad.x.flattened, Vector(c.costGradX), rtol: Self.rtol, "\(path): d cost/dx")
            expectClose(grad.y.flattened, Vector(c.costGradY), rtol: Self.rtol, "\(path): d cost/dy")
            expectClose(grad.a, Vector(c.costGradA), rtol: Self.rtol, "\(path): d cost/da")
            expectClose(grad.b, Vector(c.costGradB), rtol: Self.rtol, "\(path): d cost/db")
        }
        let viaStored = try stored.derivative().pullback(cotangent)
        let (viaStreamed, report) = try streamed.pullbackWithReport(cotangent, options: ImplicitOptions(linearTolerance: 1e-13))
        #expect(report.method == "cg")
        for (path, grad) in [("stored", viaStored), ("streamed", viaStreamed)] {
            expectClose(grad.x.flattened, Vector(c.lossGradX), rtol: Self.rtol, "\(path): dL/dx")
            expectClose(grad.y.flattened, Vector(c.lossGradY), rtol: Self.rtol, "\(path): dL/dy")
            expectClose(grad.a, Vector(c.lossGradA), rtol: Self.rtol, "\(path): dL/da")
            expectClose(grad.b, Vector(c.lossGradB), rtol: Self.rtol, "\(path): dL/db")
        }
    }

    /// Case 4: the unbalanced divergence `OT_u(a, b) - OT_u(a, a)/2 - OT_u(b, b)/2` and its
    /// gradient (self terms by the symmetric update, tau_a = tau_b).
    @Test func divergence() throws {
        let d = try SinkhornDivergence(x: OTTUnbalanced.x, y: OTTUnbalanced.y, a: OTTUnbalanced.pa, b: OTTUnbalanced.pb,
                                       epsilon: 0.15, tauA: 0.8, tauB: 0.8, options: SinkhornOptions(tolerance: 1e-13))
        #expect(d.sourceTerm.problem.isSymmetric && d.targetTerm.problem.isSymmetric)
        let c = OTTUnbalanced.Case4.self
        expectClose(d.value, c.divergence, rtol: Self.rtol, "S")
        let g = d.gradient
        expectClose(g.x.flattened, Vector(c.divergenceGradX), rtol: Self.rtol, "dS/dx")
        expectClose(g.y.flattened, Vector(c.divergenceGradY), rtol: Self.rtol, "dS/dy")
        expectClose(g.a, Vector(c.divergenceGradA), rtol: Self.rtol, "dS/da")
        expectClose(g.b, Vector(c.divergenceGradB), rtol: Self.rtol, "dS/db")
        // S(x, x) = 0 with a = b.
        let zero = try SinkhornDivergence(x: OTTUnbalanced.x, y: OTTUnbalanced.x, a: OTTUnbalanced.pa, b: OTTUnbalanced.pa,
                                          epsilon: 0.15, tauA: 0.8, tauB: 0.8)
        #expect(abs(zero.value) <= 1e-12)
    }
}

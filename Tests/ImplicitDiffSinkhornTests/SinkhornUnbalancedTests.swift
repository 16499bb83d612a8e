import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffSinkhorn

// Unbalanced transport (tau_a, tau_b < 1): derivatives against central finite differences
// of tightly re-solved problems, forward against reverse mode, the Schur path against the
// generic implicit-function path, Swift AD entry points, the streamed path, validation.
//
// Finite differences: problems solved at tolerance 1e-13 (then Newton-polished to
// rounding), step h = 1e-4 eps along directions of unit size, so the truncation error
// (h/eps)^2 ~ 1e-8 and the solver's error divided by h, ~1e-13 / (1e-4 eps) <= 1e-8,
// both stay well below the 1e-6 relative tolerance. Directions in `a`, `b` are not
// projected: without a gauge, every direction is meaningful (and masses may differ).

let unbalancedCases: [DerivativeCase] = {
    var c1 = randomCostData(n: 5, m: 4, epsilon: 0.1, seed: 61)
    (c1.tauA, c1.tauB) = (0.7, 0.9)
    c1.b = 1.4 * c1.b                       // unequal masses
    var c2 = randomCostData(n: 3, m: 6, epsilon: 0.05, seed: 62)
    (c2.tauA, c2.tauB) = (1, 0.5)           // only the target relaxed; n < m
    var c3 = randomPointData(n: 6, m: 5, epsilon: 0.05, seed: 63)
    (c3.tauA, c3.tauB) = (0.95, 0.8)
    var c4 = randomCostData(n: 4, m: 4, epsilon: 0.02, seed: 64)
    (c4.tauA, c4.tauB) = (0.3, 0.99)        // strongly and weakly relaxed
    return [DerivativeCase(name: "C 5x4 eps 0.1 tau (0.7, 0.9), sum(b) = 1.4", data: c1, rtol: 1e-6),
            DerivativeCase(name: "C 3x6 eps 0.05 tau (1, 0.5)", data: c2, rtol: 1e-6),
            DerivativeCase(name: "points 6x5 eps 0.05 tau (0.95, 0.8)", data: c3, rtol: 1e-6),
            DerivativeCase(name: "C 4x4 eps 0.02 tau (0.3, 0.99)", data: c4, rtol: 1e-6)]
}()

@Suite("Unbalanced Sinkhorn (issue 14)")
struct SinkhornUnbalancedTests {
    /// Forward (JVP) and reverse (VJP) mode of plan, potentials and cost against central
    /// differences, and the adjoint identity between them.
    @Test(arguments: unbalancedCases)
    func pushforwardAndPullbackMatchFiniteDifferences(_ c: DerivativeCase) throws {
        let data = c.data
        let s = try data.solve()
        #expect(!s.problem.isBalanced)
        let d = try s.derivative()
        var rng = SplitMix64(seed: 7)
        let n = data.a.count, m = data.b.count
        for _ in 0..<2 {
            let t = data.randomTangent(&rng)
            let fd = try data.finiteDifference(along: t, h: 1e-4 * data.epsilon)
            let (jvp, report) = try d.pushforwardWithReport(t)
            #expect(report.method == "cholesky" && report.relativeResidual < 1e-12)
            expectClose(jvp.plan, fd.plan, rtol: c.rtol, "\(c.name): dP")
            expectClose(jvp.f, fd.f, rtol: c.rtol, "\(c.name): df")
            expectClose(jvp.g, fd.g, rtol: c.rtol, "\(c.name): dg")
            expectClose(jvp.cost, fd.cost, rtol: c.rtol, "\(c.name): d cost")
            let w = randomCotangent(n: n, m: m, &rng)
            let grad = try d.pullback(w)
            expectClose(inner(grad, t), inner(w, fd), rtol: c.rtol, "\(c.name): <pullback(w), t> vs finite differences")
            expectClose(inner(grad, t), inner(w, jvp), rtol: 1e-11, "\(c.name): adjoint identity")
        }
    }

    /// The envelope gradient of the cost (no solve) against central differences in each
    /// parameter separately, weights included (not projected).
    @Test(arguments: unbalancedCases)
    func costGradientMatchesFiniteDifferences(_ c: DerivativeCase) throws {
        let data = c.data
        let g = try data.solve().costGradient
        var rng = SplitMix64(seed: 8)
        let t = data.randomTangent(&rng)
        for (name, part) in [("C or points", SinkhornParameterTangent(costMatrix: t.costMatrix, x: t.x, y: t.y)),
                             ("a", SinkhornParameterTangent(a: t.a)), ("b", SinkhornParameterTangent(b: t.b)),
                             ("eps", SinkhornParameterTangent(epsilon: t.epsilon))] {
            let fd = try data.finiteDifference(along: part, h: 1e-4 * data.epsilon)
            expectClose(inner(g, part), fd.cost, rtol: c.rtol, "\(c.name): d cost along \(name)")
        }
    }

    /// The implicit path is what runs: the Schur-complement derivative agrees with the
    /// generic `ImplicitFunction` on ``SinkhornConditions`` (dense Cholesky of order
    /// `n + m`, its own linearisation) and with Swift AD through `SinkhornProblem.layer` (whose
    /// registered derivative is the implicit one: the forward solver works on raw arrays
    /// and is opaque to Swift AD, so no other derivative exists).
    @Test func schurPathAgreesWithGenericConditionsAndSwiftAD() throws {
        let data = unbalancedCases[0].data
        let n = data.a.count, m = data.b.count
        let s = try data.solve()
        let schur = try s.derivative()
        let map = SinkhornProblem.layer(rows: n, columns: m, tauA: data.tauA, tauB: data.tauB,
                                        solverOptions: SinkhornOptions(tolerance: 1e-13))
        let theta = packParameters(data)
        // The conditions vanish at the solution (no gauge term when unbalanced).
        let conditions = SinkhornConditions(rows: n, columns: m, tauA: data.tauA, tauB: data.tauB)
        let residual = conditions.residual(x: theta, y: s.f.concatenated(with: s.g), byproduct: ())
        #expect(residual.maxNorm <= 1e-13, "F(x, y*) = \(residual.maxNorm)")
        let generic = try map.derivative(at: theta).derivative
        var rng = SplitMix64(seed: 9)
        let w = rng.vector(n + m)
        let viaGeneric = try generic.pullback(w)
        let viaSchur = try schur.pullback(SinkhornOutputTangent(f: w.slice(0..<n), g: w.slice(n..<(n + m))))
        expectClose(viaSchur.costMatrix.flattened, viaGeneric.slice(0..<(n * m)), rtol: 1e-9, "C")
        expectClose(viaSchur.a, viaGeneric.slice((n * m)..<(n * m + n)), rtol: 1e-9, "a (not projected)")
        expectClose(viaSchur.b, viaGeneric.slice((n * m + n)..<(n * m + n + m)), rtol: 1e-9, "b (not projected)")
        expectClose(viaSchur.epsilon, viaGeneric[n * m + n + m], rtol: 1e-9, "eps")
        let t = data.randomTangent(&rng)
        let dx = t.costMatrix.flattened.concatenated(with: t.a).concatenated(with: t.b).concatenated(with: [t.epsilon])
        let forward = try schur.pushforward(t)
        expectClose(forward.f.concatenated(with: forward.g), try generic.pushforward(dx), rtol: 1e-9, "pushforward")
        let viaAD = try withCheckedDerivatives { gradient(at: theta) { x in map(x).dot(w) } }
        expectClose(viaAD, viaGeneric, rtol: 1e-9, "Swift AD through SinkhornProblem.layer")
    }

    /// The Swift AD entry points with `tauA`, `tauB`: the cost's gradient is the envelope
    /// gradient, the plan's pullback the implicit derivative's.
    @Test func swiftADEntryPoints() throws {
        let data = unbalancedCases[0].data
        let c = data.costMatrix!, a = data.a, b = data.b, eps = data.epsilon, ta = data.tauA, tb = data.tauB
        let s = try data.solve(tolerance: 1e-10)
        let (dc, da, db) = try withCheckedDerivatives {
            gradient(at: c, a, b) { c, a, b in sinkhornCost(costMatrix: c, a: a, b: b, epsilon: eps, tauA: ta, tauB: tb) }
        }
        let de = try withCheckedDerivatives {
            gradient(at: eps) { eps in sinkhornCost(costMatrix: c, a: a, b: b, epsilon: eps, tauA: ta, tauB: tb) }
        }
        let envelope = s.costGradient
        expectClose(dc, envelope.costMatrix, rtol: 1e-12, "dC")
        expectClose(da, envelope.a, rtol: 1e-12, "da")
        expectClose(db, envelope.b, rtol: 1e-12, "db")
        expectClose(de, envelope.epsilon, rtol: 1e-12, "d eps")
        var rng = SplitMix64(seed: 10)
        let pbar = rng.matrix(c.rows, c.columns)
        let (pc, pa, pb) = try withCheckedDerivatives {
            gradient(at: c, a, b) { c, a, b in
                sinkhornPlan(costMatrix: c, a: a, b: b, epsilon: eps, tauA: ta, tauB: tb).flattened.dot(pbar.flattened)
            }
        }
        let pe = try withCheckedDerivatives {
            gradient(at: eps) { eps in sinkhornPlan(costMatrix: c, a: a, b: b, epsilon: eps, tauA: ta, tauB: tb).flattened.dot(pbar.flattened) }
        }
        let implicit = try s.derivative().pullback(SinkhornOutputTangent(plan: pbar))
        expectClose(pc, implicit.costMatrix, rtol: 1e-12, "plan: dC")
        expectClose(pa, implicit.a, rtol: 1e-12, "plan: da")
        expectClose(pb, implicit.b, rtol: 1e-12, "plan: db")
        expectClose(pe, implicit.epsilon, rtol: 1e-12, "plan: d eps")
    }

    /// The streamed path (no `n x m` storage) solves the same problem and its matrix-free
    /// pullback of potential cotangents equals the stored derivative's.
    @Test func streamedMatchesStored() throws {
        var data = randomPointData(n: 9, m: 7, epsilon: 0.05, seed: 65)
        (data.tauA, data.tauB) = (0.8, 0.6)
        let problem = try data.problem()
        let stored = try problem.solve(options: SinkhornOptions(tolerance: 1e-12))
        let streamed = try problem.solveStreaming(options: SinkhornOptions(tolerance: 1e-12))
        expectClose(streamed.f, stored.f, rtol: 1e-9, "f")
        expectClose(streamed.g, stored.g, rtol: 1e-9, "g")
        expectClose(streamed.cost, stored.cost, rtol: 1e-9, "cost")
        expectClose(streamed.costGradient.x, stored.costGradient.x, rtol: 1e-9, "d cost/dx")
        expectClose(streamed.costGradient.a, stored.costGradient.a, rtol: 1e-9, "d cost/da")
        expectClose(streamed.costGradient.epsilon, stored.costGradient.epsilon, rtol: 1e-9, "d cost/d eps")
        var rng = SplitMix64(seed: 11)
        let w = SinkhornOutputTangent(f: rng.vector(9), g: rng.vector(7), cost: 0.5)
        let viaStored = try stored.derivative().pullback(w)
        let viaStreamed = try streamed.pullbackWithReport(w, options: ImplicitOptions(linearTolerance: 1e-12)).0
        expectClose(viaStreamed.x, viaStored.x, rtol: 1e-8, "dL/dx")
        expectClose(viaStreamed.y, viaStored.y, rtol: 1e-8, "dL/dy")
        expectClose(viaStreamed.a, viaStored.a, rtol: 1e-8, "dL/da")
        expectClose(viaStreamed.b, viaStored.b, rtol: 1e-8, "dL/db")
        expectClose(viaStreamed.epsilon, viaStored.epsilon, rtol: 1e-8, "dL/d eps")
        // The symmetric update of an unbalanced self term (x = y, a = b, tau_a = tau_b).
        let selfTerm = try SinkhornProblem(x: data.x!, y: data.x!, a: data.a, b: data.a, epsilon: 0.05, tauA: 0.7, tauB: 0.7)
        #expect(selfTerm.isSymmetric)
        let selfStored = try selfTerm.solve(options: SinkhornOptions(tolerance: 1e-12))
        let selfStreamed = try selfTerm.solveStreaming(options: SinkhornOptions(tolerance: 1e-12))
        expectClose(selfStored.f, selfStored.g, rtol: 1e-10, "self term: f = g")
        expectClose(selfStreamed.f, selfStored.f, rtol: 1e-9, "self term: streamed f")
    }

    /// The convergence test is the relative fixed-point residual of the scaled update;
    /// the certificate checks the relaxed conditions on the returned plan.
    @Test func certificateChecksTheRelaxedConditions() throws {
        let data = unbalancedCases[0].data
        let s = try data.solve(tolerance: 1e-10)
        let (ra, rb) = (MarginalRelaxation(tau: data.tauA), MarginalRelaxation(tau: data.tauB))
        let sa = ra.target(weights: data.a.scalars, potential: s.f.scalars, epsilon: data.epsilon)
        let sb = rb.target(weights: data.b.scalars, potential: s.g.scalars, epsilon: data.epsilon)
        let rows = Vector(s.rowSums), columns = Vector(s.columnSums)
        let mass = sa.reduce(0, +)
        let rowError = zip(rows.scalars, sa).map { abs($0 - $1) }.reduce(0, +) / mass
        let columnError = zip(columns.scalars, sb).map { abs($0 - $1) }.reduce(0, +) / mass
        #expect(s.certificate.passes(tolerance: 1e-10))
        #expect(abs(s.certificate.rowMarginalError - rowError) <= 1e-14)
        #expect(abs(s.certificate.columnMarginalError - columnError) <= 1e-14)
        // The masses differ (sum(b) = 1.4 sum(a)): the plan carries something in between.
        #expect(rows.sum() > data.a.sum() && rows.sum() < data.b.sum())
    }

    /// tau close to 1 with small eps: the unbalanced iteration (rate up to tau_a tau_b per
    /// iteration and the balanced one's) may stall; the Newton finish on the relaxed
    /// conditions completes it, and the answer agrees with the plain iteration's.
    @Test func newtonFinishOnTheRelaxedConditions() throws {
        let x = Matrix(rowArrays: (0..<12).map { [Double($0) / 11, 0.3 * sin(Double($0))] })!
        let problem = try SinkhornProblem(x: x, y: x, epsilon: 0.002, tauA: 0.9999, tauB: 0.9995)
        #expect(!problem.isSymmetric)
        let withNewton = try problem.solve(options: SinkhornOptions(tolerance: 1e-11))
        let plain = try problem.solve(options: SinkhornOptions(tolerance: 1e-11, maxIterations: 2_000_000, newtonPolish: false,
                                                               newtonFinish: false))
        #expect(withNewton.iterations < plain.iterations, "Newton \(withNewton.iterations) vs plain \(plain.iterations)")
        expectClose(withNewton.f, plain.f, rtol: 1e-7, "f")
        expectClose(withNewton.plan, plain.plan, rtol: 1e-7, "plan")
    }

    /// Forbidden routes: with a relaxed marginal only a row or column without any allowed
    /// route is infeasible (a balanced problem would also need a feasible flow); routes are
    /// exactly zero and their cost derivatives zero.
    @Test func forbiddenRoutes() throws {
        let c = Matrix(rowArrays: [[0.2, 1e308, 0.5], [1e308, 0.1, 1e308], [0.4, 1e308, 0.3]])!
        // Balanced: row 1 must send 1/3 to column 1, which only row 1 reaches: feasible, but
        // give column 1 more mass than row 1 has and the flow fails.
        let a: Vector = [0.3, 0.2, 0.5], b: Vector = [0.3, 0.4, 0.3]
        #expect(throws: SinkhornError.self) { _ = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: 0.1).solve() }
        let relaxed = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: 0.1, tauA: 0.9, tauB: 0.9)
        let s = try relaxed.solve(options: SinkhornOptions(tolerance: 1e-12))
        #expect(s.plan[0, 1] == 0 && s.plan[1, 0] == 0 && s.plan[1, 2] == 0 && s.plan[2, 1] == 0)
        let grad = try s.derivative().pullback(SinkhornOutputTangent(plan: Matrix(rows: 3, columns: 3, repeating: 1)))
        #expect(grad.costMatrix[0, 1] == 0 && grad.costMatrix[1, 0] == 0)
        let empty = Matrix(rowArrays: [[0.2, 0.5], [1e308, 1e308]])!
        #expect {
            _ = try SinkhornProblem(costMatrix: empty, epsilon: 0.1, tauA: 0.5, tauB: 0.5).solve()
        } throws: { error in
            guard case let SinkhornError.infeasible(message) = error else { return false }
            return message.contains("row 1")
        }
    }

    @Test func validation() throws {
        let c = Matrix(rowArrays: [[0, 1], [1, 0]])!
        for (ta, tb, name) in [(0.0, 1.0, "tau_a"), (1.5, 1.0, "tau_a"), (Double.nan, 1.0, "tau_a"), (1.0, -0.2, "tau_b"),
                               (0.5, Double.infinity, "tau_b")] {
            #expect {
                _ = try SinkhornProblem(costMatrix: c, epsilon: 0.1, tauA: ta, tauB: tb)
            } throws: { error in
                guard case let SinkhornError.invalidRelaxation(marginal, _) = error else { return false }
                return marginal == name
            }
        }
        // Unequal masses: refused when balanced, accepted when a marginal is relaxed.
        let a: Vector = [0.5, 0.5], b: Vector = [1, 1]
        #expect(throws: SinkhornError.unequalMasses(1, 2)) { _ = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: 0.1) }
        let relaxed = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: 0.1, tauB: 0.5)
        let s = try relaxed.solve()
        expectClose(Vector(s.rowSums), a, rtol: 1e-9, "the exact side is met")
        // tau = 1 is the balanced problem, bit for bit.
        let balanced = try SinkhornProblem(costMatrix: c, epsilon: 0.1).solve()
        let explicit = try SinkhornProblem(costMatrix: c, epsilon: 0.1, tauA: 1, tauB: 1).solve()
        #expect(balanced.f == explicit.f && balanced.plan == explicit.plan && balanced.cost == explicit.cost)
    }
}

import Foundation
import Testing
@testable import ImplicitDiffSinkhorn

// Issue 13: never report a wrong answer as a success, never hang, bound every resource.
// Each test names the defect it guards against; all run in well under a second.

/// `||P 1 - a||_1 / sum(a)`, `||P' 1 - b||_1 / sum(a)` of the plan rebuilt entry by entry
/// from the returned potentials with `Foundation.exp` (independent of the solver's
/// vectorised exponential and of its sums), forbidden routes (`C >= 1e15`) as zero.
func independentMarginalErrors(_ s: SinkhornSolution) -> (rows: Double, columns: Double, mass: Double) {
    let c = s.costMatrix, n = c.rows, m = c.columns, eps = s.problem.epsilon
    var rows = [Double](repeating: 0, count: n), cols = [Double](repeating: 0, count: m)
    for i in 0..<n {
        for j in 0..<m where c[i, j] < 1e15 {
            let p = Foundation.exp((s.f[i] + s.g[j] - c[i, j]) / eps)
            rows[i] += p
            cols[j] += p
        }
    }
    let mass = s.problem.a.sum()
    var re = 0.0, ce = 0.0
    for i in 0..<n { re += abs(rows[i] - s.problem.a[i]) }
    for j in 0..<m { ce += abs(cols[j] - s.problem.b[j]) }
    return (re / mass, ce / mass, abs(rows.reduce(0, +) - mass) / mass)
}

@Suite("Sinkhorn reliability (issue 13)")
struct SinkhornReliabilityTests {
    static let forbidden = 1e308

    // MARK: 1. Every loop counts against the iteration cap

    /// The CLI input that hung: `C = [[0, 1e308], [1, 0]]`. Through the problem it is
    /// now refused up front (route (1, 0) must stay empty: infinite potentials).
    @Test func formerHangIsRefusedPromptly() throws {
        let c = Matrix(rows: 2, columns: 2, scalars: [0, Self.forbidden, 1, 0])
        let p = try SinkhornProblem(costMatrix: c, a: [0.5, 0.5], b: [0.5, 0.5], epsilon: 0.1)
        #expect(p.forbiddenRouteCount == 1)
        do {
            _ = try p.solve(options: SinkhornOptions(maxIterations: 50))
            Issue.record("expected an error")
        } catch let SinkhornError.infeasible(message) {
            #expect(message.contains("(1, 0)"), "\(message)")
        }
    }

    /// The raw iteration on the same cost, without the forbidden-route handling: the
    /// restart after an underflowed column (which did not count iterations) now stops at
    /// the cap. Before the fix this call never returned.
    @Test(arguments: [true, false])
    func rawIterationStopsAtTheCap(kernelFastPath: Bool) {
        let options = SinkhornOptions(maxIterations: 40, kernelFastPath: kernelFastPath)
        var iteration = SinkhornIteration(rows: 2, columns: 2, cost: [0, Self.forbidden, 1, 0], a: [0.5, 0.5], b: [0.5, 0.5],
                                          options: options)
        do {
            try iteration.run(epsilon: 0.1)
        } catch let SinkhornError.notConverged(iterations, _, _) {
            #expect(iterations == 40)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(iteration.iterations <= 40)
    }

    // MARK: 2. Forbidden routes

    /// Three forbidden routes written three ways (1e15, 1e16, 1e308), leaving a 6-cycle of
    /// allowed routes that carries the marginals with every route used. Before the fix:
    /// "converged" with a plan of total mass well below 1. Now the plan meets the marginals, is
    /// exactly 0 on the forbidden routes, and agrees with the same problem where those
    /// routes merely cost 60 (kernel entries e^-600 at eps = 0.1: below every tolerance).
    @Test func forbiddenRoutesCarryNoMassAndTheRestIsRight() throws {
        let c = Matrix(rows: 3, columns: 3, scalars: [0, 1e15, 2, 1, 0, 1e16, Self.forbidden, 1, 0])
        let a: Vector = [0.3, 0.3, 0.4], b: Vector = [0.2, 0.4, 0.4]
        let s = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: 0.1).solve()
        #expect(s.problem.forbiddenRouteCount == 3)
        for (i, j) in [(0, 1), (1, 2), (2, 0)] { #expect(s.plan[i, j] == 0, "P[\(i)][\(j)] = \(s.plan[i, j])") }
        #expect(s.certificate.passes(tolerance: 1e-10))
        #expect(s.certificate.massError <= 1e-12, "mass error \(s.certificate.massError)")
        let check = independentMarginalErrors(s)
        #expect(check.rows <= 1e-10 && check.columns <= 1e-10, "\(check)")
        #expect(s.f.isFinite && s.g.isFinite && s.cost.isFinite && s.entropyTerm.isFinite)

        var moderate = c
        for k in moderate.scalars.indices where moderate.scalars[k] >= 1e15 { moderate.scalars[k] = 60 }
        let r = try SinkhornProblem(costMatrix: moderate, a: a, b: b, epsilon: 0.1).solve()
        expectClose(s.plan, r.plan, rtol: 1e-10, "plan vs moderate costs")
        expectClose(s.cost, r.cost, rtol: 1e-10, "cost vs moderate costs")
        expectClose(s.f, r.f, rtol: 1e-9, "f vs moderate costs")
    }

    /// Derivative convention: on a forbidden route the plan and every gradient entry are
    /// exactly 0 and tangents on it change nothing; elsewhere the derivatives are those of
    /// the problem with those routes at a prohibitive but finite cost.
    @Test func forbiddenRoutesHaveZeroDerivatives() throws {
        var rng = SplitMix64(seed: 1313)
        var c = rng.matrix(5, 4, in: 0...1)
        let blocked = [(0, 0), (1, 3), (3, 1), (4, 2)]
        for (i, j) in blocked { c[i, j] = i.isMultiple(of: 2) ? 1e15 : Self.forbidden }
        let a = rng.weights(5), b = rng.weights(4)
        let s = try SinkhornProblem(costMatrix: c, a: a, b: b, epsilon: 0.05).solve(options: SinkhornOptions(tolerance: 1e-13))
        var moderate = c
        for (i, j) in blocked { moderate[i, j] = 60 }
        let r = try SinkhornProblem(costMatrix: moderate, a: a, b: b, epsilon: 0.05).solve(options: SinkhornOptions(tolerance: 1e-13))

        let cotangent = randomCotangent(n: 5, m: 4, &rng)
        let g = try s.derivative().pullback(cotangent), h = try r.derivative().pullback(cotangent)
        for (i, j) in blocked {
            #expect(g.costMatrix[i, j] == 0 && s.costGradient.costMatrix[i, j] == 0)
        }
        #expect(g.costMatrix.isFinite && g.a.isFinite && g.b.isFinite && g.epsilon.isFinite)
        expectClose(g.costMatrix, h.costMatrix, rtol: 1e-7, "Cbar")
        expectClose(g.a, h.a, rtol: 1e-7, "abar")
        expectClose(g.epsilon, h.epsilon, rtol: 1e-7, "epsbar")

        // A tangent only on the forbidden routes moves nothing.
        var dc = Matrix(rows: 5, columns: 4)
        for (i, j) in blocked { dc[i, j] = 1 }
        let t = try s.derivative().pushforward(SinkhornParameterTangent(costMatrix: dc))
        #expect(t.plan.maxNorm == 0 && t.f.maxNorm == 0 && t.g.maxNorm == 0 && t.cost == 0)
        // With an eps tangent the forbidden entries stay at zero and all is finite.
        let te = try s.derivative().pushforward(SinkhornParameterTangent(epsilon: 0.01))
        #expect(te.plan.isFinite && te.cost.isFinite)
        for (i, j) in blocked { #expect(te.plan[i, j] == 0) }
    }

    /// When the allowed routes cannot carry the marginals: `infeasible`, before iterating.
    @Test func routesThatCannotCarryTheMarginalsAreInfeasible() throws {
        let x = Self.forbidden
        func failure(_ c: [Double], _ n: Int, _ m: Int, _ a: Vector, _ b: Vector) throws -> String? {
            let p = try SinkhornProblem(costMatrix: Matrix(rows: n, columns: m, scalars: c), a: a, b: b, epsilon: 0.1)
            do {
                _ = try p.solve(options: SinkhornOptions(maxIterations: 10))
                return nil
            } catch let SinkhornError.infeasible(message) {
                return message
            }
        }
        // A row with no allowed route.
        #expect(try failure([x, x, 0, 1], 2, 2, [0.5, 0.5], [0.5, 0.5])?.contains("row 0") == true)
        // A column with no allowed route.
        #expect(try failure([x, 0, x, 1], 2, 2, [0.5, 0.5], [0.5, 0.5])?.contains("column 0") == true)
        // Rows 0 and 1 (mass 0.8) can only reach column 0 (capacity 0.4): max flow 0.6 < 1.
        let message = try failure([0, x, x, 0, x, x, 0, 0, 0], 3, 3, [0.4, 0.4, 0.2], [0.4, 0.3, 0.3])
        #expect(message?.contains("at most 0.6") == true, "\(message ?? "nil")")
    }

    /// No false alarms: random patterns of forbidden routes with marginals made from a
    /// plan that is positive on every allowed route (so finite potentials exist) solve,
    /// certified, with zero mass on the forbidden routes.
    @Test func feasiblePatternsSolve() throws {
        var rng = SplitMix64(seed: 77)
        for trial in 0..<12 {
            let n = 3 + trial % 5, m = 2 + (trial * 3) % 6
            var c = rng.matrix(n, m, in: 0...1)
            var plan = Matrix(rows: n, columns: m)
            for i in 0..<n {
                for j in 0..<m {
                    // Keep the diagonal band so that every row and column has a route.
                    if (i % m != j) && rng.uniform(0...1) < 0.4 { c[i, j] = trial.isMultiple(of: 2) ? 1e15 : Self.forbidden } else {
                        plan[i, j] = rng.uniform(0.1...1)
                    }
                }
            }
            for j in 0..<m where (0..<n).allSatisfy({ plan[$0, j] == 0 }) { c[j % n, j] = 0.5; plan[j % n, j] = 0.5 }
            let a = plan * Vector(repeating: 1, count: m), b = plan.transposedTimes(Vector(repeating: 1, count: n))
            let s = try SinkhornProblem(costMatrix: c, a: a, b: b * (a.sum() / b.sum()), epsilon: 0.05).solve()
            #expect(s.certificate.passes(tolerance: 1e-10), "trial \(trial): \(s.certificate)")
            for i in 0..<n { for j in 0..<m where c[i, j] >= 1e15 { #expect(s.plan[i, j] == 0) } }
            let check = independentMarginalErrors(s)
            #expect(check.rows <= 1e-10 && check.columns <= 1e-10, "trial \(trial): \(check)")
        }
    }

    @Test func hugeNegativeCostsAreRejected() {
        #expect(throws: SinkhornError.costOutOfRange(row: 1, column: 0, value: -1e16)) {
            try SinkhornProblem(costMatrix: Matrix(rows: 2, columns: 2, scalars: [0, 1, -1e16, 0]), a: [0.5, 0.5],
                                b: [0.5, 0.5], epsilon: 0.1)
        }
    }

    // MARK: 3. The tolerance is honoured

    /// eps = 1e-12 with costs of order 1: double precision cannot resolve the plan
    /// (`f_i + g_j - C_ij` is rounded to ~1e-16, a 1e-4 relative error in `P`). Before the
    /// fix: "converged" at marginal error ~1e-5 against 1e-10. Now: an error that says why.
    @Test func epsilonTooSmallForDoublePrecisionIsAnError() throws {
        let p = try randomCostData(n: 5, m: 4, epsilon: 1e-12, seed: 2024).problem()
        do {
            let s = try p.solve()
            Issue.record("returned with certificate \(s.certificate) and marginal error \(s.marginalError)")
        } catch let SinkhornError.certificationFailed(_, certificate, tolerance, reason) {
            #expect(certificate.marginalError > tolerance)
            #expect(reason.contains("double precision"), "\(reason)")
        }
    }

    /// Whatever eps and tolerance: either an error, or a solution whose marginals,
    /// rebuilt independently from `f` and `g`, meet the tolerance.
    @Test func successMeansWithinTolerance() throws {
        for (k, epsilon) in [0.5, 1e-2, 1e-4, 1e-7, 1e-10, 1e-13].enumerated() {
            for tolerance in [1e-6, 1e-10, 1e-13] {
                let p = try randomCostData(n: 6, m: 5, epsilon: epsilon, seed: UInt64(40 + k)).problem()
                guard let s = try? p.solve(options: SinkhornOptions(tolerance: tolerance, maxIterations: 20_000)) else { continue }
                let check = independentMarginalErrors(s)
                // The independent rebuild differs from the stored plan by a few ulp per entry.
                let bound = tolerance + 1e-14
                #expect(check.rows <= bound && check.columns <= bound && check.mass <= bound,
                        "eps \(epsilon), tol \(tolerance): \(check)")
                #expect(s.certificate.passes(tolerance: tolerance))
            }
        }
    }

    // MARK: 4. The certificate

    @Test func certificateFiguresMatchAnIndependentCheck() throws {
        let data = randomCostData(n: 9, m: 7, epsilon: 0.02, seed: 4)
        let s = try data.solve(tolerance: 1e-11)
        let check = independentMarginalErrors(s)
        #expect(abs(s.certificate.rowMarginalError - check.rows) <= 1e-14)
        #expect(abs(s.certificate.columnMarginalError - check.columns) <= 1e-14)
        #expect(abs(s.certificate.massError - check.mass) <= 1e-14)
        #expect(s.certificate.entriesAreValid && s.certificate.passes(tolerance: 1e-11))
        #expect(s.certificate.figures.map(\.name) == ["marginal_a", "marginal_b", "mass"])
    }

    @Test func certificateRejectsInvalidPlans() {
        // Potentials for which [0.5, 0; 0, 0.5] is the plan of C = [0, 1; 1e15, 0] at
        // eps = 1e-3 up to e^-1000 = 0 (entry (0, 1)): f = eps log 0.5, g = 0.
        let a = [0.5, 0.5], b = [0.5, 0.5], c = [0.0, 1, 1e15, 0], eps = 1e-3
        let f = [eps * Foundation.log(0.5), eps * Foundation.log(0.5)]
        func cert(_ p: [Double], finite: Bool = true, f: [Double] = f) -> SinkhornCertificate {
            SinkhornCertificate(plan: p, rows: 2, columns: 2, a: a, b: b, cost: c, forbiddenThreshold: 1e15,
                                f: f, g: [0, 0], epsilon: eps, costIsFinite: finite)
        }
        #expect(cert([0.5, 0, 0, 0.5]).passes(tolerance: 1e-15))
        #expect(!cert([0.5, 0, 0, 0.5], finite: false).passes(tolerance: 1))
        #expect(!cert([0.5, 0, 0, 0.5], f: [.nan, 0]).passes(tolerance: 1), "NaN potential")
        #expect(!cert([0.5, 0, 0, 0.5], f: [0, eps * Foundation.log(0.5)]).passes(tolerance: 1), "plan not of f, g")
        #expect(!cert([0.6, -0.1, 0, 0.5]).passes(tolerance: 1), "negative entry")
        #expect(!cert([0.5, 0, 1e-300, 0.5]).passes(tolerance: 1), "mass on a forbidden route")
        #expect(!cert([0.5, .nan, 0, 0.5]).passes(tolerance: 1), "NaN")
        #expect(!cert([0.5, .infinity, 0, 0.5]).passes(tolerance: 1), "infinity")
        let low = cert([0.25, 0, 0, 0.5], f: [eps * Foundation.log(0.25), eps * Foundation.log(0.5)])
        #expect(low.entriesAreValid)
        #expect(low.rowMarginalError == 0.25 && low.columnMarginalError == 0.25 && low.massError == 0.25)
        #expect(!low.passes(tolerance: 0.2) && low.passes(tolerance: 0.25))
    }

    // MARK: 5. Memory is checked before it is allocated

    /// 20 000 x 20 000 points: the cost matrix alone would be 3.2 GB. The stored-matrix
    /// solve refuses it before allocating anything of size n x m (issue 14: the
    /// initialiser accepts it, and `solveStreaming` solves it in O((n + m) d) memory).
    @Test func oversizedPointCloudsAreRefusedBeforeAllocating() throws {
        let x = Matrix(rows: 20_000, columns: 2), y = Matrix(rows: 20_000, columns: 2)
        let w = SinkhornProblem.uniformWeights(20_000)
        let problem = try SinkhornProblem(x: x, y: y, a: w, b: w, epsilon: 0.1)
        do {
            _ = try problem.solve()
            Issue.record("expected tooLarge")
        } catch let SinkhornError.tooLarge(n, m, bytes, limit) {
            #expect(n == 20_000 && m == 20_000 && limit == SinkhornProblem.denseStorageLimit)
            #expect(bytes == 20_000 * 20_000 * 8 * SinkhornProblem.denseArrayCount)
            let text = SinkhornError.tooLarge(rows: n, columns: m, bytes: bytes, limit: limit).description
            #expect(text.contains("n = 20000") && text.contains("m = 20000") && text.contains("\(bytes)") && text.contains("\(limit)"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func storageArithmetic() throws {
        #expect(SinkhornProblem.denseStorageBytes(rows: 1000, columns: 2000) == 1000 * 2000 * 8 * SinkhornProblem.denseArrayCount)
        #expect(SinkhornProblem.denseStorageBytes(rows: Int.max / 2, columns: 3) == nil)
        #expect(throws: SinkhornError.self) { try SinkhornProblem.checkStorage(rows: 120_000, columns: 120_000) }
        #expect(throws: SinkhornError.self) { try SinkhornProblem.checkStorage(rows: Int.max, columns: Int.max) }
        try SinkhornProblem.checkStorage(rows: 9_000, columns: 9_000)
    }
}

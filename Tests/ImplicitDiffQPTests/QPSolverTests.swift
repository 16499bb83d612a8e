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

@Suite("QP solver, shapes and options")
struct QPSolverShapeTests {
    @Test("planted optima across sizes, with and without equalities, PSD and LP-like Q",
          arguments: [(20, 0, 30, 10, 0), (20, 2, 30, 12, 0), (40, 4, 80, 30, 0), (30, 3, 40, 20, 15),
                      (25, 5, 50, 20, 25), (60, 6, 60, 30, 0)] as [(Int, Int, Int, Int, Int)])
    func sizes(n: Int, p: Int, m: Int, active: Int, deficit: Int) throws {
        for seed in 1...3 as ClosedRange<UInt64> {
            let k = KnownQP(n: n, p: p, m: m, activeCount: active, seed: seed * 101 + UInt64(n), rankDeficit: deficit)
            let s = try k.problem.solve()
            #expect(s.report.kktResidual.maximum <= 1e-10, "\(s.report.kktResidual)")
            #expect(s.report.polished)
            #expect(s.activeSet.active == k.active)
            expectClose(s.z, k.z, rtol: 1e-8, atol: 1e-10, "z (n \(n), seed \(seed))")
            expectClose(s.mu, k.mu, rtol: 1e-7, atol: 1e-9, "mu (n \(n), seed \(seed))")
        }
    }

    /// The dense path's `absoluteTolerance`: on data of scale 1e6 the relative tolerance
    /// alone accepts an interior-point iterate (no polish) whose absolute residuals are
    /// above 1e-6; with the option the iteration goes on until they are below it.
    @Test("absoluteTolerance bounds the absolute residuals of the dense solver's answer")
    func absoluteTolerance() throws {
        let k = KnownQP(n: 20, p: 4, m: 25, activeCount: 8, seed: 3).problem
        let big = 1e6
        let p = try QuadraticProgram(Q: big * k.Q, q: k.q * big, A: big * k.A, b: k.b * big, G: big * k.G, h: k.h * big)
        let relativeOnly = try p.solve(options: QPSolverOptions(tolerance: 1e-6, polish: false))
        #expect(relativeOnly.certificate.absoluteMaximum > 1e-6, "the case does not exercise the option")
        let absolute = try p.solve(options: QPSolverOptions(tolerance: 1e-6, polish: false, absoluteTolerance: 1e-6))
        #expect(absolute.certificate.absoluteMaximum <= 1e-6)
        #expect(throws: QPError.self) { try p.solve(options: QPSolverOptions(polish: false, absoluteTolerance: 1e-30)) }
    }

    @Test("badly scaled rows and objective (1e-3 .. 1e3) are solved to the relative tolerance")
    func badlyScaled() throws {
        let k = KnownQP(n: 20, p: 2, m: 30, activeCount: 12, seed: 77)
        var rng = QPRandom(seed: 78)
        var g = k.problem.G, h = k.problem.h
        for i in 0..<30 {
            let f = Foundation.pow(10, rng.uniform(-3...3))
            for j in 0..<20 { g[i, j] *= f }
            h[i] *= f
        }
        let p = try QuadraticProgram(Q: 1e4 * k.problem.Q, q: 1e4 * k.problem.q, A: k.problem.A, b: k.problem.b, G: g, h: h)
        let s = try p.solve()
        #expect(s.report.kktResidual.maximum <= 1e-10)
        #expect(s.activeSet.active == k.active)
        expectClose(s.z, k.z, rtol: 1e-8, "z")
    }

    @Test("no constraints, equalities only, inequalities only; zero rows of G")
    func structures() throws {
        let q = Matrix(rowArrays: [[2, 1], [1, 2]])!
        let un = try QuadraticProgram(Q: q, q: [1, -1]).solve()
        expectClose(un.z, [-1, 1], rtol: 1e-14, "unconstrained")
        #expect(un.lambda.count == 0 && un.mu.count == 0)
        let eq = try QuadraticProgram(Q: q, q: [1, -1], A: Matrix(rowArrays: [[1, 1]])!, b: [1]).solve()
        expectClose(eq.z, [-0.5, 1.5], rtol: 1e-14, atol: 1e-15, "equality")
        // A zero row of G with h >= 0 is a constant constraint: inactive, mu = 0.
        let zr = try QuadraticProgram(Q: q, q: [1, -1], G: Matrix(rowArrays: [[0, 0], [1, 0]])!, h: [1, -2]).solve()
        expectClose(zr.z, [-2, 1.5], rtol: 1e-13, "zero row")
        #expect(zr.mu[0] == 0)
        #expect(zr.activeSet.active == [1])
    }

    @Test("polish off: the interior point's own point, accurate to the tolerance")
    func withoutPolish() throws {
        let k = KnownQP(n: 15, p: 2, m: 20, activeCount: 8, seed: 91)
        let s = try k.problem.solve(options: QPSolverOptions(tolerance: 1e-9, polish: false))
        #expect(!s.report.polished)
        #expect(s.report.kktResidual.maximum <= 1e-9)
        #expect(s.activeSet.active == k.active)
        expectClose(s.z, k.z, rtol: 1e-6, "z")
        // A loose tolerance is honoured.
        let loose = try k.problem.solve(options: QPSolverOptions(tolerance: 1e-4, polish: false))
        #expect(loose.report.kktResidual.maximum <= 1e-4)
        #expect(loose.report.iterations <= s.report.iterations)
    }

    @Test("KKT residuals vanish at the planted optimum and see each kind of violation")
    func kktResidual() throws {
        let k = KnownQP(n: 6, p: 1, m: 5, activeCount: 2, seed: 93)
        let exact = QPKKTResidual(problem: k.problem, z: k.z, lambda: k.lambda, mu: k.mu)
        #expect(exact.maximum <= 1e-14)
        var z = k.z
        z[0] += 1e-3
        #expect(QPKKTResidual(problem: k.problem, z: z, lambda: k.lambda, mu: k.mu).stationarity > 1e-5)
        var mu = k.mu
        mu[k.active[0]] = -mu[k.active[0]]
        #expect(QPKKTResidual(problem: k.problem, z: k.z, lambda: k.lambda, mu: mu).dualSign > 0.1)
    }
}

@Suite("QP solver, edge cases and concurrency")
struct QPSolverEdgeTests {
    @Test("one variable; more inequalities than variables; a point that is its own box")
    func tiny() throws {
        let one = try QuadraticProgram(Q: Matrix(rowArrays: [[2]])!, q: [-4], G: Matrix(rowArrays: [[1]])!, h: [1]).solve()
        expectClose(one.z, [1], rtol: 1e-14, "z")
        expectClose(one.mu, [2], rtol: 1e-13, "mu")
        // z in [1, 1] x [2, 2] written as four inequalities: a vertex with four active rows
        // in two dimensions is degenerate (dependent active rows) but solvable.
        let point = try QuadraticProgram(Q: .identity(2), q: [0, 0], G: box2, h: [1, -1, 2, -2]).solve()
        expectClose(point.z, [1, 2], rtol: 1e-10, "z")
        #expect(point.report.kktResidual.maximum <= 1e-10)
    }

    @Test("many QPs solved and differentiated concurrently give the sequential answers")
    func concurrent() async throws {
        let problems = (0..<8).map { KnownQP(n: 25, p: 2, m: 30, activeCount: 10, seed: 500 + UInt64($0)).problem }
        let sequential = try problems.map { p -> Vector in
            let s = try p.solve()
            return s.z.concatenated(with: try s.derivative().pullback(QPOutputs(z: .basis(0, count: 25))).q)
        }
        let concurrent = try await withThrowingTaskGroup(of: (Int, Vector).self) { group in
            for (i, p) in problems.enumerated() {
                group.addTask {
                    let s = try p.solve()
                    return (i, s.z.concatenated(with: try s.derivative().pullback(QPOutputs(z: .basis(0, count: 25))).q))
                }
            }
            var out = [Vector](repeating: .zero, count: problems.count)
            for try await (i, v) in group { out[i] = v }
            return out
        }
        for i in problems.indices { expectClose(concurrent[i], sequential[i], rtol: 1e-13, atol: 1e-15, "problem \(i)") }
    }
}

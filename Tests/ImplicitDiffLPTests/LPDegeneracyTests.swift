import Testing
@testable import ImplicitDiffLP
import ImplicitDiffQP

// Degenerate vertices: detected, reported as not differentiable, forward solves still
// succeed; the smoothed problem min c'z + gamma/2 ||z||^2 gives derivatives there.

/// min -z1 - z2  s.t.  z1 <= 1, z2 <= 1, z1 + z2 <= 2: three constraints active at (1, 1).
private func primalDegenerateLP() throws -> LinearProgram {
    try LinearProgram(c: [-1, -1], G: Matrix(rowArrays: [[1, 0], [0, 1], [1, 1]])!, h: [1, 1, 2])
}

/// min -z1 - z2  s.t.  z1 + z2 <= 1, z >= 0: the whole edge z1 + z2 = 1 is optimal.
private func dualDegenerateLP() throws -> LinearProgram {
    try LinearProgram(c: [-1, -1], G: Matrix(rowArrays: [[1, 1], [-1, 0], [0, -1]])!, h: [1, 0, 0])
}

@Suite("LP degeneracy and smoothing")
struct LPDegeneracyTests {
    @Test func primalDegeneracyIsDetected() throws {
        let s = try primalDegenerateLP().solve()
        expectClose(s.z, [1, 1], rtol: 1e-12, "forward solve still succeeds")
        expectClose(s.value, -2, rtol: 1e-12, "value")
        let d = try #require(s.degeneracy)
        #expect(d.isPrimal && d.primal.count == 1)
        #expect(throws: LPError.self) { try s.derivative() }
        #expect(throws: LPError.self) { try s.valueGradientChecked() }
        do {
            _ = try s.derivative()
        } catch let LPError.degenerate(report) {
            #expect(report.description.contains("primal-degenerate"))
        }
    }

    @Test func dualDegeneracyIsDetected() throws {
        let s = try dualDegenerateLP().solve()
        expectClose(s.value, -1, rtol: 1e-12, "value")
        let d = try #require(s.degeneracy)
        #expect(d.isDual && !d.isPrimal)
        #expect(throws: LPError.self) { try s.derivative() }
    }

    /// A random non-degenerate LP made primal degenerate by moving one inactive
    /// constraint through the vertex, and dual degenerate by zeroing one multiplier.
    @Test func constructedDegeneraciesOfRandomLPs() throws {
        let r = LPRandomProblem(n: 5, p: 1, m: 9, seed: 21)
        let inactive = (0..<9).first { !r.active.contains($0) }!
        var h = r.problem.h
        h[inactive] = (r.problem.G * r.z)[inactive]
        let primal = try LinearProgram(c: r.problem.c, A: r.problem.A, b: r.problem.b, G: r.problem.G, h: h).solve()
        #expect(primal.degeneracy?.isPrimal == true)
        expectClose(primal.z, r.z, rtol: 1e-10, "z unchanged")

        var mu = r.mu
        mu[r.active[0]] = 0
        let c = -(r.problem.A.transposedTimes(r.lambda) + r.problem.G.transposedTimes(mu))
        let dual = try LinearProgram(c: c, A: r.problem.A, b: r.problem.b, G: r.problem.G, h: r.problem.h).solve()
        #expect(dual.degeneracy?.isDual == true)
        // A margin just above the tolerance is not degenerate.
        mu[r.active[0]] = 1e-6
        let c2 = -(r.problem.A.transposedTimes(r.lambda) + r.problem.G.transposedTimes(mu))
        let fine = try LinearProgram(c: c2, A: r.problem.A, b: r.problem.b, G: r.problem.G, h: r.problem.h).solve()
        #expect(fine.degeneracy == nil)
        #expect(throws: Never.self) { try fine.derivative() }
    }

    /// On the dual-degenerate edge the smoothed solution is the projection of -c/gamma on
    /// z1 + z2 = 1: z = (1/2, 1/2), mu = 1 - gamma/2, and dz/dc = -(1/gamma)(I - 11'/2).
    @Test func smoothedDerivativeClosedForm() throws {
        let lp = try dualDegenerateLP()
        let gamma = 0.1
        let s = try lp.solveRegularized(gamma: gamma)
        expectClose(s.z, [0.5, 0.5], rtol: 1e-12, "smoothed z")
        expectClose(s.mu, [1 - gamma / 2, 0, 0], rtol: 1e-12, "smoothed mu")
        expectClose(s.value, -1 + gamma / 4, rtol: 1e-12, "smoothed value c'z + gamma/2 |z|^2")
        let j = try s.derivative().jacobian()
        let dzdc = LPDense.rows(j, [0, 1])
        let expected = Matrix(rowArrays: [[-0.5 / gamma, 0.5 / gamma, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                                          [0.5 / gamma, -0.5 / gamma, 0, 0, 0, 0, 0, 0, 0, 0, 0]])!
        expectClose(LPDense.columns(dzdc, Array(lp.layout.cRange)), LPDense.columns(expected, [0, 1]), rtol: 1e-12, "dz/dc")
    }

    /// The smoothed problem's derivatives against finite differences of the smoothed
    /// problem solved again, on a random LP with gamma = 1 (several constraints active).
    @Test func smoothedDerivativeFiniteDifferences() throws {
        let r = LPRandomProblem(n: 5, p: 1, m: 9, seed: 4)
        let layout = r.problem.layout
        let gamma = 1.0
        let s = try r.problem.solveRegularized(gamma: gamma)
        #expect(!s.activeSet.activeInequalities.isEmpty)
        #expect(s.activeSet.weaklyActiveInequalities.isEmpty)
        let fd = try finiteDifferenceJacobian(at: r.problem.packed) { x in
            try LinearProgram(packed: x, layout: layout).solveRegularized(gamma: gamma).packedSolution
        }
        expectClose(try s.derivative().jacobian(), fd, rtol: 1e-6, "smoothed d(z, lambda, mu)/dx")
        let fdValue = try finiteDifferenceJacobian(at: r.problem.packed) { x in
            Vector([try LinearProgram(packed: x, layout: layout).solveRegularized(gamma: gamma).value])
        }
        expectClose(s.valueGradient, fdValue.row(0), rtol: 1e-6, "smoothed value gradient")
        // The smoothed solution satisfies its KKT conditions.
        let kkt = LinearProgramConditions(layout: layout, regularization: gamma)
            .residual(x: r.problem.packed, y: s.packedSolution, byproduct: s.activeSet)
        #expect(kkt.maxNorm <= 1e-12 * Swift.max(1, s.packedSolution.maxNorm))
        #expect(s.mu.scalars.allSatisfy { $0 >= 0 })
        #expect(((r.problem.G * s.z) - r.problem.h).scalars.allSatisfy { $0 <= 1e-12 })
    }

    /// The smoothed problem is the QP with Q = gamma I, q = c: the active-set solution from
    /// the LP vertex agrees with the QP module's independent interior-point solver
    /// (solved to ~1e-10 KKT residual, hence 1e-8 relative).
    @Test func smoothedSolutionMatchesTheQPSolver() throws {
        for seed in [UInt64(4), 9] {
            let r = LPRandomProblem(n: 6, p: 2, m: 10, seed: seed)
            let lp = r.problem
            for gamma in [0.05, 1.0] {
                let s = try lp.solveRegularized(gamma: gamma)
                let qp = try QuadraticProgram(Q: gamma * Matrix.identity(6), q: lp.c, A: lp.A, b: lp.b, G: lp.G, h: lp.h).solve()
                expectClose(s.z, qp.z, rtol: 1e-8, "z, seed \(seed), gamma \(gamma)")
                expectClose(s.lambda, qp.lambda, rtol: 1e-8, "lambda")
                expectClose(s.mu, qp.mu, rtol: 1e-8, "mu")
                expectClose(s.value, qp.value, rtol: 1e-10, "value")
            }
        }
    }

    /// At the primal-degenerate vertex the smoothed derivative exists and is finite; with
    /// gamma -> 0 the smoothed solution tends to the LP vertex.
    @Test func smoothingAtAPrimalDegenerateVertex() throws {
        let lp = try primalDegenerateLP()
        let vertex = try lp.solve()
        for gamma in [1e-3, 1.0] {
            let s = try lp.solveRegularized(gamma: gamma, startingFrom: vertex)
            let j = try s.derivative().jacobian()
            #expect(j.isFinite)
            if gamma == 1e-3 { expectClose(s.z, vertex.z, rtol: 1e-9, "small gamma stays at the vertex") }
        }
        #expect(throws: LPError.self) { try lp.solveRegularized(gamma: 0) }
        #expect(throws: LPError.self) { try lp.solveRegularized(gamma: -1) }
    }
}

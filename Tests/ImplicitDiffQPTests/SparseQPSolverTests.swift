import Foundation
import Testing
@testable import ImplicitDiffQP

/// The sparse solver against the dense one on the same problems, and its typed failures.
@Suite struct SparseQPSolverTests {
    /// A dense QP with a known optimum, handed over as sparse data: same `z`, and the row
    /// multipliers are `[lambda; mu]` (rows `[A; G]`, upper sides).
    @Test func knownOptimumThroughTheSparsePath() throws {
        let known = KnownQP(n: 30, p: 5, m: 40, activeCount: 12, seed: 7)
        let d = known.problem
        let sp = try SparseQuadraticProgram(Q: SparseMatrix(d.Q), q: d.q, equalities: SparseMatrix(d.A), b: d.b,
                                            inequalities: SparseMatrix(d.G), h: d.h)
        let s = try sp.solve()
        #expect(s.polished)
        // Tolerance: the optimum is well conditioned (mu in [0.5, 1.5], unit-scale data),
        // the polish solves the KKT system to rounding: 1e-9 leaves four orders of margin.
        #expect(sparseRelativeError(s.z, known.z) < 1e-9)
        #expect(sparseRelativeError(s.y, Vector(known.lambda.scalars + known.mu.scalars)) < 1e-9)
        #expect(s.certificate.maximum <= 1e-10)
        #expect(s.activeSet.rows.filter { $0 == .upper }.count == 12)
    }

    /// Random sparse QPs with every kind of row and bound: the objective agrees with the
    /// dense solver on the expanded problem, and the certificate holds.
    @Test(arguments: [(20, 15, UInt64(1)), (60, 40, 2), (120, 80, 3), (200, 150, 4)])
    func agreesWithTheDensePath(_ n: Int, _ m: Int, _ seed: UInt64) throws {
        let p = RandomSparseQP(n: n, m: m, density: 0.05, seed: seed).problem
        let s = try p.solve()
        let dense = try p.denseEquivalent.solve()
        // Both are certified to 1e-10 relative; z is unique (P positive definite).
        #expect(sparseRelativeError(s.z, dense.z) < 1e-7, "z differs from the dense solver's")
        #expect(abs(s.value - dense.value) <= 1e-9 * (1 + abs(dense.value)))
        #expect(s.certificate.absoluteMaximum <= 1e-9)
        #expect(s.polished)
    }

    /// Variables fixed by their bounds (`lb_j = ub_j`, which has no interior as a pair of
    /// one-sided constraints): held at their values, their bound multipliers close the
    /// stationarity `P z + q + A'y + w = 0`, their side is `.equality`, and the optimum
    /// agrees with the same problem with those variables' values substituted (a reference
    /// without fixed variables: the dense solver on the reduced problem).
    @Test(arguments: [UInt64(5), 6])
    func fixedVariables(_ seed: UInt64) throws {
        let base = RandomSparseQP(n: 40, m: 25, density: 0.08, seed: seed).problem
        let n = base.variableCount
        let fixedIndices = [3, 17, 28]
        var lb = base.lb.scalars, ub = base.ub.scalars
        for (k, j) in fixedIndices.enumerated() { lb[j] = 0.25 * Double(k) - 0.3; ub[j] = lb[j] }
        let p = try SparseQuadraticProgram(P: base.P, q: base.q, A: base.A, l: base.l, u: base.u, lb: Vector(lb), ub: Vector(ub))
        // The interior point has no one-sided constraint on them and holds them at their value.
        let ipm = try SparseQPInteriorPoint(SparseQPScaling(p))
        #expect(ipm.isFixed.indices.filter { ipm.isFixed[$0] } == fixedIndices)
        #expect(!ipm.target.contains { fixedIndices.contains($0) })
        for j in fixedIndices { #expect(ipm.x[j] == ipm.sc.lb[j]) }
        let s = try p.solve()
        #expect(s.certificate.maximum <= 1e-10)
        for j in fixedIndices {
            #expect(s.z[j] == lb[j], "fixed variable \(j) moved")
            #expect(s.activeSet.bounds[j] == .equality)
        }
        let stationarity = p.P * s.z + p.q + p.A.transposedTimes(s.y) + s.w
        #expect(stationarity.maxNorm <= 1e-9 * (1 + s.w.maxNorm))
        // Reference: the free variables' problem with z_F substituted, solved densely.
        let free = (0..<n).filter { !fixedIndices.contains($0) }
        var zFixed = [Double](repeating: 0, count: n)
        for j in fixedIndices { zFixed[j] = lb[j] }
        let pz = p.P * Vector(zFixed), az = p.A * Vector(zFixed)
        let dense = p.P.dense, denseA = p.A.dense
        var pFree = Matrix(rows: free.count, columns: free.count), aFree = Matrix(rows: p.rowCount, columns: free.count)
        for (i, fi) in free.enumerated() { for (k, fk) in free.enumerated() { pFree[i, k] = dense[fi, fk] } }
        for r in 0..<p.rowCount { for (k, fk) in free.enumerated() { aFree[r, k] = denseA[r, fk] } }
        let reduced = try SparseQuadraticProgram(
            P: SparseMatrix(pFree), q: Vector(free.map { p.q[$0] + pz[$0] }), A: SparseMatrix(aFree),
            l: Vector((0..<p.rowCount).map { p.l[$0] - az[$0] }), u: Vector((0..<p.rowCount).map { p.u[$0] - az[$0] }),
            lb: Vector(free.map { lb[$0] }), ub: Vector(free.map { ub[$0] }))
        let r = try reduced.denseEquivalent.solve()
        // Both certified to 1e-10 relative; P positive definite: z unique.
        #expect(sparseRelativeError(Vector(free.map { s.z[$0] }), r.z) < 1e-7)
    }

    /// `absoluteTolerance`: on data of scale 1e6 the relative tolerance alone accepts an
    /// interior-point iterate (no polish) whose absolute residuals are far above 1e-6; with
    /// `absoluteTolerance = 1e-6` the iteration goes on until they are below it (the gap
    /// above its rounding level); an absolute tolerance below rounding is a typed failure.
    @Test func absoluteTolerance() throws {
        let base = RandomSparseQP(n: 60, m: 40, density: 0.05, seed: 9).problem
        let big = 1e6
        let up = Vector(repeating: big, count: base.variableCount)
        let p = try SparseQuadraticProgram(P: base.P.scaled(rows: up), q: base.q * big, A: base.A.scaled(rows: Vector(repeating: big, count: base.rowCount)),
                                           l: base.l * big, u: base.u * big, lb: base.lb, ub: base.ub)
        let relativeOnly = try p.solve(options: QPSolverOptions(tolerance: 1e-6, polish: false))
        #expect(relativeOnly.certificate.absoluteMaximumBeyondRounding > 1e-6, "the case does not exercise the option")
        let absolute = try p.solve(options: QPSolverOptions(tolerance: 1e-6, polish: false, absoluteTolerance: 1e-6))
        #expect(absolute.certificate.absoluteMaximumBeyondRounding <= 1e-6)
        #expect(absolute.iterations > relativeOnly.iterations)
        #expect(throws: QPError.self) { try p.solve(options: QPSolverOptions(polish: false, absoluteTolerance: 1e-30)) }
        #expect(throws: QPError.self) { try p.solve(options: QPSolverOptions(absoluteTolerance: 0)) }
    }

    /// A rank-one `P` with bounds (an LP-like problem): solved and certified.
    @Test func semidefiniteP() throws {
        let p = RandomSparseQP(n: 40, m: 30, density: 0.1, seed: 11, psd: true).problem
        let s = try p.solve()
        let dense = try p.denseEquivalent.solve()
        #expect(abs(s.value - dense.value) <= 1e-8 * (1 + abs(dense.value)))
        #expect(s.certificate.maximum <= 1e-10)
    }

    /// `z_0 + z_1 >= 2` with `z <= 0.5`: a Farkas certificate, typed.
    @Test func infeasibleIsTyped() throws {
        let A = try SparseMatrix(rows: 1, columns: 2, rowIndices: [0, 0], columnIndices: [0, 1], values: [1, 1])
        let p = try SparseQuadraticProgram(P: .identity(2), q: [0, 0], A: A, l: [2], u: [.infinity],
                                           lb: [-.infinity, -.infinity], ub: [0.5, 0.5])
        #expect(throws: QPError.self) { try p.solve() }
        do { _ = try p.solve() } catch let e as QPError {
            guard case .infeasible = e else { Issue.record("expected infeasible, got \(e)"); return }
        }
    }

    /// `min -z_0` with `z_0 >= 0` and `P = 0`: a recession direction, typed.
    @Test func unboundedIsTyped() throws {
        let p = try SparseQuadraticProgram(P: .zeros(rows: 2, columns: 2), q: [-1, 0], lb: [0, 0], ub: [.infinity, 1])
        do { _ = try p.solve(); Issue.record("an unbounded QP was reported solved") } catch let e as QPError {
            guard case .unbounded = e else { Issue.record("expected unbounded, got \(e)"); return }
        }
    }

    /// Bad data is rejected before solving.
    @Test func invalidData() throws {
        let asym = try SparseMatrix(rows: 2, columns: 2, rowIndices: [0, 1], columnIndices: [1, 0], values: [1, 2])
        #expect(throws: QPError.self) { try SparseQuadraticProgram(P: asym, q: [0, 0]) }
        // Only the upper triangle: refused, with the true asymmetry (1, relative 1).
        let upper = try SparseMatrix(rows: 2, columns: 2, rowIndices: [0, 0, 1], columnIndices: [0, 1, 1], values: [2, 1, 2])
        #expect(throws: QPError.nonSymmetric(asymmetry: 1, relative: 0.5)) { try SparseQuadraticProgram(P: upper, q: [0, 0]) }
        #expect(throws: QPError.self) { try SparseQuadraticProgram(P: .identity(2), q: [0, 0], lb: [1, 0], ub: [0, 1]) }
        #expect(throws: QPError.self) { try SparseQuadraticProgram(P: .identity(2), q: [0, .nan]) }
    }
}

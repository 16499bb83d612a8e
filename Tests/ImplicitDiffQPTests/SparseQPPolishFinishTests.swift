import Foundation
import Testing
@testable import ImplicitDiffQP

/// The finish of a verified polish (``SparseQPSolver/finish(_:kkt:sides:fixed:bx:by:)``):
/// refinement on the original data, candidates kept only when certified and smaller in
/// absolute residual.
@Suite struct SparseQPPolishFinishTests {
    /// A random QP with its data multiplied by `scale` (`P`, `q`: the minimiser is unchanged,
    /// the multipliers grow by `scale`), solved.
    func solved(scale: Double, seed: UInt64) throws -> (SparseQPSolver, SparseQPSolution, SparseQPReducedKKT, [Double]) {
        let r = RandomSparseQP(n: 40, m: 25, density: 0.1, seed: seed).problem
        let p = try SparseQuadraticProgram(P: r.P.withValues(r.P.values.map { $0 * scale }), q: scale * r.q, A: r.A,
                                           l: r.l, u: r.u, lb: r.lb, ub: r.ub)
        let s = try p.solve()
        let kkt = try #require(s.reducedKKT)
        let fixed = (0..<p.variableCount).map { j -> Double in
            switch s.activeSet.bounds[j] {
            case .lower: return p.lb[j]
            case .upper, .equality: return p.ub[j]
            case .inactive: return 0
            }
        }
        return (SparseQPSolver(problem: p, options: QPSolverOptions()), s, kkt, fixed)
    }

    /// `s` moved by `size` (relative) on the free variables and the active rows.
    func perturbed(_ solver: SparseQPSolver, _ s: SparseQPSolution, _ kkt: SparseQPReducedKKT, _ fixed: [Double],
                   size: Double, seed: UInt64) -> SparseQPSolver.PolishedPoint {
        var rng = QPRandom(seed: seed)
        var x = s.z.scalars, y = s.y.scalars
        for j in x.indices where kkt.free[j] { x[j] += size * (1 + abs(x[j])) * rng.normal() }
        for i in y.indices where kkt.activeRows[i] { y[i] += size * (1 + abs(y[i])) * rng.normal() }
        return solver.point(x: x, y: y, free: kkt.free, fixed: fixed)
    }

    /// One refinement step is a Newton step on the (linear) reduced KKT equations: from a
    /// point moved by 1e-6 it returns to the polished solution up to the rounding of the
    /// residual (1e-10 relative allows a condition number of ~1e5 for these matrices), and
    /// the dual residual drops from the 1e-6 level to the rounding level.
    @Test(arguments: [UInt64(21), 22, 23])
    func refinementStepUndoesAPerturbation(_ seed: UInt64) throws {
        let (solver, s, kkt, fixed) = try solved(scale: 1, seed: seed)
        try #require(s.polished)
        let start = perturbed(solver, s, kkt, fixed, size: 1e-6, seed: seed)
        #expect(start.certificate.dual > 1e-8, "the perturbation must be visible: \(start.certificate)")
        let r = solver.refined(start, kkt: kkt, sides: s.activeSet, fixed: fixed)
        #expect((r.z - s.z).maxNorm <= 1e-10 * (1 + s.z.maxNorm), "z off by \((r.z - s.z).maxNorm)")
        #expect((r.y - s.y).maxNorm <= 1e-10 * (1 + s.y.maxNorm), "y off by \((r.y - s.y).maxNorm)")
        #expect(r.certificate.dual <= 1e-12 * (1 + s.y.maxNorm), "dual residual \(r.certificate.dual)")
    }

    /// On data of scale 1e4 a point that passes the relative certificate (1e-12 moves) misses
    /// the absolute goal 1e-9; the finish returns a certified point that meets it, and never
    /// one with a larger absolute residual than its start.
    @Test func finishMeetsTheAbsoluteGoalOnScaledData() throws {
        let (solver, s, kkt, fixed) = try solved(scale: 1e4, seed: 31)
        let start = perturbed(solver, s, kkt, fixed, size: 1e-12, seed: 5)
        try #require(start.certificate.maximum <= solver.options.tolerance, "start not certified: \(start.certificate)")
        try #require(start.certificate.absoluteMaximum > SparseQPSolver.absoluteGoal, "start already meets the goal: \(start.certificate)")
        let (bx, by) = rightHandSides(solver.problem, s, kkt, fixed)
        let f = solver.finish(start, kkt: kkt, sides: s.activeSet, fixed: fixed, bx: bx, by: by)
        #expect(f.certificate.maximum <= solver.options.tolerance)
        #expect(f.certificate.absoluteMaximum <= SparseQPSolver.absoluteGoal, "finished: \(f.certificate)")
        #expect(f.certificate.absoluteMaximum <= start.certificate.absoluteMaximum)
        #expect((f.z - s.z).maxNorm <= 1e-9 * (1 + s.z.maxNorm))
    }
}

extension SparseQPPolishFinishTests {
    /// The right-hand sides of the reduced KKT system of `s`'s active set.
    func rightHandSides(_ p: SparseQuadraticProgram, _ s: SparseQPSolution, _ kkt: SparseQPReducedKKT,
                        _ fixed: [Double]) -> (bx: [Double], by: [Double]) {
        let pf = p.P * Vector(fixed), af = p.A * Vector(fixed)
        var bx = [Double](repeating: 0, count: p.variableCount), by = [Double](repeating: 0, count: p.rowCount)
        for j in 0..<p.variableCount where kkt.free[j] { bx[j] = -p.q[j] - pf[j] }
        for r in 0..<p.rowCount {
            switch s.activeSet.rows[r] {
            case .lower: by[r] = p.l[r] - af[r]
            case .upper, .equality: by[r] = p.u[r] - af[r]
            case .inactive: break
            }
        }
        return (bx, by)
    }

    /// A near miss (relative certificate between the tolerance and ``SparseQPSolver/nearMiss``
    /// times it: what the polish of a 1e5-row problem returns when the rounding of its
    /// solve is spread over every row) is finished to a certified point on the same active
    /// set, the polished solution up to 1e-9; a point that misses by more is not the polish's
    /// business (the near-miss branch does not fire for it).
    @Test(arguments: [UInt64(41), 42, 43])
    func nearMissIsFinishedToACertifiedPoint(_ seed: UInt64) throws {
        let (solver, s, kkt, fixed) = try solved(scale: 1, seed: seed)
        try #require(s.polished)
        let tol = solver.options.tolerance
        // A move of size 10 tol lands the relative residuals between tol and 100 tol here.
        let start = perturbed(solver, s, kkt, fixed, size: 10 * tol, seed: seed)
        try #require(start.certificate.maximum > tol && start.certificate.maximum <= SparseQPSolver.nearMiss * tol,
                     "not a near miss: \(start.certificate)")
        let (bx, by) = rightHandSides(solver.problem, s, kkt, fixed)
        let f = solver.finish(start, kkt: kkt, sides: s.activeSet, fixed: fixed, bx: bx, by: by)
        #expect(f.certificate.maximum <= tol, "finished: \(f.certificate)")
        #expect((f.z - s.z).maxNorm <= 1e-9 * (1 + s.z.maxNorm))
        let far = perturbed(solver, s, kkt, fixed, size: 1e-5, seed: seed)
        #expect(far.certificate.maximum > SparseQPSolver.nearMiss * tol, "\(far.certificate)")
    }
}

/// Memory of the sparse solve: kept iterates hold no numeric factor.
@Suite struct SparseQPIterateMemoryTests {
    /// After a step the iterate holds `L` (as many values as the analysis counts); its
    /// snapshot (what the solver keeps as the best iterate and the fallback) holds none, and
    /// releasing the factor empties it without touching the iterate's point. A kept copy
    /// of `L` would be copied again by the next refactorisation: three copies of the
    /// largest array of the solve (CONT-300: 640 MB peak before, 323 MB after).
    @Test func snapshotsHoldNoFactor() throws {
        let r = RandomSparseQP(n: 60, m: 40, density: 0.1, seed: 7).problem
        var ipm = try SparseQPInteriorPoint(SparseQPScaling(r))
        try ipm.step()
        #expect(ipm.ldl.lValues.count == ipm.ldl.factorNonZeros && ipm.ldl.factorNonZeros > 0)
        let kept = ipm.snapshot
        #expect(kept.ldl.lValues.isEmpty && kept.ldl.lRows.isEmpty && kept.ldl.diagonal.isEmpty)
        #expect(kept.x == ipm.x && kept.y == ipm.y && kept.s == ipm.s && kept.z == ipm.z)
        #expect(!ipm.ldl.lValues.isEmpty, "the snapshot must not release the live iterate's factor")
        ipm.releaseFactor()
        #expect(ipm.ldl.lValues.isEmpty && ipm.x == kept.x)
        try ipm.step()  // refactorises from the analysis
        #expect(ipm.ldl.lValues.count == ipm.ldl.factorNonZeros)
    }
}

/// When the finish is tried (``SparseQPSolver/needsFinish(_:)``).
@Suite struct SparseQPPolishFinishTriggerTests {
    /// The residuals of `(z, w)` for `min 1/2 s z^2 + q z` subject to `z >= lb` (no rows).
    func residual(s: Double, q: Double, lb: Double, z: Double, w: Double) throws -> SparseQPResidual {
        let p = try SparseQuadraticProgram(P: SparseMatrix(Matrix(rowArrays: [[s]])!), q: Vector([q]), lb: Vector([lb]))
        return SparseQPResidual(problem: p, z: Vector([z]), y: Vector([]), w: Vector([w]))
    }

    /// A dual residual above 1e-9 absolute is finished; an exact point is not; a point
    /// whose dual residual is below 1e-9 but whose gap is above it at a relative level far
    /// above rounding (a multiplier of the wrong size: complementarity violated) is.
    @Test func dualResidualsAndRealGapsAreFinished() throws {
        // z = 1 at the bound lb = 1: stationarity s + q + w = 0, gap s + q + lb w = 0.
        let exact = try residual(s: 1, q: 2, lb: 1, z: 1, w: -3)
        #expect(exact.absoluteMaximum == 0 && !SparseQPSolver.needsFinish(exact))
        let dual = try residual(s: 1, q: 2, lb: 1, z: 1, w: -3 + 1e-8)
        #expect(dual.dual > 1e-9 && SparseQPSolver.needsFinish(dual))
        // lb = 0.5 below z = 1 with w = -3: stationary, but the gap (1 - 0.5) * 3 = 1.5 is real.
        let gap = try residual(s: 1, q: 2, lb: 0.5, z: 1, w: -3)
        #expect(gap.dual <= 1e-9 && gap.gap > 1 && SparseQPSolver.needsFinish(gap), "\(gap)")
    }
}

/// The refinement of the polish's reduced solves stops when it stagnates.
@Suite struct SparseQPRefinementStagnationTests {
    /// `min 0 z s.t. z = 1, z = c` (one variable, both rows imposed as equalities): the
    /// reduced KKT system `[0 1 1; 1 0 0; 1 0 0]` is singular, consistent for `c = 1` and
    /// inconsistent for `c = 2` (what a wrong active set gives the polish).
    func reducedSolve(c: Double) throws -> (residual: Double, passes: Int) {
        let p = try SparseQuadraticProgram(P: SparseMatrix(Matrix(rowArrays: [[0]])!), q: Vector([0]),
                                           A: SparseMatrix(Matrix(rowArrays: [[1], [1]])!),
                                           l: Vector([1, c]), u: Vector([1, c]))
        let sc = SparseQPScaling(p)
        let matrix = SparseQPKKTMatrix(P: sc.P, A: sc.A)
        let symbolic = SparseSymmetricLDL(order: matrix.order, columnStart: matrix.columnStart, rowIndices: matrix.rowIndices)
        let kkt = try SparseQPReducedKKT(scaling: sc, matrix: matrix, symbolic: symbolic, free: [true], activeRows: [true, true])
        let r = kkt.solver.solve(kkt.scaled(bx: [0], by: [1, c]), steps: 60, tolerance: 1e-15, componentwise: false)
        return (r.residual, r.passes)
    }

    /// The inconsistent system keeps a residual at its inconsistency (the rows differ by 1
    /// after scaling: far above 1e-8) and the refinement gives up after a few passes instead
    /// of running its 60 steps; the consistent one still refines to rounding.
    @Test func inconsistentSystemsStopEarlyConsistentOnesConverge() throws {
        let bad = try reducedSolve(c: 2)
        #expect(bad.residual > 1e-8, "inconsistent, yet residual \(bad.residual)")
        #expect(bad.passes <= 12, "\(bad.passes) passes on an inconsistent system")
        let good = try reducedSolve(c: 1)
        #expect(good.residual <= 1e-14, "consistent, residual \(good.residual)")
    }

    /// The stagnation rule itself: CONT-300's pattern (a residual that creeps down in its
    /// third digit) stops after six residuals; a residual halving every step, or one with
    /// fewer than six values, goes on.
    @Test func stagnationRule() {
        let creeping = (0..<6).map { 1.6e-6 * (1 - 1e-3 * Double($0)) }
        #expect(SparseQPRefinedSolver.stagnated(creeping))
        #expect(!SparseQPRefinedSolver.stagnated(Array(creeping.prefix(5))))
        let halving = (0..<10).map { 1e-6 * pow(0.5, Double($0)) * 0.99 }
        #expect(!SparseQPRefinedSolver.stagnated(halving))
        let slowButSteady = (0..<6).map { 1e-6 * pow(0.8, Double($0)) }  // 0.33 over five steps
        #expect(!SparseQPRefinedSolver.stagnated(slowButSteady))
    }
}

import Testing
@testable import ImplicitDiffLP

// The uniqueness test without an auxiliary LP for one or two candidates
// (LPSolverForm+PlanarFace.swift): its verdict must be the auxiliary LP's.

@Suite("LP uniqueness: one or two candidates without the auxiliary LP")
struct LPPlanarFaceTests {
    /// The auxiliary LP's verdict: the same basic solution without the measured edges.
    private func auxiliaryVerdict(_ s: LPModelSolution) throws -> Bool {
        var withoutEdges = s.basic
        withoutEdges.candidateEdges = []
        return try s.form.optimumIsUnique(withoutEdges, options: .init())
    }

    /// SC50A: two candidates whose edges are degenerate pivots; the polygon of their
    /// movements is the point 0 (unique, as HiGHS finds: Benchmarks/lp/check_uniqueness.py).
    @Test func sc50aIsDecidedWithoutTheLP() throws {
        let s = try LPModel.read(path: try lpTemporaryFile(LPNetlibModels.sc50a, suffix: ".mps"), format: .mps).solve()
        let moving = s.basic.zeroReducedCost.filter { k in
            k < s.form.rowCount ? s.basic.rowStatus[k] != 5 : s.basic.columnStatus[k - s.form.rowCount] != 5  // 5: GLP_NS
        }
        #expect(moving.count == 2)
        #expect(s.form.planarFaceIsPoint(s.basic, candidates: moving) == true)
        #expect(try auxiliaryVerdict(s))
    }

    /// x1 = x2 written as two inequalities, x1 + x2 <= 2, objective 0: at the vertex 0 each
    /// of x1, x2 alone is blocked by a degenerate row, but together they move along the
    /// optimal segment x1 = x2: not unique, for the polygon and for the auxiliary LP.
    @Test func twoCandidatesThatMoveOnlyTogether() throws {
        let text = """
        Minimize
         obj: 0 x1 + 0 x2
        Subject To
         r1: x1 - x2 <= 0
         r2: x2 - x1 <= 0
         r3: x1 + x2 <= 2
        End
        """
        let s = try LPModel.read(path: try lpTemporaryFile(text, suffix: ".lp"), format: .cplexLP).solve()
        let candidates = s.basic.zeroReducedCost
        #expect(!s.basic.hasOptimalEdge || candidates.count > 0)
        if candidates.count <= 2, let planar = s.form.planarFaceIsPoint(s.basic, candidates: candidates) {
            #expect(planar == false)
        }
        #expect(try !auxiliaryVerdict(s))
        #expect(try !s.form.optimumIsUnique(s.basic, options: .init()))
    }
}

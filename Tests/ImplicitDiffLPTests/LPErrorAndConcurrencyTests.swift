import Foundation
import Testing
@testable import ImplicitDiffLP

// Typed errors for every bad input and unsolvable problem, GLPK's own errors caught by the
// guarded hook, and many LPs solved at once from Swift tasks.

@Suite("LP errors and concurrency")
struct LPErrorAndConcurrencyTests {
    @Test func infeasibleAndUnbounded() throws {
        let infeasible = try LinearProgram(c: [1, 1], G: Matrix(rowArrays: [[1, 0], [-1, 0], [0, -1]])!, h: [0, -1, 0])
        #expect {
            try infeasible.solve()
        } throws: { error in
            if case LPError.infeasible = error { return true }
            return false
        }
        let unbounded = try LinearProgram(c: [-1, 0], G: Matrix(rowArrays: [[-1, 0], [0, 1], [0, -1]])!, h: [0, 1, 1])
        #expect {
            try unbounded.solve()
        } throws: { error in
            if case LPError.unbounded = error { return true }
            return false
        }
        // Infeasible equalities.
        let inconsistent = try LinearProgram(c: [1], A: Matrix(rowArrays: [[1], [1]])!, b: [1, 2])
        #expect(throws: LPError.self) { try inconsistent.solve() }
    }

    /// Variable bounds written as rows of G go to GLPK as column bounds (LPBoundRows);
    /// the reported vertex, duals and active set are those of the row form.
    @Test func boundRowsAreColumnBoundsForGLPKAndRowsInTheAnswer() throws {
        // minimize -z0 - 2 z1  s.t.  z0 + z1 <= 3,  0 <= z0 <= 2,  0 <= z1 <= 2,
        // with the bounds as rows (upper first, and one written as 2 z1 <= 4): vertex
        // (1, 2), duals mu = (1 on the sum row, 1/2 on 2 z1 <= 4, 0 elsewhere).
        let g = Matrix(rowArrays: [[1, 1], [1, 0], [0, 2], [-1, 0], [0, -1]])!
        let lp = try LinearProgram(c: [-1, -2], G: g, h: [3, 2, 4, 0, 0])
        #expect(!LPBoundRows(lp.solverForm).isEmpty)
        let s = try lp.solve()
        expectClose(s.z, [1, 2], rtol: 1e-14, "z")
        expectClose(s.mu, [1, 0, 0.5, 0, 0], rtol: 1e-14, "mu")
        #expect(s.degeneracy == nil)
        // The vertex is fixed by rows 0 and 2 (z0 + z1 = h0, 2 z1 = h2), one of them a
        // bound row that GLPK saw as a column bound: dz/dh0 = (1, 0), dz/dh2 = (-1/2, 1/2),
        // and the other rows of h do not move z.
        let derivative = try s.derivative()
        let hRange = lp.layout.hRange
        for (row, expected) in [(0, [1.0, 0]), (2, [-0.5, 0.5]), (1, [0.0, 0]), (3, [0.0, 0])] {
            var tangent = Vector.zeros(lp.packed.count)
            tangent[hRange.lowerBound + row] = 1
            let dz = try derivative.pushforward(tangent).entries(0..<2)
            expectClose(dz, Vector(expected), rtol: 1e-14, floor: 1, "dz/dh\(row)")
        }
        // A variable fixed by two bound rows (0 <= z0 <= 0): solved, and reported as a
        // degenerate vertex (two rows active on one variable), not as an invalid basis.
        let fixed = try LinearProgram(c: [1, -1], G: Matrix(rowArrays: [[1, 0], [-1, 0], [0, 1], [1, 1]])!, h: [0, 0, 5, 4])
        let f = try fixed.solve()
        expectClose(f.z, [0, 4], rtol: 1e-14, "fixed z")
        #expect(f.degeneracy != nil)
    }

    @Test func invalidInputIsRejected() {
        let g = Matrix(rowArrays: [[1, 0]])!
        #expect(throws: LPError.self) { try LinearProgram(c: []) }
        #expect(throws: LPError.self) { try LinearProgram(c: [1, 2], G: g, h: [1, 2]) }
        #expect(throws: LPError.self) { try LinearProgram(c: [1, 2, 3], G: g, h: [1]) }
        #expect(throws: LPError.self) { try LinearProgram(c: [1, .nan], G: g, h: [1]) }
        #expect(throws: LPError.self) { try LinearProgram(c: [1, 2], G: g, h: [.infinity]) }
        #expect(throws: LPError.self) { try LinearProgram(c: [1, 2], A: g) }
        #expect(throws: LPError.self) { try LinearProgram(packed: [1, 2, 3], layout: LPParameterLayout(variables: 2, equalities: 0, inequalities: 1)) }
    }

    @Test func iterationLimitIsReported() throws {
        let r = LPRandomProblem(n: 8, p: 0, m: 20, seed: 8)
        #expect {
            try r.problem.solve(options: LPOptions(iterationLimit: 1))
        } throws: { error in
            if case LPError.notConverged = error { return true }
            return false
        }
    }

    /// An error inside GLPK (here an out-of-range row index passed on purpose) is caught by
    /// the guarded error hook instead of aborting the process, and GLPK works again after.
    @Test func glpkErrorsDoNotAbort() throws {
        #expect {
            try GLPKProblem.withProblem { glp in
                try glp.setSize(rows: 2, columns: 2)
                try glp.provokeError()
            }
        } throws: { error in
            if case GLPKFailure.fault = error { return true }
            return false
        }
        // Validation in Swift stops bad indices before they reach GLPK.
        #expect(throws: GLPKFailure.self) {
            try GLPKProblem.withProblem { glp in
                try glp.setSize(rows: 1, columns: 1)
                try glp.setRowBounds(1, lower: 0, upper: 1)
            }
        }
        #expect(throws: GLPKFailure.self) {
            try GLPKProblem.withProblem { glp in
                try glp.setSize(rows: 1, columns: 1)
                try glp.setColumnBounds(0, lower: 2, upper: 1)
            }
        }
        let s = try LPRandomProblem(n: 3, p: 0, m: 5, seed: 1).problem.solve()
        #expect(s.degeneracy == nil)
    }

    /// 16 LPs solved concurrently from a task group give exactly the answers of the same
    /// LPs solved one after another (GLPK objects never leave their solving thread).
    @Test func concurrentSolves() async throws {
        let problems = (0..<16).map { LPRandomProblem(n: 6 + $0 % 3, p: $0 % 2, m: 12, seed: UInt64(100 + $0)).problem }
        let sequential = try problems.map { try $0.solve().packedSolution }
        let concurrent = try await withThrowingTaskGroup(of: (Int, Vector, Vector).self) { group in
            for (k, problem) in problems.enumerated() {
                group.addTask {
                    let s = try problem.solve()
                    let g = try s.derivative().pullback(Vector(repeating: 1, count: s.packedSolution.count))
                    return (k, s.packedSolution, g)
                }
            }
            var out = [(Vector, Vector)?](repeating: nil, count: problems.count)
            for try await (k, y, g) in group { out[k] = (y, g) }
            return out
        }
        for k in problems.indices {
            let (y, g) = try #require(concurrent[k])
            #expect(y == sequential[k], "problem \(k): concurrent and sequential solutions differ")
            let expected = try problems[k].solve().derivative().pullback(Vector(repeating: 1, count: y.count))
            #expect(g == expected, "problem \(k): concurrent and sequential pullbacks differ")
        }
    }
}

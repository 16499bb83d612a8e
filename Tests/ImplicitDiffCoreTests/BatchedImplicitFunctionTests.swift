import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffCore

// The batched layer against closed forms: y = sqrt(x) row by row (opaque Newton solver,
// conditions y^2 - x = 0), dy/dx = 1/(2 sqrt(x)). Exact to the linear solve, so 1e-12.

struct NegativeInput: Error {}

/// sqrt whose solver refuses negative entries.
let checkedSqrt = ImplicitFunction(solver: { x in
    if x.scalars.contains(where: { $0 < 0 }) { throw NegativeInput() }
    return opaqueSqrt(x)
}, conditions: { x, y, _ in y * y - x })

@Suite("ImplicitFunction.batched: one implicit function per row, concurrently")
struct BatchedImplicitFunctionTests {
    static func parameters(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var g = SplitMix64(seed: seed)
        return Matrix(rows: rows, columns: columns, scalars: (0..<(rows * columns)).map { _ in Double.random(in: 0.5...3.5, using: &g) })
    }

    @Test("values and the pullback match the closed form row by row; the pullback runs the per-row pullbacks")
    func valuesAndPullback() throws {
        let x = Self.parameters(rows: 17, columns: 5, seed: 1)
        let ybar = Self.parameters(rows: 17, columns: 5, seed: 2)
        let (y, pullback) = try withCheckedDerivatives { valueWithPullback(at: x) { x in sqrtFunction.batched(x, jobs: 3) } }
        let xbar = try withCheckedDerivatives { pullback(ybar) }
        let expectedY = Matrix(rows: 17, columns: 5, scalars: x.scalars.map { $0.squareRoot() })
        let expectedXbar = Matrix(rows: 17, columns: 5, scalars: zip(x.scalars, ybar.scalars).map { $1 / (2 * $0.squareRoot()) })
        expectClose(y, expectedY, rtol: 1e-13, "values")
        expectClose(xbar, expectedXbar, rtol: 1e-12, "pullback")
    }

    @Test("results are bit-identical for 1 and 4 workers")
    func independentOfJobs() throws {
        let x = Self.parameters(rows: 9, columns: 4, seed: 3)
        let ybar = Self.parameters(rows: 9, columns: 4, seed: 4)
        func run(_ jobs: Int) throws -> (Matrix, Matrix) {
            try withCheckedDerivatives {
                let (y, pb) = valueWithPullback(at: x) { x in sqrtFunction.batched(x, jobs: jobs) }
                return (y, pb(ybar))
            }
        }
        let (y1, g1) = try run(1), (y4, g4) = try run(4)
        #expect(y1.scalars == y4.scalars)
        #expect(g1.scalars == g4.scalars)
    }

    @Test("a failing row is thrown by withCheckedDerivatives; the throwing API reports it alone")
    func failingRow() throws {
        var x = Self.parameters(rows: 4, columns: 3, seed: 5)
        x[2, 1] = -1 // no real square root: the solver throws
        #expect(throws: NegativeInput.self) {
            try withCheckedDerivatives { _ = valueWithPullback(at: x) { x in checkedSqrt.batched(x) } }
        }
        #expect(throws: NegativeInput.self) {
            try withCheckedDerivatives { _ = checkedSqrt.batched(x) }
        }
        let rows = (0..<4).map { x.row($0) }
        let results = checkedSqrt.values(at: rows, jobs: 2)
        for (k, r) in results.enumerated() {
            switch r {
            case .success: #expect(k != 2)
            case .failure: #expect(k == 2)
            }
        }
        let pulls = checkedSqrt.valuesWithPullbacks(at: rows)
        #expect(throws: NegativeInput.self) { try pulls[2].get() }
        let g = try pulls[0].get().pullback(Vector(repeating: 1, count: 3))
        expectClose(g, Vector(rows[0].scalars.map { 1 / (2 * $0.squareRoot()) }), rtol: 1e-12, "row 0 pullback")
    }
}

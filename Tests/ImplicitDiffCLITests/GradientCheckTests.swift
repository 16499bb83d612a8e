import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

/// Every registered kind with a sample problem: its JVP against central finite differences
/// of re-solved problems (1e-5 relative: forward solves at tol 1e-13, step 1e-6, so
/// truncation ~1e-12 and rounding ~1e-13/1e-6 = 1e-7 relative to the derivative), and its
/// VJP against its JVP through the adjoint identity (1e-8: both exact up to the solve).
@Suite("Derivative checks of every CLI kind")
struct GradientCheckTests {
    @Test(arguments: ProblemKinds.all.map { $0.name })
    func kindPassesGradientCheck(name: String) throws {
        let kind = try #require(ProblemKinds.named(name))
        let rows = GradientCheck().run(kind: kind, seed: 7)
        for row in rows {
            #expect(row.passed, "\(row.kind).\(row.parameter): forward error \(row.forwardError) on \(row.worstOutput), adjoint \(row.adjointError) \(row.note)")
        }
    }

    @Test func ridgeHasASample() {
        #expect(RidgeKind.sample(seed: 1) != nil)
        #expect(!GradientCheck().run(kind: RidgeKind.self, seed: 1).isEmpty)
    }
}

/// A kind that must fail the check: with `sample` nil it has nothing to check; otherwise
/// its JVP leaves out the output `y` (y = 2x).
enum BrokenKind: ProblemKind {
    nonisolated(unsafe) static var hasSample = true
    static let name = "broken"
    static var schema: KindSchema {
        KindSchema(kind: name, module: "tests", summary: "y = 2x with a JVP that forgets y", status: "optimal",
                   data: [], outputs: [], parameters: [], options: [])
    }
    static func sample(seed: UInt64) -> JSONObject? {
        hasSample ? JSONObject([("x", .array([.number(1), .number(2)]))]) : nil
    }
    static func prepare(_ data: JSONObject, options: ProblemOptions) throws -> PreparedSolve {
        let x = try data.vector("x")
        return { BrokenSolved(x: x) }
    }
}

struct BrokenSolved: SolvedProblem {
    let x: Vector
    var status: String { "optimal" }
    var outputs: [(name: String, value: Tensor)] { [("y", Tensor(2 * x))] }
    var parameterShapes: [(name: String, shape: [Int])] { [("x", [x.count])] }
    var forwardIterations: Int { 0 }
    func vjp(_ cotangents: [String: Tensor]) throws -> (gradients: [String: Tensor], report: LinearSolveReport) {
        (["x": Tensor(2 * (cotangents["y"]?.vector ?? .zeros(x.count)))], LinearSolveReport(method: "none"))
    }
    func jvp(_ tangents: [String: Tensor]) throws -> (derivatives: [String: Tensor], report: LinearSolveReport) {
        ([:], LinearSolveReport(method: "none"))
    }
}

@Suite("The derivative check fails when there is nothing to check", .serialized)
struct GradientCheckFailureTests {
    @Test("an output the JVP leaves out fails the check")
    func missingJVPOutputFails() {
        BrokenKind.hasSample = true
        let rows = GradientCheck().run(kind: BrokenKind.self, seed: 1)
        #expect(rows.count == 1 && !rows[0].passed && rows[0].worstOutput == "y")
    }

    @Test("a kind without a sample fails the check instead of passing with no rows")
    func noSampleFails() {
        BrokenKind.hasSample = false
        defer { BrokenKind.hasSample = true }
        let rows = GradientCheck().run(kind: BrokenKind.self, seed: 1)
        #expect(rows.count == 1 && !rows[0].passed && rows[0].note.contains("no sample"))
    }
}

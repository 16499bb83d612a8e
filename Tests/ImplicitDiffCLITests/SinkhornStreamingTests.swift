import Foundation
import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// Issue 14 through the CLI: uniform default weights, and point clouds solved without
// their cost matrix under --no-outputs.

@Suite("CLI: sinkhorn streaming and default weights (issue 14)")
struct SinkhornStreamingCLITests {
    /// `a`, `b` left out: uniform weights, the same answer as writing them.
    @Test func uniformWeightsByDefault() {
        let implicit = #"{"problem": "sinkhorn", "data": {"C": [[0.1, 0.7, 0.3], [0.5, 0.2, 0.9]], "epsilon": 0.1}, "derivative": {"vjp": {"f": [1, -1]}}}"#
        let explicit = #"{"problem": "sinkhorn", "data": {"C": [[0.1, 0.7, 0.3], [0.5, 0.2, 0.9]], "a": [0.5, 0.5], "b": [0.3333333333333333, 0.3333333333333333, 0.3333333333333334], "epsilon": 0.1}, "derivative": {"vjp": {"f": [1, -1]}}}"#
        let (u, cu) = run(implicit), (e, ce) = run(explicit)
        #expect(cu == 0 && ce == 0)
        #expect(maxRelativeDifference(numbers(field(u, "outputs", "f")), numbers(field(e, "outputs", "f"))) <= 1e-12)
        #expect(maxRelativeDifference(numbers(field(u, "vjp", "C")), numbers(field(e, "vjp", "C"))) <= 1e-10)
    }

    /// Which problems are solved without the cost matrix: point clouds of at least 2^22
    /// pairs under `--no-outputs`; never a cost matrix, never when outputs are written.
    @Test func streamingRule() {
        #expect(SinkhornKind.streams(pointClouds: true, sourceCount: 2048, targetCount: 2048, includeOutputs: false))
        #expect(!SinkhornKind.streams(pointClouds: true, sourceCount: 2048, targetCount: 2047, includeOutputs: false))
        #expect(!SinkhornKind.streams(pointClouds: true, sourceCount: 100_000, targetCount: 100_000, includeOutputs: true))
        #expect(!SinkhornKind.streams(pointClouds: false, sourceCount: 100_000, targetCount: 100_000, includeOutputs: false))
        #expect(SinkhornKind.streams(pointClouds: true, sourceCount: .max, targetCount: 3, includeOutputs: false))
    }

    /// A streamed solution behind the CLI's interface (small, so the test is fast; the
    /// release CLI runs the real sizes in Benchmarks/sinkhorn): outputs and their shapes,
    /// the cost cotangent by the envelope theorem (no solve), cotangents on `f` and
    /// tangents through the stored solution of the same potentials, all equal to the
    /// stored-matrix answers.
    @Test func streamedSolutionBehindTheCLI() throws {
        var g = SampleGenerator(seed: 4)
        let x = g.matrix(40, 2, in: 0...1), y = g.matrix(30, 2, in: 0...1)
        let problem = try SinkhornProblem(x: x, y: y, epsilon: 0.05)
        let options = SinkhornOptions(tolerance: 1e-12)
        let streamed = SolvedSinkhorn(streamed: try problem.solveStreaming(options: options), options: ImplicitOptions())
        let stored = SolvedSinkhorn(solution: try problem.solve(options: options), options: ImplicitOptions())
        #expect(streamed.outputShapes == ["plan": [40, 30], "cost": [], "f": [40], "g": [30]])
        #expect(streamed.outputs.map(\.name) == ["plan", "cost", "f", "g"])
        let (gc, rc) = try streamed.vjp(["cost": Tensor(2.0)])
        let (hc, _) = try stored.vjp(["cost": Tensor(2.0)])
        #expect(rc.method == "none")
        #expect(maxRelativeDifference(gc["x"]!.scalars, hc["x"]!.scalars) <= 1e-9)
        #expect(maxRelativeDifference(gc["epsilon"]!.scalars, hc["epsilon"]!.scalars) <= 1e-9)
        let fbar = Tensor(Vector((0..<40).map { Double($0 % 3) - 1 }))
        let (gf, _) = try streamed.vjp(["f": fbar]), (hf, _) = try stored.vjp(["f": fbar])
        #expect(maxRelativeDifference(gf["y"]!.scalars, hf["y"]!.scalars) <= 1e-7)
        let (jf, _) = try streamed.jvp(["epsilon": Tensor(1.0)]), (kf, _) = try stored.jvp(["epsilon": Tensor(1.0)])
        #expect(maxRelativeDifference(jf["g"]!.scalars, kf["g"]!.scalars) <= 1e-7)
    }
}

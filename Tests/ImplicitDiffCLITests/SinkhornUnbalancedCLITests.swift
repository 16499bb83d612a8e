import Foundation
import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// Issue 14, item 3 through the CLI: `tau_a`, `tau_b` of the `sinkhorn` kind (unbalanced
// transport, ott-jax's convention), their validation, and the streamed path with them.

/// Case 1 of Benchmarks/sinkhorn/unbalanced_reference.py (ott-jax 0.6.0, float64): a 4 x 3
/// cost matrix, sum(a) = 1, sum(b) = 1.3, eps = 0.1, tau_a = 0.7, tau_b = 0.8.
private let case1 = #"{"problem": "sinkhorn", "data": {"C": [[0.30, 0.82, 0.11], [0.64, 0.05, 0.47], [0.93, 0.38, 0.72], [0.21, 0.56, 0.99]], "a": [0.2, 0.35, 0.15, 0.3], "b": [0.5, 0.4, 0.4], "epsilon": 0.1, "tau_a": 0.7, "tau_b": 0.8}, "options": {"tol": 1e-12}, "derivative": {"vjp": {"cost": 1}}}"#
private let case1F = [-0.11723991729718929, -0.021441723751531812, 0.14554009431005066, -0.0179597572604496]
private let case1G = [0.1145211693964142, -0.030894144262568615, 0.10066970750573277]
private let case1Cost = -0.06699917660553821
/// d cost / da through ott-jax's implicit differentiation: -rho_a expm1(-f / rho_a).
private let case1CostGradA = [-0.15231458894887903, -0.02245778007907241, 0.10828194180384511, -0.01866902215265634]

@Suite("CLI: sinkhorn tau_a, tau_b (issue 14)")
struct SinkhornUnbalancedCLITests {
    /// The potentials, the cost and its gradient in `a` agree with ott-jax (1e-6 relative;
    /// observed ~1e-15), and the unequal masses are accepted.
    @Test func unbalancedAgreesWithOTTJAX() {
        let (json, code) = run(case1)
        #expect(code == 0, "\(String(describing: json))")
        #expect(string(field(json, "status")) == "converged")
        #expect(maxRelativeDifference(numbers(field(json, "outputs", "f")), case1F) <= 1e-6)
        #expect(maxRelativeDifference(numbers(field(json, "outputs", "g")), case1G) <= 1e-6)
        #expect(maxRelativeDifference(numbers(field(json, "outputs", "cost")), [case1Cost]) <= 1e-6)
        #expect(maxRelativeDifference(numbers(field(json, "vjp", "a")), case1CostGradA) <= 1e-6)
    }

    /// `tau_a = tau_b = 1` written out is the balanced problem (the default).
    @Test func tauOneIsTheDefault() {
        let base = #"{"problem": "sinkhorn", "data": {"C": [[0.1, 0.7, 0.3], [0.5, 0.2, 0.9]], "epsilon": 0.1"#
        let (u, cu) = run(base + #"}, "derivative": {"vjp": {"f": [1, -1]}}}"#)
        let (e, ce) = run(base + #", "tau_a": 1, "tau_b": 1}, "derivative": {"vjp": {"f": [1, -1]}}}"#)
        #expect(cu == 0 && ce == 0)
        #expect(numbers(field(u, "outputs", "f")) == numbers(field(e, "outputs", "f")))
        #expect(numbers(field(u, "vjp", "C")) == numbers(field(e, "vjp", "C")))
    }

    /// Values outside (0, 1] and non-numbers: exit 2, `invalid_input`, naming the field.
    @Test(arguments: [(#""tau_a": 0"#, "tau_a"), (#""tau_a": 1.5"#, "tau_a"), (#""tau_b": -0.5"#, "tau_b"),
                      (#""tau_b": 1.0000001"#, "tau_b"), (#""tau_a": "half""#, "tau_a")])
    func badValuesAreInvalidInput(entry: String, name: String) {
        let doc = #"{"problem": "sinkhorn", "data": {"C": [[0.1, 0.7], [0.5, 0.2]], "epsilon": 0.1, "# + entry + "}}"
        let (json, code) = run(doc)
        #expect(code == 2)
        #expect(string(field(json, "error", "kind")) == "invalid_input")
        let message = string(field(json, "error", "message")) ?? ""
        #expect(message.contains(name), "\(message)")
    }

    /// Unequal masses stay an error for the balanced problem and are fine once relaxed.
    @Test func unequalMassesNeedARelaxedMarginal() {
        let base = #"{"problem": "sinkhorn", "data": {"C": [[0.1, 0.7], [0.5, 0.2]], "a": [0.5, 0.5], "b": [1, 1], "epsilon": 0.1"#
        let (json, code) = run(base + "}}")
        #expect(code == 2 && string(field(json, "error", "kind")) == "invalid_input")
        let (_, relaxed) = run(base + #", "tau_b": 0.5}}"#)
        #expect(relaxed == 0)
    }

    /// The streamed solution (what `--no-outputs` runs for large point clouds) with
    /// `tau < 1`, behind the CLI's interface: same answers as the stored one.
    @Test func streamedUnbalancedBehindTheCLI() throws {
        var g = SampleGenerator(seed: 5)
        let x = g.matrix(30, 2, in: 0...1), y = g.matrix(25, 2, in: 0...1)
        let problem = try SinkhornProblem(x: x, y: y, epsilon: 0.05, tauA: 0.8, tauB: 0.9)
        let options = SinkhornOptions(tolerance: 1e-12)
        let streamed = SolvedSinkhorn(streamed: try problem.solveStreaming(options: options), options: ImplicitOptions())
        let stored = SolvedSinkhorn(solution: try problem.solve(options: options), options: ImplicitOptions())
        let (gc, rc) = try streamed.vjp(["cost": Tensor(1.0)]), (hc, _) = try stored.vjp(["cost": Tensor(1.0)])
        #expect(rc.method == "none")
        for name in ["x", "y", "a", "b", "epsilon"] {
            #expect(maxRelativeDifference(gc[name]!.scalars, hc[name]!.scalars) <= 1e-9, "\(name)")
        }
        let fbar = Tensor(Vector((0..<30).map { Double($0 % 3) - 1 }))
        let (gf, rf) = try streamed.vjp(["f": fbar]), (hf, _) = try stored.vjp(["f": fbar])
        #expect(rf.method == "cg")
        for name in ["x", "a", "b"] {
            #expect(maxRelativeDifference(gf[name]!.scalars, hf[name]!.scalars) <= 1e-7, "\(name)")
        }
    }

    /// The schema lists the two fields as optional data.
    @Test func schemaListsTau() {
        let data = SinkhornKind.schema.data
        for name in ["tau_a", "tau_b"] {
            #expect(data.contains { $0.name == name && !$0.required }, "\(name)")
        }
    }
}

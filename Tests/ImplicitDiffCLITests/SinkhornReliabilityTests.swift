import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// Issue 13 through the CLI, for the `sinkhorn` kind: the exact documents of the reports.

private func number(_ json: JSON?) -> Double? {
    if case let .number(d)? = json { return d }
    return nil
}

private func rows(_ json: JSON?) -> [[Double]] {
    guard case let .array(r)? = json else { return [] }
    return r.map { row in row.numberArray ?? [] }
}

@Suite("CLI: sinkhorn reliability (issue 13)")
struct SinkhornReliabilityCLITests {
    /// The document that never returned. Now a prompt exit 3 (the route (1, 0) must stay
    /// empty, so the potentials are infinite), with or without a small max_iter.
    @Test(arguments: ["", #", "options": {"max_iter": 50}"#])
    func formerHangReturns(options: String) {
        let doc = #"{"problem":"sinkhorn","data":{"C":[[0,1e308],[1,0]],"a":[0.5,0.5],"b":[0.5,0.5],"epsilon":0.1}"#
            + options + "}"
        let (json, code) = run(doc)
        #expect(code == 3)
        #expect(string(field(json, "error", "kind")) == "infeasible")
    }

    /// Forbidden routes written as 1e15 and 1e308: the plan has mass 1, meets the
    /// marginals and is 0 on those routes; the VJP in C is 0 there; `stats.certificate`
    /// carries the figures of the check, each within the tolerance.
    @Test func forbiddenRoutesGiveTheRightPlanAndACertificate() {
        let doc = #"""
        {"problem": "sinkhorn",
         "data": {"C": [[0, 1e15, 2], [1, 0, 1e308], [1e16, 1, 0]], "a": [0.3, 0.3, 0.4], "b": [0.2, 0.4, 0.4], "epsilon": 0.1},
         "derivative": {"vjp": {"plan": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "cost": 1}}}
        """#
        let (json, code) = run(doc)
        #expect(code == 0, "\(String(describing: json))")
        #expect(string(field(json, "status")) == "converged")
        let plan = rows(field(json, "outputs", "plan"))
        #expect(plan.count == 3)
        guard plan.count == 3, plan.allSatisfy({ $0.count == 3 }) else { return }
        let a = [0.3, 0.3, 0.4], b = [0.2, 0.4, 0.4]
        for i in 0..<3 { #expect(abs(plan[i].reduce(0, +) - a[i]) <= 1e-10) }
        for j in 0..<3 { #expect(abs(plan.map { $0[j] }.reduce(0, +) - b[j]) <= 1e-10) }
        #expect(abs(plan.joined().reduce(0, +) - 1) <= 1e-10)
        #expect(plan[0][1] == 0 && plan[1][2] == 0 && plan[2][0] == 0)
        let cbar = rows(field(json, "vjp", "C"))
        #expect(cbar.count == 3 && cbar[0][1] == 0 && cbar[1][2] == 0 && cbar[2][0] == 0)
        #expect(cbar.joined().allSatisfy { $0.isFinite })
        for name in ["marginal_a", "marginal_b", "mass"] {
            let value = number(field(json, "stats", "certificate", name))
            #expect(value != nil && value! <= 1e-10, "\(name) = \(String(describing: value))")
        }
    }

    @Test func routesThatCannotCarryTheMarginalsAreInfeasible() {
        let doc = #"{"problem":"sinkhorn","data":{"C":[[1e308,1e308],[0,1]],"a":[0.5,0.5],"b":[0.5,0.5],"epsilon":0.1}}"#
        let (json, code) = run(doc)
        #expect(code == 3)
        #expect(string(field(json, "error", "kind")) == "infeasible")
        #expect(string(field(json, "error", "message"))?.contains("row 0") == true)
    }

    /// eps = 1e-12 against costs of order 1: "converged" at marginal error ~1e-5 before;
    /// now not_converged, and the message says why.
    @Test func toleranceIsHonoured() {
        let doc = #"""
        {"problem": "sinkhorn", "data": {"C": [[0.13, 0.84, 0.76, 0.26], [0.50, 0.45, 0.65, 0.79], [0.09, 0.03, 0.84, 0.43],
                                               [0.76, 0.00, 0.45, 0.72], [0.23, 0.95, 0.90, 0.03]],
          "a": [0.2, 0.2, 0.2, 0.2, 0.2], "b": [0.1, 0.2, 0.3, 0.4], "epsilon": 1e-12}}
        """#
        let (json, code) = run(doc)
        #expect(code == 3, "\(String(describing: json))")
        #expect(string(field(json, "error", "kind")) == "not_converged")
        #expect(string(field(json, "error", "message"))?.contains("double precision") == true)
    }

    /// 10 000 + 10 000 one-dimensional points (about 200 KB of JSON) would need
    /// 6 x 800 MB of n x m arrays: refused as invalid input before any is allocated.
    @Test func oversizedPointCloudsAreInvalidInput() {
        let n = 10_000
        let points = "[" + Array(repeating: "[0.5]", count: n).joined(separator: ",") + "]"
        let weights = "[" + Array(repeating: "0.0001", count: n).joined(separator: ",") + "]"
        let doc = #"{"problem": "sinkhorn", "data": {"x": "# + points + #", "y": "# + points + #", "a": "# + weights
            + #", "b": "# + weights + #", "epsilon": 0.1}}"#
        let (json, code) = run(doc)
        #expect(code == 2)
        #expect(string(field(json, "error", "kind")) == "invalid_input")
        let message = string(field(json, "error", "message")) ?? ""
        #expect(message.contains("n = 10000") && message.contains("m = 10000") && message.contains("bytes"), "\(message)")
    }
}

import Foundation
import Testing
@testable import ImplicitDiffCLI

// The `qp` kind end to end through CLIRunner (in-process): outputs, derivative modes,
// exit codes of the contract and the weakly-active convention.

/// Runs a problem document; returns the parsed output object and the exit code.
func runQP(_ document: String) throws -> (JSONObject, Int32) {
    let (out, code) = CLIRunner().run(document)
    guard case let .object(o) = try JSON.parse(out) else {
        Issue.record("output is not an object: \(out)")
        return (JSONObject([:]), code)
    }
    return (o, code)
}

func errorKind(_ o: JSONObject) -> String? {
    guard case let .object(e)? = o["error"], case let .string(k)? = e["kind"] else { return nil }
    return k
}

func errorMessage(_ o: JSONObject) -> String {
    guard case let .object(e)? = o["error"], case let .string(m)? = e["message"] else { return "" }
    return m
}

@Suite("CLI kind qp")
struct QPKindTests {
    // min 1/2||z||^2 - z2 s.t. z1 <= h1, z2 <= 2: weakly active at h1 = 0.
    func weak(_ h1: Double, derivative: String = "", options: String = "") -> String {
        """
        {"problem": "qp", "data": {"Q": [[1, 0], [0, 1]], "q": [0, -1], "G": [[1, 0], [0, 1]], "h": [\(h1), 2]}\(derivative)\(options)}
        """
    }

    @Test("outputs without constraints: lambda and mu are empty arrays")
    func unconstrained() throws {
        let (o, code) = try runQP(#"{"problem": "qp", "data": {"Q": [[2, 0], [0, 4]], "q": [-2, -4]}, "derivative": {"vjp": {"z": [1, 0]}}}"#)
        #expect(code == 0)
        guard case let .object(out)? = o["outputs"], case let .object(vjp)? = o["vjp"] else {
            Issue.record("missing outputs or vjp"); return
        }
        #expect(numbers(out["z"]) == [1, 1])
        #expect(out["lambda"] == JSON.array([]) && out["mu"] == JSON.array([]))
        #expect(numbers(out["value"]) == [-3])
        // dz1/dq = -Q^-1 e1 = (-0.5, 0).
        #expect(numbers(vjp["q"]) == [-0.5, 0])
        #expect(vjp["A"] == JSON.array([]) && vjp["G"] == JSON.array([]))
    }

    @Test("weakly active constraint: forward succeeds, a derivative is exit 4 naming it, unless a convention is chosen")
    func weaklyActive() throws {
        let (f, fc) = try runQP(weak(0))
        #expect(fc == 0 && f["outputs"] != nil)
        let (d, dc) = try runQP(weak(0, derivative: #", "derivative": {"jvp": {"h": [1, 0]}}"#))
        #expect(dc == 4 && errorKind(d) == "not_differentiable")
        #expect(errorMessage(d).contains("inequality 0"))
        let (i, ic) = try runQP(weak(0, derivative: #", "derivative": {"jvp": {"h": [1, 0]}}"#, options: #", "options": {"weakly_active": "inactive"}"#))
        #expect(ic == 0)
        if case let .object(j)? = i["jvp"] { #expect(numbers(j["z"]) == [0, 0]) } else { Issue.record("no jvp") }
        let (a, ac) = try runQP(weak(0, derivative: #", "derivative": {"jvp": {"h": [1, 0]}}"#, options: #", "options": {"weakly_active": "active"}"#))
        #expect(ac == 0)
        if case let .object(j)? = a["jvp"] { #expect(numbers(j["z"]) == [1, 0]) } else { Issue.record("no jvp") }
        let (_, bad) = try runQP(weak(0, options: #", "options": {"weakly_active": "sometimes"}"#))
        #expect(bad == 2)
    }

    @Test("error exits: infeasible 3, unbounded 3, max_iter 3, non-convex 2, non-symmetric 2, shapes 2")
    func errors() throws {
        let cases: [(String, Int32, String)] = [
            (#"{"problem": "qp", "data": {"Q": [[1, 0], [0, 1]], "q": [1, 1], "G": [[1, 0], [-1, 0]], "h": [0, -1]}}"#, 3, "infeasible"),
            (#"{"problem": "qp", "data": {"Q": [[0, 0], [0, 0]], "q": [-1, 0], "G": [[-1, 0], [0, -1]], "h": [0, 0]}}"#, 3, "unbounded"),
            (#"{"problem": "qp", "data": {"Q": [[1, 0], [0, 1]], "q": [1, 1], "G": [[1, 1], [1, -1], [-1, 3]], "h": [-1, 0.5, 2]}, "options": {"max_iter": 1}}"#, 3, "not_converged"),
            (#"{"problem": "qp", "data": {"Q": [[1, 0], [0, -1]], "q": [0, 0], "G": [[1, 0], [0, 1], [-1, 0], [0, -1]], "h": [1, 1, 1, 1]}}"#, 2, "invalid_input"),
            (#"{"problem": "qp", "data": {"Q": [[2, 1], [0, 2]], "q": [1, -1]}}"#, 2, "invalid_input"),
            (#"{"problem": "qp", "data": {"Q": [[1, 0], [0, 1]], "q": [1, 1], "A": [[1, 1, 1]], "b": [1]}}"#, 2, "invalid_input"),
            (#"{"problem": "qp", "data": {"Q": [[1, 0], [0, 1]], "q": [1, 1], "G": [[1, 1]]}}"#, 2, "invalid_input"),
        ]
        for (doc, code, kind) in cases {
            let (o, c) = try runQP(doc)
            #expect(c == code && errorKind(o) == kind, "\(doc): exit \(c), \(o)")
        }
    }

    @Test("Jacobian with respect to Q: n x n^2, rows equal symmetric vjp gradients")
    func jacobianQ() throws {
        let data = #""data": {"Q": [[3, 1, 0], [1, 2, 0.5], [0, 0.5, 1]], "q": [1, -2, 0.5], "A": [[1, 1, 1]], "b": [1], "G": [[1, 0, 0], [0, -1, 0]], "h": [-0.5, 0]}"#
        let (j, jc) = try runQP(#"{"problem": "qp", "# + data + #", "derivative": {"jacobian": {"of": "z", "wrt": "Q"}}}"#)
        #expect(jc == 0)
        guard case let .array(rows)? = j["jacobian"] else { Issue.record("no jacobian: \(j)"); return }
        #expect(rows.count == 3 && numbers(rows[0]).count == 9)
        for r in 0..<3 {
            var cot = [0.0, 0, 0]
            cot[r] = 1
            let (v, _) = try runQP(#"{"problem": "qp", "# + data + ", \"derivative\": {\"vjp\": {\"z\": \(cot)}}}")
            guard case let .object(vjp)? = v["vjp"] else { Issue.record("no vjp"); return }
            let g = numbers(vjp["Q"]), row = numbers(rows[r])
            #expect(zip(g, row).allSatisfy { abs($0 - $1) <= 1e-12 * (1 + abs($0)) }, "row \(r): \(row) vs \(g)")
            // Symmetric gradient.
            #expect(abs(g[1] - g[3]) <= 1e-14 && abs(g[2] - g[6]) <= 1e-14 && abs(g[5] - g[7]) <= 1e-14)
        }
    }

}

import Foundation
import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// The lp kind with coordinate-form A / G and with `wrt` (spec: "Sparse matrices",
// "Choosing the parameters: wrt"). References: the same LP given as dense rows (the dense
// path, an independent solver path: dense LU of the active constraints), and closed forms.

@Suite("CLI lp: coordinate-form input and wrt")
struct LPSparseAndWrtTests {
    // min -x - 2y + 0.5w  s.t.  x + y + w = 3,  x <= 2,  y <= 1.5,  -x <= 0, -y <= 0, -w <= 0:
    // a non-degenerate vertex z = (1.5, 1.5, 0) with the equality and y <= 1.5, -w <= 0 active.
    static let c = "[-1, -2, 0.5]"
    static let denseData = #"{"c": [-1, -2, 0.5], "A": [[1, 1, 1]], "b": [3], "G": [[1, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0], [0, 0, -1]], "h": [2, 1.5, 0, 0, 0]}"#
    // The same G in coordinates, in scrambled order with duplicates: (0,0) = 0.25 + 0.75,
    // (4,2) = -2 + 1, and an explicit zero at (1,2).
    static let sparseG = #"{"shape": [5, 3], "rows": [4, 0, 1, 2, 0, 3, 4, 1], "cols": [2, 0, 1, 0, 0, 1, 2, 2], "values": [-2, 0.25, 1, -1, 0.75, -1, 1, 0]}"#
    static var sparseData: String {
        #"{"c": [-1, -2, 0.5], "A": {"shape": [1, 3], "rows": [0, 0, 0], "cols": [2, 1, 0], "values": [1, 1, 1]}, "b": [3], "G": "#
            + sparseG + #", "h": [2, 1.5, 0, 0, 0]}"#
    }

    static func document(_ data: String, _ derivative: String) -> String {
        #"{"problem": "lp", "data": "# + data + #", "derivative": "# + derivative + "}"
    }

    @Test("coordinate-form A and G (duplicates, explicit zero) give the dense answer and gradients on the input's pattern")
    func sparseInputMatchesDense() throws {
        let vjp = #"{"vjp": {"z": [1, -1, 0.5], "mu": [0, 2, 0, 0, 1], "lambda": [0.3], "value": 0.7}}"#
        let dense = run(Self.document(Self.denseData, vjp)), sparse = run(Self.document(Self.sparseData, vjp))
        #expect(dense.code == 0 && sparse.code == 0)
        for output in ["z", "lambda", "mu", "value"] {
            let a = numbers(field(dense.json, "outputs", output)), b = numbers(field(sparse.json, "outputs", output))
            #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * (1 + abs($0)) }, "\(output): \(a) vs \(b)")
        }
        for name in ["c", "b", "h"] {
            let a = numbers(field(dense.json, "vjp", name)), b = numbers(field(sparse.json, "vjp", name))
            #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-10 * (1 + abs($0)) }, "\(name): \(a) vs \(b)")
        }
        // G's gradient: coordinate form on the input's layout; entry k is dL/dG[rows[k], cols[k]].
        let gDense = numbers(field(dense.json, "vjp", "G"))
        let rows = numbers(field(sparse.json, "vjp", "G", "rows")).map { Int($0) }
        let cols = numbers(field(sparse.json, "vjp", "G", "cols")).map { Int($0) }
        let values = numbers(field(sparse.json, "vjp", "G", "values"))
        #expect(rows == [4, 0, 1, 2, 0, 3, 4, 1] && cols == [2, 0, 1, 0, 0, 1, 2, 2])
        #expect(numbers(field(sparse.json, "vjp", "G", "shape")) == [5, 3])
        for k in values.indices {
            let expected = gDense[rows[k] * 3 + cols[k]]
            #expect(abs(values[k] - expected) <= 1e-10 * (1 + abs(expected)), "G entry \(k): \(values[k]) vs \(expected)")
        }
        let aDense = numbers(field(dense.json, "vjp", "A")), aSparse = numbers(field(sparse.json, "vjp", "A", "values"))
        #expect(zip(aSparse, [aDense[2], aDense[1], aDense[0]]).allSatisfy { abs($0 - $1) <= 1e-10 * (1 + abs($1)) })
    }

    @Test("a jvp tangent {values} on the coordinates sums like the values and matches the dense tangent")
    func sparseTangent() throws {
        // Tangent per coordinate entry; summed into the matrix: dG(0,0) = 0.1 + 0.2, dG(4,2) = 0.4 - 0.1, dG(1,2) = 0.5.
        let t = #"{"jvp": {"G": {"values": [0.4, 0.1, 0.3, 0, 0.2, 0, -0.1, 0.5]}, "h": [0, 1, 0, 0, 0]}}"#
        let tDense = #"{"jvp": {"G": [[0.3, 0, 0], [0, 0.3, 0.5], [0, 0, 0], [0, 0, 0], [0, 0, 0.3]], "h": [0, 1, 0, 0, 0]}}"#
        let sparse = run(Self.document(Self.sparseData, t)), dense = run(Self.document(Self.denseData, tDense))
        #expect(sparse.code == 0 && dense.code == 0)
        for output in ["z", "lambda", "mu", "value"] {
            let a = numbers(field(dense.json, "jvp", output)), b = numbers(field(sparse.json, "jvp", output))
            #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-10 * (1 + abs($0)) }, "\(output): \(a) vs \(b)")
        }
    }

    // min -x - y  s.t.  x <= 1, y <= 1, x + y <= 2: the vertex (1, 1) has three active
    // rows in two dimensions (primal degenerate) and is the unique optimum.
    static let degenerate = #"{"c": [-1, -1], "G": [[1, 0], [0, 1], [1, 1]], "h": [1, 1, 2]}"#
    static let degenerateSparse = #"{"c": [-1, -1], "G": {"shape": [3, 2], "rows": [0, 1, 2, 2], "cols": [0, 1, 0, 1], "values": [1, 1, 1, 1]}, "h": [1, 1, 2]}"#

    @Test("primal-degenerate vertex: d value/d c = z is returned with wrt c; asking for h is exit 4 naming h and lp_smoothing",
          arguments: [degenerate, degenerateSparse])
    func wrtAtAPrimalDegenerateVertex(data: String) throws {
        let ok = run(Self.document(data, #"{"vjp": {"value": 1}, "wrt": ["c"]}"#))
        #expect(ok.code == 0)
        #expect(numbers(field(ok.json, "vjp", "c")) == [1, 1])
        guard case let .object(g)? = field(ok.json, "vjp") else { Issue.record("no vjp"); return }
        #expect(g.keys == ["c"])
        for request in [#"{"vjp": {"value": 1}, "wrt": ["c", "h"]}"#, #"{"vjp": {"value": 1}}"#] {
            let refused = run(Self.document(data, request))
            #expect(refused.code == 4 && errorKind(refused.json) == "not_differentiable")
            guard case let .string(message)? = field(refused.json, "error", "message") else { Issue.record("no message"); continue }
            #expect(message.contains("h") && message.contains("lp_smoothing") && message.contains("differentiable with respect to c"),
                    "\(message)")
        }
        // jvp along c only: dz = 0, d value = z'dc.
        let jvp = run(Self.document(data, #"{"jvp": {"c": [1, 2]}, "wrt": ["c"]}"#))
        if jvp.code == 0 {
            #expect(numbers(field(jvp.json, "jvp", "value")) == [3] && numbers(field(jvp.json, "jvp", "z")) == [0, 0])
        } else {
            // The multipliers' derivative w.r.t. c needs a primal non-degenerate vertex.
            #expect(jvp.code == 4)
        }
        // With smoothing every request is answered.
        let smoothed = run(#"{"problem": "lp", "data": "# + data + #", "derivative": {"vjp": {"value": 1, "z": [1, 0]}}, "options": {"lp_smoothing": 0.01}}"#)
        #expect(smoothed.code == 0)
    }

    @Test("coordinate-form input errors are invalid_input, never a crash", arguments: [
        #"{"c": [1], "G": {"shape": [1, 2], "rows": [0], "cols": [0], "values": [1]}, "h": [1]}"#,
        #"{"c": [1, 1], "G": {"shape": [1, 2], "rows": [0], "cols": [5], "values": [1]}, "h": [1]}"#,
        #"{"c": [1, 1], "G": {"shape": [1, 2], "rows": [0], "cols": [0], "values": [1e300]}, "h": [1]}"#,
        #"{"c": [1, 1], "G": {"shape": [2, 2], "rows": [0], "cols": [0], "values": [1]}, "h": [1]}"#,
    ])
    func badSparseInput(data: String) {
        let r = run(#"{"problem": "lp", "data": "# + data + "}")
        #expect(r.code == 2 && errorKind(r.json) == "invalid_input", "\(String(describing: r.json))")
    }
}

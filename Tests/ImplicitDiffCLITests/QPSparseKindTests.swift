import Foundation
import Testing
@testable import ImplicitDiffCLI

// The `qp` kind's sparse path (coordinate-form Q, A, G; the fields l, lb, ub) end to end
// through CLIRunner: the same answers and derivatives as the dense path on the same
// problem, gradients on the input's pattern, tangents on it, and exit 4 at a kink.

@Suite("CLI kind qp, sparse path")
struct QPSparseKindTests {
    // min 1/2 z'Qz + q'z, Q = [[2, 1, 0], [1, 2, 0], [0, 0, 1]], one equality, two inequalities.
    static let dense = #""Q": [[2, 1, 0], [1, 2, 0], [0, 0, 1]], "q": [-1, -2, 1], "A": [[1, 1, 1]], "b": [1], "G": [[1, 0, 0], [0, 0, -1]], "h": [0.2, 0.1]"#
    // The same data in coordinate form (entries in a scrambled order, one duplicate split in two).
    static let sparse = #""Q": {"shape": [3, 3], "rows": [2, 0, 1, 0, 1, 0], "cols": [2, 0, 0, 1, 1, 0], "values": [1, 1, 1, 1, 2, 1]}, "q": [-1, -2, 1], "A": {"shape": [1, 3], "rows": [0, 0, 0], "cols": [2, 0, 1], "values": [1, 1, 1]}, "b": [1], "G": {"shape": [2, 3], "rows": [1, 0], "cols": [2, 0], "values": [-1, 1]}, "h": [0.2, 0.1]"#

    func document(_ data: String, _ derivative: String) -> String {
        #"{"problem": "qp", "data": {"# + data + #"}, "derivative": "# + derivative + "}"
    }

    /// The entries of a coordinate-form gradient as ((row, column), value) pairs; a
    /// duplicated coordinate carries the gradient of its entry each time (d A_ij / d v_k = 1).
    func entries(_ j: JSON?) -> [([Int], Double)] {
        guard case let .object(o)? = j else { return [] }
        let r = numbers(o["rows"]), c = numbers(o["cols"]), v = numbers(o["values"])
        return r.indices.map { ([Int(r[$0]), Int(c[$0])], v[$0]) }
    }

    @Test("the sparse path reproduces the dense path's z, multipliers and VJP (on the pattern)")
    func sameAsDense() throws {
        let vjp = #"{"vjp": {"z": [1, -1, 0.5], "value": 0.3}}"#
        let (d, dc) = try runQP(document(Self.dense, vjp))
        let (s, sc) = try runQP(document(Self.sparse, vjp))
        #expect(dc == 0 && sc == 0)
        guard case let .object(dout)? = d["outputs"], case let .object(sout)? = s["outputs"],
              case let .object(dv)? = d["vjp"], case let .object(sv)? = s["vjp"] else {
            Issue.record("missing outputs or vjp"); return
        }
        // Both solvers are certified to 1e-10 relative and polish to rounding; 1e-9 absolute
        // on unit-scale data leaves a margin and catches any wrong sign or index.
        func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 } }
        for k in ["z", "lambda", "mu", "value"] { #expect(close(numbers(dout[k]), numbers(sout[k])), "\(k)") }
        for k in ["q", "b", "h"] { #expect(close(numbers(dv[k]), numbers(sv[k])), "\(k)") }
        // Matrix gradients: the sparse one lives on the input's pattern and equals the dense
        // gradient there (Q: the symmetric gradient).
        for (key, columns) in [("Q", 3), ("A", 3), ("G", 3)] {
            let dense = numbers(dv[key])
            for (ij, value) in entries(sv[key]) {
                #expect(abs(value - dense[ij[0] * columns + ij[1]]) < 1e-9, "\(key)\(ij)")
            }
        }
        // The output keeps the input's coordinates (6 entries of Q, duplicates included).
        guard case let .object(q)? = sv["Q"] else { Issue.record("Q gradient not in coordinate form"); return }
        #expect(numbers(q["rows"]) == [2, 0, 1, 0, 1, 0])
    }

    @Test("a JVP with a tangent on the pattern equals the dense JVP with the same tangent")
    func jvpOnPattern() throws {
        let (d, _) = try runQP(document(Self.dense, #"{"jvp": {"Q": [[0.5, 0, 0], [0, 0, 0], [0, 0, 0]], "G": [[0, 0, 0], [0, 0, 2]], "h": [1, -1]}}"#))
        // Q's (0,0) entry is given twice (coordinates 1 and 5): 0.25 on each is 0.5 on the entry.
        let (s, sc) = try runQP(document(Self.sparse, #"{"jvp": {"Q": {"values": [0, 0.25, 0, 0, 0, 0.25]}, "G": {"values": [2, 0]}, "h": [1, -1]}}"#))
        #expect(sc == 0, "\(errorMessage(s))")
        guard case let .object(dj)? = d["jvp"], case let .object(sj)? = s["jvp"] else { Issue.record("missing jvp"); return }
        for k in ["z", "lambda", "mu", "value"] {
            let a = numbers(dj[k]), b = numbers(sj[k])
            #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 }, "\(k): \(a) vs \(b)")
        }
    }

    @Test("bounds and two-sided rows (the Maros-Meszaros fields): w is output, 1e20 means no bound")
    func boundsAndRanges() throws {
        // min 1/2 ||z||^2 - 2 z0 - z1, 0 <= z0 + z1 <= 1, -1e20 <= z0 <= 0.5, z1 >= 0.
        let data = #""Q": {"shape": [2, 2], "rows": [0, 1], "cols": [0, 1], "values": [1, 1]}, "q": [-2, -1], "G": {"shape": [1, 2], "rows": [0, 0], "cols": [0, 1], "values": [1, 1]}, "h": [1], "l": [0], "lb": [-1e20, 0], "ub": [0.5, 1e20]"#
        let (o, code) = try runQP(document(data, #"{"vjp": {"z": [0, 1]}}"#))
        #expect(code == 0, "\(errorMessage(o))")
        guard case let .object(out)? = o["outputs"], case let .object(g)? = o["vjp"] else { Issue.record("missing"); return }
        // z0 = 0.5 (at ub), z1 = 0.5 (row at u = 1): mu = 0.5 (1 - z1 - ... ), w0 = 2 - 0.5 - 0.5 = 1.
        let z = numbers(out["z"]), mu = numbers(out["mu"]), w = numbers(out["w"])
        #expect(abs(z[0] - 0.5) < 1e-12 && abs(z[1] - 0.5) < 1e-12)
        #expect(abs(mu[0] - 0.5) < 1e-12 && abs(w[0] - 1) < 1e-12 && abs(w[1]) < 1e-12)
        // z1 = h - ub0: dz1/dh = 1, dz1/dub0 = -1; the rest 0.
        #expect(abs(numbers(g["h"])[0] - 1) < 1e-12 && abs(numbers(g["ub"])[0] + 1) < 1e-12)
        #expect(numbers(g["q"]).allSatisfy { abs($0) < 1e-12 } && numbers(g["l"]).allSatisfy { abs($0) < 1e-12 })
    }

    @Test("a weakly active bound is exit 4 naming it")
    func weaklyActiveBound() throws {
        let data = #""Q": {"shape": [2, 2], "rows": [0, 1], "cols": [0, 1], "values": [1, 1]}, "q": [0, -1], "lb": [0, -1e20], "ub": [1e20, 1e20]"#
        let (o, code) = try runQP(document(data, #"{"vjp": {"z": [1, 0]}}"#))
        #expect(code == 4 && errorKind(o) == "not_differentiable")
        #expect(errorMessage(o).contains("variable 0"), "\(errorMessage(o))")
    }
}

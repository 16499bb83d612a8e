import Foundation
import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// `lasso` and `ridge` with X in coordinate form (duplicates summed, explicit zeros kept)
// against the same problem with X as rows: the outputs agree, the X gradient comes back
// on the input's coordinate entries (entry k at (i, j) carries dL/dX_ij of the dense run,
// duplicates alike, explicit zeros too), and a jvp tangent {values} equals the dense
// tangent that sums them. The lasso is solved exactly (active set) both ways: 1e-10
// relative; the sparse ridge by CG (solve 1e-12, derivative linear_tol 1e-13) against
// Cholesky: 1e-9 relative.
@Suite("CLI: lasso and ridge with a coordinate-form X")
struct SparseRegressionKindTests {
    /// A 12 x 5 design with zeros, its coordinate form (entries in scrambled order, one
    /// entry split into two duplicates, one explicit zero), and a lasso `y` for which
    /// `w* = (0, 1.2, 0, -0.8, 0)` solves the lasso at `lambda = 0.5` with margin >= 0.2.
    static func data() throws -> (dense: Matrix, coordinates: String, entries: [(Int, Int)], y: Vector) {
        var g = SplitMix(seed: 21)
        let n = 12, d = 5
        var x = Matrix(rows: n, columns: d)
        for i in 0..<n { for j in 0..<d where g.unit() < 0.6 { x[i, j] = 2 * g.unit() - 1 } }
        for j in 0..<d { x[j, j] = 1 + g.unit() }   // every column non-zero, full column rank
        x[7, 1] = 0                                  // the explicit zero's position (a support column)
        var entries = [(Int, Int)](), values = [Double]()
        for i in 0..<n { for j in 0..<d where x[i, j] != 0 { entries.append((i, j)); values.append(x[i, j]) } }
        // One entry split into duplicates, one explicit zero, then a fixed scramble.
        entries.append(entries[0]); values[0] *= 0.25; values.append(x[entries[0].0, entries[0].1] * 0.75)
        entries.append((7, 1)); values.append(0)
        let order = entries.indices.sorted { ($0 * 7919) % entries.count < ($1 * 7919) % entries.count }
        let rows = order.map { entries[$0].0 }, cols = order.map { entries[$0].1 }
        let coordinates = "{\"shape\": [\(n), \(d)], \"rows\": \(rows), \"cols\": \(cols), \"values\": \(order.map { values[$0] })}"
        // y = X w* + lambda X (X'X)^-1 s with s = sign(w*) on the support, |s_j| <= 0.8 off it.
        let w: Vector = [0, 1.2, 0, -0.8, 0], s: Vector = [0.3, 1, -0.5, -1, 0.8]
        let gram = try CholeskyFactorization(Matrix.product(x, transposed: true, x, transposed: false))
        return (x, coordinates, order.map { entries[$0] }, x * w + 0.5 * (x * gram.solve(s)))
    }

    /// A tiny deterministic generator (the CLI tests do not link the shared one).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func unit() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    static func rows(_ x: Matrix) -> String {
        "[" + (0..<x.rows).map { i in "\((0..<x.columns).map { x[i, $0] })" }.joined(separator: ", ") + "]"
    }

    static func close(_ a: [Double], _ b: [Double], _ rtol: Double) -> Bool { maxRelativeDifference(a, b) <= rtol }

    @Test("sparse X = dense X: outputs, vjp on the input's entries, jvp with {values}",
          arguments: [("lasso", 1e-10), ("ridge", 1e-9)])
    func sparseMatchesDense(kind: String, rtol: Double) throws {
        let (x, coordinates, entries, y) = try Self.data()
        let options = #""options": {"linear_tol": 1e-13}"#
        let wbar = "[1, -2, 0.5, 0.25, -1]"
        func document(_ xText: String, _ derivative: String) -> String {
            #"{"problem": "\#(kind)", "data": {"X": \#(xText), "y": \#(y.scalars), "lambda": 0.5}, \#(options), "derivative": \#(derivative)}"#
        }
        let vjp = #"{"vjp": {"w": \#(wbar), "value": 0.3}}"#
        let dense = run(document(Self.rows(x), vjp)), sparse = run(document(coordinates, vjp))
        #expect(dense.code == 0 && sparse.code == 0, "\(String(describing: sparse.json))")
        for output in ["w", "value"] {
            #expect(Self.close(numbers(field(sparse.json, "outputs", output)), numbers(field(dense.json, "outputs", output)), rtol),
                    "\(output)")
        }
        for name in ["y", "lambda"] {
            #expect(Self.close(numbers(field(sparse.json, "vjp", name)), numbers(field(dense.json, "vjp", name)), rtol), "\(name)")
        }
        // X's gradient: the coordinate form of the input, entry k = dense gradient at (i, j).
        #expect(numbers(field(sparse.json, "vjp", "X", "rows")) == entries.map { Double($0.0) })
        #expect(numbers(field(sparse.json, "vjp", "X", "cols")) == entries.map { Double($0.1) })
        #expect(numbers(field(sparse.json, "vjp", "X", "shape")) == [12, 5])
        let denseX = numbers(field(dense.json, "vjp", "X"))
        let expected = entries.map { denseX[$0.0 * 5 + $0.1] }
        #expect(Self.close(numbers(field(sparse.json, "vjp", "X", "values")), expected, rtol))
        #expect(expected[entries.firstIndex { $0 == (7, 1) }!] != 0, "the explicit zero has a non-zero gradient")

        // jvp: one value per coordinate entry; the dense tangent sums them.
        let t = entries.indices.map { Double(($0 * 37) % 11) / 11 - 0.5 }
        var dt = Matrix(rows: 12, columns: 5)
        for (k, (i, j)) in entries.enumerated() { dt[i, j] += t[k] }
        let sparseJVP = run(document(coordinates, #"{"jvp": {"X": {"values": \#(t)}, "y": \#(Array(repeating: 0.1, count: 12))}}"#))
        let denseJVP = run(document(Self.rows(x), #"{"jvp": {"X": \#(Self.rows(dt)), "y": \#(Array(repeating: 0.1, count: 12))}}"#))
        #expect(sparseJVP.code == 0 && denseJVP.code == 0, "\(String(describing: sparseJVP.json))")
        for output in ["w", "value"] {
            #expect(Self.close(numbers(field(sparseJVP.json, "jvp", output)), numbers(field(denseJVP.json, "jvp", output)), rtol),
                    "jvp \(output)")
        }
        // A dense tangent for a coordinate-form X is refused.
        let wrong = run(document(coordinates, #"{"jvp": {"X": \#(Self.rows(dt))}}"#))
        #expect(wrong.code == 2)
    }

    @Test("a coordinate X with an index outside its shape is invalid input", arguments: ["lasso", "ridge"])
    func badCoordinates(kind: String) {
        let (json, code) = run(#"{"problem": "\#(kind)", "data": {"X": {"shape": [3, 2], "rows": [3], "cols": [0], "values": [1]}, "y": [1, 0, 2], "lambda": 0.5}}"#)
        #expect(code == 2)
        guard case let .string(message)? = field(json, "error", "message") else { Issue.record("no message"); return }
        #expect(message.contains("outside the shape"), "\(message)")
    }
}

import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// The contract's "Sparse matrices" and "wrt" foundations, kind-independent: coordinate
// fields parsed and checked, gradients emitted on the input's pattern, tangents read on
// it, and `wrt` restricting a vjp to the parameters asked.

@Suite("CLI: coordinate-form matrices and wrt")
struct SparseInputAndWrtTests {
    static func coordinate(_ text: String) throws -> CoordinateMatrix {
        guard case let .object(o) = try JSON.parse(text) else { throw CLIError.invalidInput("not an object") }
        return try CoordinateMatrix(o, key: "A")
    }

    @Test("duplicates are summed, explicit zeros kept, the layout is the input's coordinates")
    func parseCoordinates() throws {
        let c = try Self.coordinate(#"{"shape": [2, 3], "rows": [1, 0, 1, 0], "cols": [2, 0, 2, 1], "values": [1.5, 2, 0.25, 0]}"#)
        #expect(c.matrix.dense == Matrix(rowArrays: [[2, 0, 0], [0, 0, 1.75]])!)
        #expect(c.matrix.nonZeroCount == 3)  // (1,2) twice merged, explicit zero at (0,1) kept
        // A gradient in storage order comes back per coordinate entry, duplicates alike.
        let g = Tensor(layout: c.layout, stored: [10, 20, 30])  // storage: (0,0), (0,1), (1,2)
        #expect(g.scalars == [30, 10, 30, 20])
        #expect(g.json == (try JSON.parse(#"{"shape": [2, 3], "rows": [1, 0, 1, 0], "cols": [2, 0, 2, 1], "values": [30, 10, 30, 20]}"#)))
        // A tangent per coordinate entry sums into storage the way the values do.
        #expect(Tensor(layout: c.layout, values: [1, 2, 3, 4]).storedValues == [2, 4, 4])
    }

    @Test(arguments: [
        (#"{"shape": [2, 2], "rows": [2], "cols": [0], "values": [1]}"#, "outside the shape"),
        (#"{"shape": [2, 2], "rows": [-1], "cols": [0], "values": [1]}"#, "non-negative integer"),
        (#"{"shape": [2, 2], "rows": [0.5], "cols": [0], "values": [1]}"#, "non-negative integer"),
        (#"{"shape": [2, 2], "rows": [0, 1], "cols": [0], "values": [1]}"#, "equal length"),
        (#"{"shape": [2], "rows": [0], "cols": [0], "values": [1]}"#, "[rows, columns]"),
        (#"{"shape": [2, 2], "rows": [0], "cols": [0]}"#, "missing 'values'"),
        (#"{"shape": [2, 2], "rows": [0], "cols": [0], "values": [1], "nnz": 1}"#, "unknown field"),
    ])
    func badCoordinatesAreInvalidInput(text: String, expected: String) {
        do {
            _ = try Self.coordinate(text)
            Issue.record("accepted \(text)")
        } catch let CLIError.invalidInput(message) {
            #expect(message.contains(expected), "\(message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("wrt restricts a vjp to the parameters named, with the same values as the full vjp")
    func wrtRestrictsVJP() throws {
        let full = run(#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"vjp": {"w": [1, -2]}}}"#)
        let some = run(#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"vjp": {"w": [1, -2]}, "wrt": ["y"]}}"#)
        #expect(full.code == 0 && some.code == 0)
        guard case let .object(g)? = field(some.json, "vjp") else { Issue.record("no vjp"); return }
        #expect(g.keys == ["y"])
        #expect(numbers(field(some.json, "vjp", "y")) == numbers(field(full.json, "vjp", "y")))
        #expect(!numbers(field(full.json, "vjp", "X")).isEmpty)
    }

    @Test(arguments: [
        (#""derivative": {"vjp": {"w": [1, 2]}, "wrt": ["Q"]}"#, "unknown parameter 'Q' in wrt"),
        (#""derivative": {"vjp": {"w": [1, 2]}, "wrt": []}"#, "at least one"),
        (#""derivative": {"vjp": {"w": [1, 2]}, "wrt": ["y", "y"]}"#, "twice"),
        (#""derivative": {"vjp": {"w": [1, 2]}, "wrt": "y"}"#, "array"),
        (#""derivative": {"jvp": {"X": [[1, 0], [0, 0], [0, 0]]}, "wrt": ["y"]}"#, "not in 'wrt'"),
        (#""derivative": {"jacobian": {"of": "w", "wrt": "y"}, "wrt": ["y"]}"#, "goes with vjp or jvp"),
        (#""data": {"X": {"shape": [3, 2], "rows": [0], "cols": [0], "values": [1]}, "y": [1, 0, 2], "lambda": 0.5}, "derivative": {"jvp": {"X": [[1, 0], [0, 0], [0, 0]]}}"#, "coordinate form"),
    ])
    func badWrtIsInvalidInput(part: String, expected: String) {
        let text = part.hasPrefix(#""data""#) ? #"{"problem": "ridge", "# + part + "}"
            : #"{"problem": "ridge", "# + ridgeData + ", " + part + "}"
        let (json, code) = run(text)
        #expect(code == 2)
        guard case let .string(message)? = field(json, "error", "message") else { Issue.record("no message"); return }
        #expect(message.contains(expected), "\(message)")
    }

    @Test("a tangent on a coordinate-form parameter is {values} per coordinate entry")
    func sparseTangent() throws {
        let layout = SparseLayout(rows: 2, columns: 2, rowIndices: [0, 1, 0], columnIndices: [0, 1, 0])
        let t = try DerivativeRequest.sparseTangent(try JSON.parse(#"{"values": [1, 2, 3]}"#), name: "A", layout: layout)
        #expect(t.sparseMatrix?.dense == Matrix(rowArrays: [[4, 0], [0, 2]])!)
        #expect(throws: CLIError.self) {
            try DerivativeRequest.sparseTangent(try JSON.parse(#"{"values": [1, 2]}"#), name: "A", layout: layout)
        }
        #expect(throws: CLIError.self) {
            try DerivativeRequest.sparseTangent(try JSON.parse(#"[[1, 0], [0, 1]]"#), name: "A", layout: layout)
        }
    }
}

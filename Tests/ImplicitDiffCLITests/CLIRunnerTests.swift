import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

let ridgeData = #""data": {"X": [[1, 2], [3, 4], [5, 7]], "y": [1, 0, 2], "lambda": 0.5}"#

@Suite("CLI: errors of the contract")
struct CLIErrorTests {
    @Test(arguments: [
        (#"{"problem": "ridge", "data": {"X": [[1, 2]], "y": [1, "#, "truncated"),
        (#"{"problem": "ridge", "data": {"X": [[NaN]], "y": [1], "lambda": 1}}"#, "NaN token"),
        (#"{"problem": "ridge", "data": {"X": [[Infinity]], "y": [1], "lambda": 1}}"#, "Infinity token"),
        (#"{"problem": "ridge", "data": {"X": [[1e999]], "y": [1], "lambda": 1}}"#, "overflow"),
        (#"[1, 2]"#, "not an object"),
        (#"{"problem": "socp", "data": {}}"#, "unknown kind"),
        (#"{"problem": "ridge", "data": {"X": [[1, 2]], "y": [1]}}"#, "missing lambda"),
        (#"{"problem": "ridge", "data": {"X": [[1, 2], [3]], "y": [1, 2], "lambda": 1}}"#, "ragged"),
        (#"{"problem": "ridge", "data": {"X": [[1, 2]], "y": [1, 2], "lambda": 1}}"#, "shape mismatch"),
        (#"{"problem": "ridge", "data": {"X": [[1, 2]], "y": [1], "lambda": -1}}"#, "negative lambda"),
        (#"{"problem": "ridge", "data": {"X": [[1, 2]], "y": [1], "lambda": 1, "mu": 2}}"#, "unknown field"),
        (#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"vjp": {"nope": [1, 2]}}}"#, "unknown output"),
        (#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"vjp": {"w": [1, 2, 3]}}}"#, "cotangent shape"),
        (#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"jvp": {"Q": [1]}}}"#, "unknown parameter"),
        (#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"vjp": {"w": [1, 2]}, "jvp": {"y": [1, 2, 3]}}}"#, "two modes"),
        (#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"jacobian": {"of": "w", "wrt": "z"}}}"#, "bad jacobian"),
        (#"{"problem": "ridge", "#+ridgeData+#", "options": {"linear_solver": "magic"}}"#, "bad linear solver"),
        (#"{"problem": "ridge", "#+ridgeData+#", "options": {"tol": -1}}"#, "bad tol"),
    ])
    func invalidInputExitsTwo(text: String, why: String) {
        let (json, code) = run(text)
        #expect(code == 2, "\(why)")
        #expect(errorKind(json) == "invalid_input", "\(why)")
        if case let .string(m)? = field(json, "error", "message") { #expect(!m.isEmpty) } else { Issue.record("no message: \(why)") }
    }

    @Test func iterativeFailureIsNotConverged() {
        // A relative tolerance of 1e-300 is unreachable in floating point: on a 30 x 20 ridge
        // problem (SPD, so CG cannot break down) CG runs into its iteration cap and must fail
        // loudly with not_converged, never return a half-converged gradient.
        var g = SampleGenerator(seed: 3)
        let x = JSON(g.matrix(30, 20)).serialized(), y = JSON(g.vector(30)).serialized()
        let text = #"{"problem": "ridge", "data": {"X": "#+x+#", "y": "#+y+#", "lambda": 0.1}, "derivative": {"vjp": {"w": "#
            + JSON(g.vector(20)).serialized() + #"}}, "options": {"linear_solver": "cg", "linear_tol": 1e-300}}"#
        let (json, code) = run(text)
        #expect(code == 3 && errorKind(json) == "not_converged", "\(String(describing: json))")
    }
}

@Suite("CLI: ridge results")
struct CLIRidgeTests {
    @Test func vjpJvpAndJacobianAreConsistent() throws {
        let jac = run(#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"jacobian": {"of": "w", "wrt": "y"}}}"#)
        #expect(jac.code == 0)
        let j = numbers(field(jac.json, "jacobian"))
        #expect(j.count == 6)
        // Row 0 of dw/dy is the vjp with cotangent e_0; column 1 the jvp along e_1.
        let vjp = run(#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"vjp": {"w": [1, 0]}}}"#)
        let gy = numbers(field(vjp.json, "vjp", "y"))
        #expect(zip(gy, j[0..<3]).allSatisfy { abs($0 - $1) < 1e-13 })
        let jvp = run(#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"jvp": {"y": [0, 1, 0]}}}"#)
        let dw = numbers(field(jvp.json, "jvp", "w"))
        #expect(abs(dw[0] - j[1]) < 1e-13 && abs(dw[1] - j[4]) < 1e-13)
        // Closed form: dw/dy = (X'X + lambda I)^-1 X'.
        let x = Matrix(rowArrays: [[1, 2], [3, 4], [5, 7]])!
        var gram = Matrix.product(x, transposed: true, x, transposed: false)
        gram[0, 0] += 0.5; gram[1, 1] += 0.5
        let closed = try LUFactorization(gram).solve(x.transposed)
        #expect(zip(j, closed.scalars).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func resultHasStatusOutputsAndStats() {
        let (json, code) = run(#"{"problem": "ridge", "#+ridgeData+#", "derivative": {"vjp": {"w": [1, 2], "value": 1}}}"#)
        #expect(code == 0)
        #expect(field(json, "status") == .string("optimal"))
        #expect(numbers(field(json, "outputs", "w")).count == 2)
        #expect(field(json, "jvp") == nil && field(json, "jacobian") == nil)
        for key in ["forward_seconds", "derivative_seconds", "forward_iterations", "linear_iterations", "linear_residual"] {
            #expect(numbers(field(json, "stats", key)).count == 1, "\(key)")
        }
        #expect(field(json, "stats", "linear_solver") == .string("factorization"))
        #expect(numbers(field(json, "vjp", "X")).count == 6)
    }

    @Test func noOutputsAndRepeat() {
        let (out, code) = CLIRunner(repetitions: 3, includeOutputs: false).run(#"{"problem": "ridge", "#+ridgeData+#"}"#)
        let json = try? JSON.parse(out)
        #expect(code == 0 && field(json, "outputs") == nil && field(json, "stats") != nil)
    }
}

@Suite("JSON parser and writer")
struct JSONTests {
    @Test func roundTripsNumbersExactly() throws {
        for d in [0.1, -2.5e-300, 1.7976931348623157e308, 123456789012345680, Double.leastNonzeroMagnitude, -0.0, 3] {
            let s = JSON.number(d).serialized()
            guard case let .number(back) = try JSON.parse(s) else { Issue.record("not a number: \(s)"); continue }
            #expect(back == d, "\(d) -> \(s) -> \(back)")
        }
    }

    @Test func stringsWithEscapes() throws {
        let s = JSON.string("a\"b\\c\nd\u{1}é😀")
        #expect(try JSON.parse(s.serialized()) == s)
        #expect(try JSON.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "{} x", "NaN", "-Infinity"])
    func rejectsMalformed(text: String) {
        #expect(throws: JSONSyntaxError.self) { _ = try JSON.parse(text) }
    }
}

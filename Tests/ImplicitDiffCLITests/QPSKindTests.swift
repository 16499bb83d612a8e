import Foundation
import Testing
@testable import ImplicitDiffCLI

/// `qp` with `"data": {"qps": "path"}` end to end (spec/cli-json.md, "`qp` from files"):
/// outputs `z`, `value`, `row_duals`, parameters `c`, `rhs`, and the errors of the contract.
@Suite("CLI kind qp from a QPS file")
struct QPSKindTests {
    /// min -3x - 3y + x^2 + xy + y^2 + 10 s.t. x + y <= 1.5 (QUADOBJ lists Q's lower
    /// triangle): z = (0.75, 0.75), value 7.1875, row dual -0.75; on the binding row
    /// x = r/2 + (c2 - c1)/2, so d x/d (c1, c2, r) = (-1/2, 1/2, 1/2).
    static let file = """
    NAME          TWO
    ROWS
     N  COST
     L  SUM
    COLUMNS
        X         COST         -3.0   SUM          1.0
        Y         COST         -3.0   SUM          1.0
    RHS
        RHS       COST        -10.0   SUM          1.5
    QUADOBJ
        X         X             2.0
        Y         X             1.0
        Y         Y             2.0
    ENDATA
    """

    /// Writes `text` to a fresh folder; returns (folder, file name).
    func write(_ text: String) throws -> (String, String) {
        let dir = NSTemporaryDirectory() + "implicitdiff-qps-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/two.qps", atomically: true, encoding: .utf8)
        return (dir, "two.qps")
    }

    func run(_ doc: String, base: String) -> (json: JSON?, code: Int32) {
        let (out, code) = CLIRunner(baseDirectory: base).run(doc)
        return (try? JSON.parse(out), code)
    }

    func close(_ a: [Double], _ b: [Double], _ what: String) {
        #expect(a.count == b.count, "\(what): \(a) vs \(b)")
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-9 * max(1, abs(y)), "\(what): expected \(b), observed \(a)") }
    }

    @Test("outputs, a VJP and a JVP on (c, rhs) by a relative path")
    func solveAndDifferentiate() throws {
        let (dir, name) = try write(Self.file)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let vjp = run(#"{"problem": "qp", "data": {"qps": "\#(name)"}, "derivative": {"vjp": {"z": [1, 0], "value": 2}}}"#, base: dir)
        #expect(vjp.code == 0)
        close(numbers(field(vjp.json, "outputs", "z")), [0.75, 0.75], "z")
        close(numbers(field(vjp.json, "outputs", "value")), [7.1875], "value")
        close(numbers(field(vjp.json, "outputs", "row_duals")), [-0.75], "row_duals")
        // d x/d c + 2 d value/d c = (-1/2, 1/2) + 2 z; d x/d rhs + 2 row_duals = 1/2 - 1.5.
        close(numbers(field(vjp.json, "vjp", "c")), [-0.5 + 1.5, 0.5 + 1.5], "vjp c")
        close(numbers(field(vjp.json, "vjp", "rhs")), [0.5 - 1.5], "vjp rhs")
        let jvp = run(#"{"problem": "qp", "data": {"qps": "\#(dir)/\#(name)"}, "derivative": {"jvp": {"rhs": [1]}}}"#, base: "/")
        #expect(jvp.code == 0)
        close(numbers(field(jvp.json, "jvp", "z")), [0.5, 0.5], "jvp z")
        close(numbers(field(jvp.json, "jvp", "value")), [-0.75], "jvp value")
        // row_duals(r) = -3 + 3r/2: d/dr = 1.5.
        close(numbers(field(jvp.json, "jvp", "row_duals")), [1.5], "jvp row_duals")
    }

    @Test("unreadable file, parse error with its line, unknown names, extra fields: exit 2")
    func errors() throws {
        let (dir, name) = try write(Self.file.replacingOccurrences(of: "-10.0", with: "-1x.0"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = run(#"{"problem": "qp", "data": {"qps": "nothere.qps"}}"#, base: dir)
        #expect(missing.code == 2 && errorKind(missing.json) == "invalid_input")
        let parse = run(#"{"problem": "qp", "data": {"qps": "\#(name)"}}"#, base: dir)
        #expect(parse.code == 2 && errorKind(parse.json) == "invalid_input")
        if case let .string(message)? = field(parse.json, "error", "message") {
            #expect(message.contains("line 9"), "\(message)")
        } else { Issue.record("no message") }
        let unknown = run(#"{"problem": "qp", "data": {"qps": "\#(name)"}, "derivative": {"vjp": {"z": [1, 0]}, "wrt": ["q"]}}"#, base: dir)
        #expect(unknown.code == 2)
        let extra = run(#"{"problem": "qp", "data": {"qps": "\#(name)", "q": [1, 2]}}"#, base: dir)
        #expect(extra.code == 2 && errorKind(extra.json) == "invalid_input")
    }

    @Test("an infeasible file is exit 3")
    func infeasible() throws {
        let (dir, name) = try write(Self.file.replacingOccurrences(of: "SUM          1.5", with: "SUM         -1.5"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // x, y >= 0 (default bounds) and x + y <= -1.5.
        let r = run(#"{"problem": "qp", "data": {"qps": "\#(name)"}}"#, base: dir)
        #expect(r.code == 3 && errorKind(r.json) == "infeasible")
    }
}

import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// The helpers every CLI test file shares: run a document in-process, and read its JSON.

/// Runs a document through the CLI logic in-process: the parsed output and the exit code
/// (`outputs: false` is `--no-outputs`).
func run(_ text: String, outputs: Bool = true) -> (json: JSON?, code: Int32) {
    let (out, code) = CLIRunner(includeOutputs: outputs).run(text)
    return (try? JSON.parse(out), code)
}

/// The error kind of an error document.
func errorKind(_ json: JSON?) -> String? {
    guard case let .object(o)? = json, case let .object(e)? = o["error"], case let .string(k)? = e["kind"] else { return nil }
    return k
}

/// The value at a path of object keys, or nil.
func field(_ json: JSON?, _ path: String...) -> JSON? {
    var cur = json
    for p in path {
        guard case let .object(o)? = cur else { return nil }
        cur = o[p]
    }
    return cur
}

/// Every number of `j` in document order (none for nil).
func numbers(_ j: JSON?) -> [Double] { j.map(numbersOf) ?? [] }

/// The string `json` holds, or nil.
func string(_ json: JSON?) -> String? {
    if case let .string(s)? = json { return s }
    return nil
}

/// `max_i |u_i - v_i| / max_i |v_i|` (infinite when the lengths differ or are 0).
func maxRelativeDifference(_ u: [Double], _ v: [Double]) -> Double {
    guard u.count == v.count, !u.isEmpty else { return .infinity }
    return zip(u, v).map { abs($0 - $1) }.max()! / Swift.max(v.map(abs).max()!, 1e-300)
}

import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// Issue 13 for the `equations` kind: a root is reported "converged" only when the Newton
// correction at the returned y is within `tol` of every component's own magnitude, and
// `stats.certificate` carries the figures of that check.

/// `stats.certificate` of an `equations` answer as name -> value.
private func equationsCertificate(_ json: JSON?) -> [String: Double] {
    guard case let .object(o)? = field(json, "stats", "certificate") else { return [:] }
    var out = [String: Double]()
    for key in ["residual", "step"] { if case let .number(v)? = o[key] { out[key] = v } }
    return out
}

@Suite("CLI equations: per-component convergence and its certificate")
struct EquationsReliabilityTests {
    /// Regression: `x = [-3.9464, 1e30]` gave y_0 = -1.39419 (root -1.37076) as "converged",
    /// the step being judged against ||y||_inf = 1e10.
    @Test func cubicComponentsAreJudgedOnTheirOwnScale() {
        let (json, code) = run(#"{"problem": "equations", "data": {"family": "cubic", "x": [-3.9464, 1e30]}}"#)
        #expect(code == 0)
        let y = numbers(field(json, "outputs", "y"))
        #expect(y.count == 2)
        if y.count == 2 {
            #expect(abs(y[0] - -1.3707607975987851) <= 1e-13, "y_0 = \(y[0])")
            #expect(abs(y[1] - 1e10) <= 1e-14 * 1e10)
        }
        let c = equationsCertificate(json)
        #expect(Set(c.keys) == ["residual", "step"], "\(c)")
        #expect(c["step"].map { $0 >= 0 && $0 <= 1e-10 } == true, "\(c)")
        #expect(c["residual"].map { $0 >= 0 && $0 <= 1e-14 } == true, "\(c)")
    }

    @Test func bratuCertificateIsPresentAndWithinTolerance() {
        let (json, code) = run(#"{"problem": "equations", "data": {"family": "bratu", "lambda": 1, "n": 1000}, "options": {"tol": 1e-9}}"#)
        #expect(code == 0)
        let c = equationsCertificate(json)
        #expect(c["step"].map { $0 <= 1e-9 } == true, "\(c)")
        #expect(c["residual"].map { $0 <= 1e-13 } == true, "\(c)")
    }

    /// A tolerance below what double precision resolves for the grid is `not_converged`
    /// (exit 3) with the figures, never "converged" (Bratu's corrections at the root are
    /// ~1e-11 relative at n = 10^5; at n = 10^7 the default 1e-10 is out of reach the same way).
    @Test func unreachableToleranceIsNotConverged() {
        let (json, code) = run(#"{"problem": "equations", "data": {"family": "bratu", "lambda": 1, "n": 100000}, "options": {"tol": 1e-14}}"#)
        #expect(code == 3)
        #expect(errorKind(json) == "not_converged")
        guard case let .string(message)? = field(json, "error", "message") else {
            Issue.record("no message in \(String(describing: json))")
            return
        }
        #expect(message.contains("cannot reach the step tolerance 1e-14"), "\(message)")
    }
}

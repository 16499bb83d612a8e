import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// Every success carries the figures of the independent check run on the returned answer
// (`stats.certificate`). Here: the QP, lasso and ridge kinds on solved problems, where
// the figures are present, finite and small; and the lasso's `max_iter`. (The checks that
// fail on wrong answers are tested in the QP, Prox and Core test targets.)

/// `stats.certificate` as name -> value.
private func certificateFigures(_ json: JSON?) -> [String: Double] {
    guard case let .object(o)? = field(json, "stats", "certificate") else { return [:] }
    var out = [String: Double]()
    for key in ["primal", "dual", "complementarity", "gap", "fixed_point", "kkt", "gradient"] {
        if case let .number(v)? = o[key] { out[key] = v }
    }
    return out
}

@Suite("CLI: certificates of QP, lasso and ridge answers")
struct CertificateTests {
    @Test func qpCertificateIsPresentAndSmall() throws {
        let data = try #require(QPKind.sample(seed: 3))
        let doc = JSON.object(JSONObject([("problem", .string("qp")), ("data", .object(data))]))
        let (json, code) = run(doc.serialized())
        #expect(code == 0)
        let c = certificateFigures(json)
        #expect(Set(c.keys) == ["primal", "dual", "complementarity", "gap"], "\(c)")
        #expect(c.values.allSatisfy { $0 >= 0 && $0 <= 1e-10 }, "\(c)")
    }

    @Test func lassoCertificateIsPresentAndSmall() throws {
        let data = try #require(LassoKind.sample(seed: 5))
        let doc = JSON.object(JSONObject([("problem", .string("lasso")), ("data", .object(data))]))
        let (json, code) = run(doc.serialized())
        #expect(code == 0)
        let c = certificateFigures(json)
        #expect(Set(c.keys) == ["fixed_point", "kkt"], "\(c)")
        #expect(c.values.allSatisfy { $0 >= 0 && $0 <= 1e-9 }, "\(c)")
    }

    @Test func ridgeCertificateIsPresentAndSmall() {
        let (json, code) = run(#"{"problem": "ridge", "#+ridgeData+#"}"#)
        #expect(code == 0)
        let c = certificateFigures(json)
        #expect(Set(c.keys) == ["gradient"], "\(c)")
        #expect(c.values.allSatisfy { $0 >= 0 && $0 <= 1e-12 }, "\(c)")
    }

    /// `max_iter` bounds the lasso's proximal-gradient iterations and active-set steps
    /// together: a cap of 1 is `not_converged` (exit 3), not "optimal".
    @Test func lassoMaxIterIsHonoured() throws {
        let data = try #require(LassoKind.sample(seed: 5))
        let doc = JSON.object(JSONObject([("problem", .string("lasso")), ("data", .object(data)),
                                          ("options", .object(JSONObject([("max_iter", .number(1))])))]))
        let (json, code) = run(doc.serialized())
        #expect(code == 3)
        #expect(errorKind(json) == "not_converged")
        // With room to finish, the iterations reported stay within the cap.
        let roomy = JSON.object(JSONObject([("problem", .string("lasso")), ("data", .object(data)),
                                            ("options", .object(JSONObject([("max_iter", .number(50))])))]))
        let ok = run(roomy.serialized())
        #expect(ok.code == 0)
        #expect(numbers(field(ok.json, "stats", "forward_iterations")).allSatisfy { $0 <= 50 })
    }
}

import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

// Refusals name the option that would help: a weakly active QP constraint names
// `weakly_active` (and the option then gives the one-sided derivative); a request that
// needs a rhs derivative at a degenerate LP vertex names `lp_smoothing` (tested with the
// LP kind's own tests).

@Suite("CLI: errors name the option that would help")
struct ErrorHintTests {
    /// min 1/2 |z|^2 + q'z, z_1 <= 1 with q = (-1, 0): z = (1, 0) exactly at the bound
    /// with multiplier 0, so the constraint is weakly active.
    static let weaklyActive = #"{"problem": "qp", "data": {"Q": [[1, 0], [0, 1]], "q": [-1, 0], "G": [[1, 0]], "h": [1]}, "derivative": {"vjp": {"z": [1, 1]}}"#

    @Test("a weakly active QP constraint: exit 4 naming weakly_active; the option gives the one-sided derivative")
    func weaklyActiveHint() {
        let (json, code) = run(Self.weaklyActive + "}")
        #expect(code == 4)
        guard case let .string(message)? = field(json, "error", "message") else { Issue.record("no message"); return }
        #expect(message.contains("weakly_active") && message.contains("inactive"), "\(message)")
        let inactive = run(Self.weaklyActive + #", "options": {"weakly_active": "inactive"}}"#)
        #expect(inactive.code == 0)
        // Constraint free: z = -q, so dz/dq = -I and <zbar, dz/dq> = -(1, 1).
        #expect(numbers(field(inactive.json, "vjp", "q")) == [-1, -1])
        let active = run(Self.weaklyActive + #", "options": {"weakly_active": "active"}}"#)
        #expect(active.code == 0)
        // Constraint binding: z_1 = h fixed, z_2 = -q_2: <zbar, dz/dq> = (0, -1).
        #expect(numbers(field(active.json, "vjp", "q")) == [0, -1])
    }
}

@Suite("CLI: qp option tol_abs")
struct QPAbsoluteToleranceOptionTests {
    static let problem = #"{"problem": "qp", "data": {"Q": [[2, 0], [0, 2]], "q": [-2, -4], "G": [[1, 1]], "h": [1]}"#

    @Test("tol_abs is accepted (dense and coordinate input) and reported in the schema; a bad value is exit 2")
    func tolAbs() {
        let dense = run(Self.problem + #", "options": {"tol_abs": 1e-9}}"#)
        #expect(dense.code == 0)
        // min (z1 - 1)^2 + (z2 - 2)^2 s.t. z1 + z2 <= 1: z = (0, 1).
        #expect(numbers(field(dense.json, "outputs", "z")).map { ($0 * 1e9).rounded() / 1e9 } == [0, 1])
        let sparse = run(#"{"problem": "qp", "data": {"Q": {"shape": [2, 2], "rows": [0, 1], "cols": [0, 1], "values": [2, 2]}, "q": [-2, -4], "G": {"shape": [1, 2], "rows": [0, 0], "cols": [0, 1], "values": [1, 1]}, "h": [1]}, "options": {"tol_abs": 1e-9}}"#)
        #expect(sparse.code == 0)
        for bad in ["0", "-1", "\"small\""] {
            let r = run(Self.problem + #", "options": {"tol_abs": "# + bad + "}}")
            #expect(r.code == 2, "tol_abs \(bad)")
        }
        let schema = KindSchema.document(ProblemKinds.all).serialized()
        #expect(schema.contains("tol_abs"))
    }
}

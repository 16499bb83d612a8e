import Testing
@testable import ImplicitDiffCLI
import ImplicitDiff

@Suite("CLI: implicitdiff schema")
struct KindSchemaTests {
    @Test("each kind's schema agrees with what the kind reads and reports", arguments: ProblemKinds.all.map { $0.name })
    func schemaMatchesKind(kindName: String) throws {
        guard let kind = ProblemKinds.named(kindName) else { Issue.record("no kind \(kindName)"); return }
        let schema = kind.schema
        #expect(schema.kind == kindName)
        // Every option the kind accepts is documented, and nothing else.
        let documented = Set((KindSchema.commonOptions + schema.options).map(\.name))
        #expect(documented == CLIRunner.commonOptionKeys.union(kind.optionKeys), "\(kindName)")
        for seed: UInt64 in 1...2 {
            guard let data = kind.sample(seed: seed) else { Issue.record("\(kindName): no sample"); return }
            // Every field of a valid document is a documented data field ...
            for key in data.keys {
                #expect(schema.data.contains { $0.name == key }, "\(kindName): data field '\(key)' missing from the schema")
            }
            // ... and the outputs and parameters reported after solving are documented.
            let solved = try kind.solve(data, options: ProblemOptions())
            for o in solved.outputs.map(\.name) {
                #expect(schema.outputs.contains { $0.name == o }, "\(kindName): output '\(o)' missing from the schema")
            }
            for p in solved.parameterShapes.map(\.name) {
                #expect(schema.parameters.contains { $0.name == p }, "\(kindName): parameter '\(p)' missing from the schema")
            }
            #expect(solved.status == schema.status)
        }
    }

    @Test("every required data field is required by the kind: leaving it out is exit 2", arguments: ProblemKinds.all.map { $0.name })
    func requiredFieldsAreRequired(kindName: String) throws {
        guard let kind = ProblemKinds.named(kindName), let data = kind.sample(seed: 2) else {
            Issue.record("\(kindName): no kind or sample"); return
        }
        for field in kind.schema.data where field.required && data.has(field.name) {
            let reduced = JSONObject(data.entries.filter { $0.key != field.name })
            let doc = JSON.object(JSONObject([("problem", .string(kindName)), ("data", .object(reduced))]))
            let (json, code) = run(doc.serialized())
            #expect(code == 2, "\(kindName) without '\(field.name)'")
            #expect(errorKind(json) == "invalid_input")
        }
    }

    @Test("the document lists every kind with the package version")
    func document() {
        let doc = KindSchema.document(ProblemKinds.all)
        #expect(field(doc, "version") == .string(ToolVersion.current))
        guard case let .array(kinds)? = field(doc, "kinds") else { Issue.record("no kinds array"); return }
        #expect(kinds.count == ProblemKinds.all.count)
    }
}

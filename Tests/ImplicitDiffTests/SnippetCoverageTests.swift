import Foundation
import Testing

// Every ```swift block of the README and of the DocC articles must be compiled and run by
// a test: its code lines (imports and blank lines aside, indentation ignored) must appear,
// contiguous and in order, in a test file under Tests/. The snippet tests copy each block
// verbatim between `// --- <source> ---` and `// ---`, define the names it assumes, and
// check its results against closed forms or finite differences; this test keeps the
// copies honest when a snippet is edited. The one block that is not Swift code to run,
// the Package.swift dependency fragment, is checked against the manifest instead.

/// The package root, from this file's path (Tests/ImplicitDiffTests/...).
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The ```swift blocks of a Markdown file (list-item indentation removed).
func swiftBlocks(_ text: String) -> [[String]] {
    var blocks: [[String]] = [], current: [String]? = nil
    for line in text.components(separatedBy: "\n") {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if current == nil, trimmed == "```swift" { current = []; continue }
        if current != nil, trimmed == "```" { blocks.append(current!); current = nil; continue }
        current?.append(line)
    }
    return blocks
}

/// The lines that a test must contain: trimmed, without blank and import lines.
func codeLines(_ block: [String]) -> [String] {
    block.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("import ") }
}

func files(under directory: URL, extension ext: String) -> [URL] {
    guard let e = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
    return e.compactMap { $0 as? URL }.filter { $0.pathExtension == ext && !$0.path.contains("/.build") }
}

/// Whether `needle` occurs as a contiguous run of `haystack`.
func containsRun(_ haystack: [String], _ needle: [String]) -> Bool {
    guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if Array(haystack[start..<(start + needle.count)]) == needle { return true }
    }
    return false
}

@Suite("Every README and DocC Swift snippet is compiled and run by a test")
struct SnippetCoverageTests {
    @Test func everySnippetHasATest() throws {
        let tests = files(under: root.appendingPathComponent("Tests"), extension: "swift")
            .filter { !$0.lastPathComponent.hasPrefix("SnippetCoverage") }
            .map { url in ((try? String(contentsOf: url, encoding: .utf8)) ?? "")
                .components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        #expect(tests.count > 20, "test files found under \(root.path)")
        var documents = [root.appendingPathComponent("README.md")]
        documents += files(under: root.appendingPathComponent("Sources"), extension: "md").filter { $0.path.contains(".docc/") }
        var checked = 0
        for document in documents {
            let text = try String(contentsOf: document, encoding: .utf8)
            for block in swiftBlocks(text) {
                let lines = codeLines(block)
                if lines.first?.hasPrefix(".package(url:") == true {
                    // The dependency fragment: its product must exist in the manifest.
                    let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
                    #expect(manifest.contains(".library(name: \"ImplicitDiffCore\""))
                    #expect(lines.joined().contains(".product(name: \"ImplicitDiffCore\", package: \"ImplicitDiff\")"))
                    continue
                }
                checked += 1
                #expect(tests.contains { containsRun($0, lines) },
                        "\(document.lastPathComponent): no test contains the snippet starting \"\(lines.first ?? "")\"")
            }
        }
        #expect(checked >= 17, "snippets checked: \(checked)")
    }
}

import Foundation
import Testing

/// No module of the package imports Foundation (FoundationEssentials, Glibc and
/// Synchronization serve instead): an `import Foundation` anywhere in `Sources` links
/// Foundation, CoreFoundation and ICU into every program that uses the module, and the
/// CLI's start grows by a third (README design note "One static executable").
@Suite struct NoFoundationTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    @Test func noSourceFileImportsFoundation() throws {
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(files.count > 100, "the scan found \(files.count) Swift files: wrong folder?")
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                if let i = words.firstIndex(of: "import"), i + 1 < words.count, words[i + 1] == "Foundation" {
                    offenders.append(file.lastPathComponent)
                }
            }
        }
        #expect(offenders.isEmpty, "Foundation imported by \(offenders)")
    }
}

import Foundation
import PackagePlugin

/// `swift package gradcheck [--kind K] [--seeds N]`: builds the `implicitdiff` tool in
/// release mode and checks every problem kind's implicit derivatives against central
/// finite differences and the adjoint identity, printing a Markdown table.
@main
struct GradCheckPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        // The release build of the tool takes minutes the first time: say so before it starts.
        FileHandle.standardError.write(Data("gradcheck: building implicitdiff in release mode (a few minutes the first time)...\n".utf8))
        let result = try packageManager.build(.product("implicitdiff"), parameters: .init(configuration: .release))
        guard result.succeeded, let tool = result.builtArtifacts.first(where: { $0.kind == .executable }) else {
            Diagnostics.error("building implicitdiff failed:\n\(result.logText)")
            return
        }
        let process = Process()
        process.executableURL = tool.url
        process.arguments = ["gradcheck"] + arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Diagnostics.error("gradcheck: some derivative checks failed")
        }
    }
}

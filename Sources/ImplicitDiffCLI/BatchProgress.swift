import Glibc
import _ImplicitDiffKernels

/// `implicitdiff batch --progress`: done / total (when known), failures and rate on
/// standard error, as a bar redrawn in place on a terminal, and as one line every five
/// seconds otherwise (logs, CI).
public final class BatchProgress {
    private let total: Int?
    private let start = ContinuousClock.now
    private var lastLine = ContinuousClock.now
    private let isTerminal = isatty(STDERR_FILENO) == 1

    public init(total: Int?) { self.total = total }

    /// Problem lines (non-blank lines) of a file, counted in one streaming pass.
    public static func countProblemLines(path: String) -> Int? {
        guard let descriptor = FileDescriptorIO.openForReading(path) else { return nil }
        defer { close(descriptor) }
        let reader = LineReader(fileDescriptor: descriptor)
        var n = 0
        while let line = reader.next() {
            if !line.allSatisfy(\.isWhitespace) { n += 1 }
        }
        return n
    }

    public func update(_ s: BatchRunner.Summary) {
        let now = ContinuousClock.now
        if isTerminal {
            guard now - lastLine > .milliseconds(100) else { return }
        } else {
            guard now - lastLine > .seconds(5) else { return }
        }
        lastLine = now
        write(s, final: false)
    }

    public func finish(_ s: BatchRunner.Summary) { write(s, final: true) }

    private func write(_ s: BatchRunner.Summary, final: Bool) {
        let elapsed = Double((ContinuousClock.now - start).components.seconds)
            + Double((ContinuousClock.now - start).components.attoseconds) * 1e-18
        let rate = elapsed > 0 ? Double(s.problems) / elapsed : 0
        var text = "batch: \(s.problems)"
        if let total { text += "/\(total)" }
        text += " done, \(s.failures) failed, " + cFormatted(rate, "%.1f") + " problems/s"
        if isTerminal, let total, total > 0 {
            let width = 30, filled = min(width, width * s.problems / total)
            text = "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] " + text
        }
        let line = isTerminal ? "\r" + text + (final ? "\n" : "") : text + "\n"
        FileDescriptorIO.writeStandardError(line)
    }
}

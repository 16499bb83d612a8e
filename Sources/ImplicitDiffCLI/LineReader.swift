import Foundation

/// Reads a file (or standard input) line by line in 64 KiB chunks, so that a JSON Lines
/// batch of any length is never held in memory whole. Lines end at `\n` (a `\r` before
/// it is dropped); the last line may lack its newline.
public final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes (bytes before it were searched).
    private var scanned = 0
    private var atEnd = false

    public init(handle: FileHandle) { self.handle = handle }

    /// The next line, or `nil` at the end of the input.
    public func next() -> String? {
        while true {
            if let newline = buffer[Swift.max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                scanned = start
                return line
            }
            scanned = buffer.count
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                scanned -= start
                start = 0
            }
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

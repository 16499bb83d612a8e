import Glibc

/// Reads a file (or standard input) line by line in 64 KiB chunks, so that a JSON Lines
/// batch of any length is never held in memory whole. Lines end at `\n` (a `\r` before
/// it is dropped); the last line may lack its newline.
public final class LineReader {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes (bytes before it were searched).
    private var scanned = 0
    private var atEnd = false

    /// A reader of `descriptor` (which stays the caller's to close).
    public init(fileDescriptor descriptor: Int32) { self.descriptor = descriptor }

    /// The next line, or `nil` at the end of the input.
    public func next() -> String? {
        nextBytes().map { String(decoding: $0, as: UTF8.self) }
    }

    /// The next line's bytes (not checked as UTF-8), or `nil` at the end of the input.
    public func nextBytes() -> [UInt8]? {
        while true {
            if let newline = Self.firstNewline(in: buffer, from: Swift.max(start, scanned)) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Self.copy(buffer[start..<end])
                start = newline + 1
                scanned = start
                return line
            }
            scanned = buffer.count
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = Self.copy(buffer[start...])
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                scanned -= start
                start = 0
            }
            if !readChunk() { atEnd = true }
        }
    }

    /// The index of the first `\n` at or after `from` (memchr: a vectorised scan).
    private static func firstNewline(in buffer: [UInt8], from: Int) -> Int? {
        guard from < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { p -> Int? in
            guard let base = p.baseAddress, let hit = memchr(base + from, 0x0A, p.count - from) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Appends up to 64 KiB read straight from the file descriptor into `buffer` (no
    /// intermediate `Data`); false at the end of the input. Interrupted reads are retried;
    /// an error ends the input like the end of the file.
    private func readChunk() -> Bool {
        let chunk = 1 << 16
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let fd = descriptor
        var got = -1
        buffer.withUnsafeMutableBufferPointer { p in
            repeat { got = read(fd, p.baseAddress! + old, chunk) } while got < 0 && errno == EINTR
        }
        buffer.removeLast(chunk - Swift.max(got, 0))
        return got > 0
    }

    /// A line's bytes with room for one more (the JSON parser's terminating 0).
    private static func copy(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var line = [UInt8]()
        line.reserveCapacity(bytes.count + 1)
        line.append(contentsOf: bytes)
        return line
    }
}

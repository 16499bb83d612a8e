import Glibc

/// The lines of a text file, read one at a time (C `getline`, one buffer reused), so that
/// reading a file needs memory for one line, not for the file. Not API.
///
/// Only regular files are opened: a FIFO or a device could block or never end.
final class QPSLineSource {
    let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>? = nil
    private var capacity = 0
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// - Throws: ``QPSError/unreadable(path:reason:)``.
    init(path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw QPSError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw QPSError.unreadable(path: path, reason: "not a regular file (a folder, FIFO, device or socket)")
        }
        guard let f = fopen(path, "r") else {
            throw QPSError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        file = f
    }

    deinit {
        fclose(file)
        free(buffer)
    }

    /// Calls `body` with the bytes of each line (without the line break and a trailing
    /// carriage return) until the file ends or `body` returns `false`.
    ///
    /// - Throws: what `body` throws, or ``QPSError/unreadable(path:reason:)`` on a read error
    ///   or a NUL byte (not a text file).
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Bool) throws {
        while true {
            let count = getline(&buffer, &capacity, file)
            if count < 0 {
                if ferror(file) != 0 { throw QPSError.unreadable(path: path, reason: String(cString: strerror(errno))) }
                return
            }
            lineNumber += 1
            guard let base = buffer else { return }
            var length = count
            let bytes = UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self)
            while length > 0 && (bytes[length - 1] == 0x0A || bytes[length - 1] == 0x0D) { length -= 1 }
            let line = UnsafeBufferPointer(start: bytes, count: length)
            if line.contains(0) {
                throw QPSError.unreadable(path: path, reason: "line \(lineNumber) holds a NUL byte: not a text file")
            }
            if try !body(line) { return }
        }
    }
}

import Glibc

/// Files and standard streams by their POSIX descriptors: what the CLI reads and writes,
/// without Foundation's `FileHandle` (and its first-use cost in every process).
public enum FileDescriptorIO {
    /// A descriptor of the regular file `path` open for reading; `nil` (with `errno`) when
    /// it cannot be opened or is a folder.
    public static func openForReading(_ path: String) -> Int32? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            errno = EISDIR
            return nil
        }
        return descriptor
    }

    /// A descriptor of `path` created or emptied for writing; `nil` (with `errno`) on failure.
    public static func createForWriting(_ path: String) -> Int32? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        return descriptor >= 0 ? descriptor : nil
    }

    /// Everything left to read from `descriptor`; `nil` (with `errno`) on a read error.
    public static func readAll(_ descriptor: Int32) -> [UInt8]? {
        var bytes = [UInt8]()
        var count = 0
        while true {
            if bytes.count - count < 1 << 16 { bytes.append(contentsOf: repeatElement(0, count: Swift.max(1 << 16, bytes.count))) }
            let n = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// The whole file `path`; `nil` (with `errno`) when it cannot be read.
    public static func readAll(path: String) -> [UInt8]? {
        guard let descriptor = openForReading(path) else { return nil }
        defer { close(descriptor) }
        return readAll(descriptor)
    }

    /// Writes every byte (short and interrupted writes continued); false when an error (a
    /// closed pipe, a full disk: `errno` says which) stopped the output.
    @discardableResult
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBufferPointer { p in
            var offset = 0
            while offset < p.count {
                let n = write(descriptor, p.baseAddress! + offset, p.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Writes `text` to standard error.
    public static func writeStandardError(_ text: String) {
        writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// The current folder (`getcwd`), `"."` if it cannot be named.
    public static var currentDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import Glibc

/// Checks of a model file made before GLPK's reader opens it. Not API.
///
/// GLPK's readers open the path themselves and read it to the end (or to the first
/// error): a FIFO or a device would block them forever, and a large file of garbage is
/// parsed (33 s and 1 GB for 200 MB) before it is rejected. See ``LPModel/read(path:format:)``.
enum LPModelFile {
    /// How much of the file's start is inspected.
    static let headLength = 64 * 1024

    /// The MPS section that opens a file (after `*` comment lines): GLPK's reader requires
    /// the `NAME` record first, in fixed and in free format.
    static let mpsOpeningSections: Set<String> = ["NAME"]

    /// CPLEX LP keywords that open the objective section (case-insensitive), which must
    /// come first (after blank and `\` comment lines).
    static let cplexObjectiveKeywords: Set<String> = [
        "minimize", "minimise", "minimum", "min", "maximize", "maximise", "maximum", "max",
    ]

    /// Throws ``LPError/invalidProblem(_:)`` unless `path` is a readable regular file of at
    /// most ``LPDataLimits/maximumModelFileBytes`` whose start looks like `format`, and (MPS)
    /// has no `RANGES` section.
    static func check(path: String, format: LPModel.Format) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LPError.invalidProblem("cannot read model file '\(path)': \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let kind: String
            switch info.st_mode & S_IFMT {
            case S_IFIFO: kind = "a FIFO (named pipe)"
            case S_IFDIR: kind = "a folder"
            case S_IFCHR, S_IFBLK: kind = "a device"
            case S_IFSOCK: kind = "a socket"
            default: kind = "not a regular file"
            }
            throw LPError.invalidProblem("model file '\(path)' is \(kind): model paths must name regular files")
        }
        guard Int(info.st_size) <= LPDataLimits.maximumModelFileBytes else {
            throw LPError.invalidProblem("model file '\(path)' has \(info.st_size) bytes, more than the limit of "
                                         + "\(LPDataLimits.maximumModelFileBytes) bytes (LPDataLimits.maximumModelFileBytes)")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LPError.invalidProblem("cannot read model file '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: headLength)
        let headCount = try read(descriptor, into: &buffer, path: path)
        try checkHead(buffer[..<headCount], path: path, format: format)
        guard format == .mps else { return }
        var scanner = RangesScanner()
        var count = headCount
        while count > 0 {
            if scanner.scan(buffer[..<count]) { throw rangesError(path) }
            count = try read(descriptor, into: &buffer, path: path)
        }
        if scanner.finish() { throw rangesError(path) }
    }

    /// Fills `buffer` from `descriptor` (short reads continued, interruptions retried) and
    /// returns how many bytes it holds: fewer than its size only at the end of the file.
    private static func read(_ descriptor: Int32, into buffer: inout [UInt8], path: String) throws -> Int {
        try buffer.withUnsafeMutableBytes { bytes in
            var filled = 0
            while filled < bytes.count {
                let n = Glibc.read(descriptor, bytes.baseAddress! + filled, bytes.count - filled)
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LPError.invalidProblem("cannot read model file '\(path)': \(String(cString: strerror(errno)))")
                }
                filled += n
            }
            return filled
        }
    }

    /// The first significant line of `head` must open the format.
    static func checkHead(_ head: ArraySlice<UInt8>, path: String, format: LPModel.Format) throws {
        let name = format == .mps ? "an MPS model" : "a CPLEX LP model"
        guard !head.isEmpty else { throw LPError.invalidProblem("model file '\(path)' is empty") }
        if let nul = head.firstIndex(of: 0) {
            throw LPError.invalidProblem("model file '\(path)' is not text (a NUL byte at offset \(nul)): it is not \(name)")
        }
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        // The last line may be cut by the head's end: only judge it when it is the only one.
        if head.count == headLength, lines.count > 1 { lines.removeLast() }
        for raw in lines {
            // The line without leading and trailing ASCII blanks (space, \t, \n, \v, \f, \r).
            guard let start = raw.firstIndex(where: { !isBlank($0) }),
                  let end = raw.lastIndex(where: { !isBlank($0) }) else { continue }
            let line = String(decoding: raw[start...end], as: UTF8.self)
            switch format {
            case .mps:
                if line.hasPrefix("*") { continue }
                // A section line starts in column 1; data lines start with a blank.
                let first = raw.first.map { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } ?? true
                let keyword = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { $0.uppercased() } ?? ""
                guard !first, mpsOpeningSections.contains(keyword) else {
                    throw LPError.invalidProblem("model file '\(path)' does not look like \(name): its first line "
                                                 + "'\(line.prefix(60))' is not the NAME record")
                }
                return
            case .cplexLP:
                if line.hasPrefix("\\") { continue }
                let keyword = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).first.map { $0.lowercased() } ?? ""
                guard cplexObjectiveKeywords.contains(keyword) else {
                    throw LPError.invalidProblem("model file '\(path)' does not look like \(name): its first line "
                                                 + "'\(line.prefix(60))' does not open the objective (minimize, maximize, ...)")
                }
                return
            }
        }
        throw LPError.invalidProblem("model file '\(path)' has no model in its first \(head.count) bytes: it is not \(name)")
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// Finds an MPS `RANGES` section (a line starting with `RANGES`, any case, in column 1,
    /// alone or followed by a blank) in a file fed to it in chunks.
    struct RangesScanner {
        private static let keyword = Array("RANGES".utf8)
        private var atLineStart = true
        private var matched = 0

        /// Scans the next chunk; true when a `RANGES` line is found.
        mutating func scan(_ chunk: ArraySlice<UInt8>) -> Bool {
            let keyword = Self.keyword
            for byte in chunk {
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    if matched == keyword.count { return true }
                    atLineStart = true
                    matched = 0
                    continue
                }
                if atLineStart {
                    let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
                    if matched < keyword.count && upper == keyword[matched] {
                        matched += 1
                        continue
                    }
                    if matched == keyword.count && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) {
                        return true
                    }
                    atLineStart = false
                    matched = 0
                }
            }
            return false
        }

        /// True when the file ends on a `RANGES` line.
        func finish() -> Bool { matched == Self.keyword.count }
    }

    private static func rangesError(_ path: String) -> LPError {
        .invalidProblem("'\(path)' has a RANGES section: ranged rows are not supported (one rhs per row)")
    }
}

/// Why a QPS file could not be read into a ``QPSModel``.
///
/// Every case is a problem with the input (the command-line tool reports them as
/// `invalid_input`, exit 2); none is a failure of the solver.
public enum QPSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file cannot be opened or read (missing, not a regular file, no permission, an
    /// I/O error); `reason` is the system's.
    case unreadable(path: String, reason: String)
    /// Line `line` (1-based) of the file breaks the format: an unknown section or row or
    /// column name, a field that should be a number and is not, a record with the wrong
    /// number of fields, a feature the reader does not take (integer markers and bound
    /// types, quadratic constraints).
    case syntax(path: String, line: Int, message: String)
    /// The file parses but describes no valid problem (no objective row, no columns,
    /// bounds that admit no value, a `QMATRIX` that is not symmetric).
    case invalidModel(path: String, message: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read QPS file '\(path)': \(reason)"
        case let .syntax(path, line, message): return "QPS file '\(path)', line \(line): \(message)"
        case let .invalidModel(path, message): return "QPS file '\(path)': \(message)"
        }
    }
}

import Glibc

/// `value` as C's `printf` writes it with `format`, a format of one `double` conversion
/// (`"%.3g"`, `"%.1e"`, `"%.1f s"`): the numbers of messages and progress lines, without
/// Foundation's `String(format:)`.
public func cFormatted(_ value: Double, _ format: String) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    var count = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    if count >= buffer.count {  // `%f` of a large number: room for all of it
        buffer = [CChar](repeating: 0, count: Int(count) + 1)
        count = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    }
    guard count >= 0 else { return "\(value)" }
    return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

import Glibc

/// A JSON value. The parser is strict RFC 8259: the non-standard tokens `NaN` and
/// `Infinity` are rejected, and so are numbers that overflow a Double (`1e999`).
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
    /// A non-empty array of numbers only, stored unboxed: what the parser makes of
    /// `[1, 2.5]` and what tensors are written as (a matrix is an `.array` of these).
    /// It equals the `.array` of the same `.number`s; read arrays through ``elements``
    /// or ``numberArray`` to accept both.
    case numbers([Double])
}

extension JSON: Equatable {
    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.object(x), .object(y)): return x == y
        case let (.numbers(x), .numbers(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case (.array, .numbers), (.numbers, .array): return a.elements == b.elements
        default: return false
        }
    }
}

extension JSON {
    /// The elements of an array (either representation), or nil for any other value.
    public var elements: [JSON]? {
        switch self {
        case let .array(items): return items
        case let .numbers(values): return values.map { .number($0) }
        default: return nil
        }
    }

    /// The numbers of an array whose elements are all numbers, or nil.
    public var numberArray: [Double]? {
        switch self {
        case let .numbers(values): return values
        case let .array(items):
            var values = [Double]()
            values.reserveCapacity(items.count)
            for item in items {
                guard case let .number(d) = item else { return nil }
                values.append(d)
            }
            return values
        default: return nil
        }
    }
}

/// A JSON object with its keys in document order.
public struct JSONObject: Sendable, Equatable {
    public var entries: [(key: String, value: JSON)]

    public init(_ entries: [(key: String, value: JSON)]) { self.entries = entries }
    public init(_ dict: [String: JSON]) { self.entries = dict.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    public subscript(key: String) -> JSON? { entries.last(where: { $0.key == key })?.value }
    public var keys: [String] { entries.map(\.key) }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// A JSON syntax error with its byte offset.
public struct JSONSyntaxError: Error, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "malformed JSON at byte \(offset): \(message)" }
}

extension JSON {
    /// Parses a complete JSON document (surrounding whitespace allowed).
    public static func parse(_ text: String) throws -> JSON {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses a complete JSON document from its UTF-8 bytes (invalid UTF-8 inside a
    /// string becomes U+FFFD; outside strings it is a syntax error).
    public static func parse(bytes: [UInt8]) throws -> JSON {
        var terminated = bytes
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            var p = JSONParser(bytes: buffer, end: bytes.count)
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            guard p.i == p.end else { throw p.error("unexpected text after the document") }
            return v
        }
    }
}

/// A recursive-descent reader of one document, through a pointer to its bytes (valid for
/// the parser's life: `JSON.parse(bytes:)` scopes it).
struct JSONParser {
    /// The document's bytes and a terminating 0 (so that `strtod` never reads past them).
    let bytes: UnsafeBufferPointer<UInt8>
    /// The number of bytes of the document.
    let end: Int
    var i = 0
    /// The numbers of the array being read (see `array(depth:)`).
    var scratch: [Double] = []

    init(bytes: UnsafeBufferPointer<UInt8>, end: Int) {
        precondition(end < bytes.count && bytes[end] == 0, "the document must be 0-terminated")
        self.bytes = bytes
        self.end = end
    }

    func error(_ m: String) -> JSONSyntaxError { JSONSyntaxError(message: m, offset: i) }

    mutating func skipWhitespace() {
        while i < end, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func value(depth: Int) throws -> JSON {
        guard depth < 512 else { throw error("nesting deeper than 512") }
        guard i < end else { throw error("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return .object(try object(depth: depth))
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(UnicodeScalar(bytes[i])))' (NaN and Infinity are not JSON)")
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= end, Array(bytes[i..<(i + w.count)]) == w else { throw error("invalid literal") }
        i += w.count
    }

    mutating func object(depth: Int) throws -> JSONObject {
        i += 1
        var entries: [(key: String, value: JSON)] = []
        skipWhitespace()
        if i < end, bytes[i] == UInt8(ascii: "}") { i += 1; return JSONObject(entries) }
        while true {
            skipWhitespace()
            guard i < end, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let k = try string()
            skipWhitespace()
            guard i < end, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
            i += 1
            skipWhitespace()
            entries.append((k, try value(depth: depth + 1)))
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input in an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return JSONObject(entries) }
            throw error("expected ',' or '}'")
        }
    }

    /// An array: `.numbers` while every element is a number (read without boxing), the
    /// general `.array` from the first element that is not.
    mutating func array(depth: Int) throws -> JSON {
        i += 1
        var items: [JSON] = []
        skipWhitespace()
        if i < end, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        if startsNumber() {
            // Gathered in `scratch` (its capacity kept from array to array), then copied
            // once at its exact size: no regrowth per array.
            scratch.removeAll(keepingCapacity: true)
            while true {
                scratch.append(try number())
                skipWhitespace()
                guard i < end else { throw error("unexpected end of input in an array") }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .numbers(Array(scratch)) }
                guard bytes[i] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
                i += 1
                skipWhitespace()
                if !startsNumber() { break }
            }
            items = scratch.map { .number($0) }
        }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input in an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    /// Whether a number starts here (a minus sign or a digit).
    func startsNumber() -> Bool {
        i < end && (bytes[i] == UInt8(ascii: "-") || bytes[i] &- 0x30 < 10)
    }

    /// The value of the eight ASCII digits at `k` (the first the most significant), or
    /// nil if any of them is not a digit: one unaligned 64-bit load, a test of all eight
    /// bytes at once, and three multiplications that combine pairs, quads and octets.
    @inline(__always)
    static func eightDigits(_ p: UnsafeBufferPointer<UInt8>, at k: Int) -> UInt64? {
        let word = UInt64(littleEndian: UnsafeRawPointer(p.baseAddress! + k).loadUnaligned(as: UInt64.self))
        // Each byte 0x30...0x39: high nibble 3, and adding 6 does not carry into it.
        let highNibbles = word & 0xF0F0_F0F0_F0F0_F0F0
        let carries = (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        guard highNibbles | (carries >> 4) == 0x3333_3333_3333_3333 else { return nil }
        var v = word &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)
        let low = (v & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
        let high = ((v >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))
        return (low &+ high) >> 32
    }

    /// Exact powers of ten (every `10^k`, `k <= 22`, is a double).
    static let exactPowersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }

    mutating func number() throws -> Double {
        let start = i
        // One pass over the bytes (through a pointer: no bounds check per digit) checks
        // the grammar and gathers the significant digits as an integer (up to 19 of them)
        // and the power of ten they are scaled by.
        var mantissa: UInt64 = 0, significant = 0, scale = 0, exponent = 0
        var negative = false
        var failure: String?
        i = { (p: UnsafeBufferPointer<UInt8>) -> Int in
            var k = start
            let end = self.end
            @inline(__always) func isDigit(_ k: Int) -> Bool { k < end && p[k] &- 0x30 < 10 }
            if p[k] == UInt8(ascii: "-") { negative = true; k += 1 }
            guard k < end else { failure = "invalid number"; return k }
            if p[k] == UInt8(ascii: "0") {
                k += 1
            } else {
                guard isDigit(k) else { failure = "invalid number"; return k }
                while significant <= 11, k + 8 <= end, let eight = Self.eightDigits(p, at: k) {
                    mantissa = mantissa &* 100_000_000 &+ eight
                    significant += 8
                    k += 8
                }
                while isDigit(k) {
                    let digit = UInt64(p[k] &- 0x30)
                    significant += 1
                    if significant <= 19 { mantissa = mantissa &* 10 &+ digit } else { scale += 1 }
                    k += 1
                }
            }
            if k < end, p[k] == UInt8(ascii: ".") {
                k += 1
                guard isDigit(k) else { failure = "invalid number: digits expected after '.'"; return k }
                // Leading zeros of a number below 1 only scale it.
                if mantissa == 0 {
                    while k < end, p[k] == UInt8(ascii: "0") { k += 1; scale -= 1 }
                }
                // Then every digit is significant: eight at a time while they fit in 19,
                // the rest one by one (beyond 19 they are counted, for strtod, not kept).
                while significant <= 11, k + 8 <= end, let eight = Self.eightDigits(p, at: k) {
                    mantissa = mantissa &* 100_000_000 &+ eight
                    significant += 8
                    scale -= 8
                    k += 8
                }
                while isDigit(k) {
                    significant += 1
                    if significant <= 19 { mantissa = mantissa &* 10 &+ UInt64(p[k] &- 0x30); scale -= 1 }
                    k += 1
                }
            }
            if k < end, p[k] == UInt8(ascii: "e") || p[k] == UInt8(ascii: "E") {
                k += 1
                var sign = 1
                if k < end, p[k] == UInt8(ascii: "+") || p[k] == UInt8(ascii: "-") {
                    if p[k] == UInt8(ascii: "-") { sign = -1 }
                    k += 1
                }
                guard isDigit(k) else { failure = "invalid number: exponent digits expected"; return k }
                while isDigit(k) {
                    if exponent < 100_000 { exponent = exponent * 10 + Int(p[k] &- 0x30) }
                    k += 1
                }
                exponent *= sign
            }
            return k
        }(bytes)
        if let failure { throw error(failure) }
        // Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22 are
        // both exact doubles, so one correctly rounded multiplication or division gives
        // the correctly rounded value (most numbers printed with up to 16 digits).
        let power = scale + exponent
        if significant <= 19, mantissa <= 1 << 53, abs(power) <= 22 {
            let m = Double(mantissa)
            let value = power >= 0 ? m * Self.exactPowersOfTen[power] : m / Self.exactPowersOfTen[-power]
            return negative ? -value : value
        }
        // Up to 19 digits (every printed double): Eisel-Lemire, exact unless it declines.
        if significant <= 19, let value = DecimalToDouble.convert(mantissa: mantissa, exponent: power, negative: negative) {
            return value
        }
        // Otherwise strtod, on the buffer directly (the extent is validated above, and
        // JSON's grammar is a subset of strtod's, so it reads exactly these bytes).
        let length = i - start
        let d: Double = bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { base in
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(base + start, &stop)
            return stop == UnsafeMutablePointer(mutating: base + start + length) ? value : .nan
        }
        guard !d.isNaN else {
            throw error("invalid number '\(String(decoding: bytes[start..<i], as: UTF8.self))'")
        }
        guard d.isFinite else {
            throw error("number '\(String(decoding: bytes[start..<i], as: UTF8.self))' overflows a double")
        }
        return d
    }

    mutating func string() throws -> String {
        i += 1
        var out = [UInt8]()
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { throw error("control character in a string") }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < end else { break }
                switch bytes[i] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 4 < end, let u = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16)
                    else { throw error("invalid \\u escape") }
                    i += 4
                    var scalar = u
                    if (0xD800..<0xDC00).contains(u), i + 6 < end, bytes[i + 1] == UInt8(ascii: "\\"), bytes[i + 2] == UInt8(ascii: "u"),
                       let lo = UInt32(String(decoding: bytes[(i + 3)...(i + 6)], as: UTF8.self), radix: 16), (0xDC00..<0xE000).contains(lo) {
                        scalar = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(Character(UnicodeScalar(scalar) ?? "\u{FFFD}")).utf8))
                default: throw error("invalid escape")
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        throw error("unterminated string")
    }
}

extension JSON {
    /// Compact serialisation; doubles in Swift's shortest round-trip form. Non-finite
    /// numbers are a programming error here (callers check finiteness first).
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// The compact serialisation as UTF-8 bytes.
    public func serializedBytes() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(1 << 12)
        write(to: &out)
        return out
    }

    /// Appends the JSON text as UTF-8 bytes (one buffer for the whole document: no
    /// `String` per number or punctuation mark).
    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case let .number(d): JSON.writeNumber(d, to: &out)
        case let .string(s): JSON.writeString(s, to: &out)
        case let .array(a):
            out.append(UInt8(ascii: "["))
            for (k, v) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: " ")) }
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .numbers(values):
            out.append(UInt8(ascii: "["))
            for (k, v) in values.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: " ")) }
                JSON.writeNumber(v, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(o):
            out.append(UInt8(ascii: "{"))
            for (k, e) in o.entries.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: " ")) }
                JSON.writeString(e.key, to: &out)
                out.append(UInt8(ascii: ":")); out.append(UInt8(ascii: " "))
                e.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The shortest text that reads back as `d` (Swift's own `description`), integers
    /// below 1e15 without a fraction.
    static func format(_ d: Double) -> String {
        var out = [UInt8]()
        writeNumber(d, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func writeNumber(_ d: Double, to out: inout [UInt8]) {
        precondition(d.isFinite, "non-finite number in JSON output")
        if abs(d) < 1e15, Double(Int64(d)) == d {
            var v = Int64(d)
            if v == 0 { out.append(UInt8(ascii: "0")); return }
            if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var n = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                while v > 0 { buffer[n] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; n += 1 }
                for k in stride(from: n - 1, through: 0, by: -1) { out.append(buffer[k]) }
            }
            return
        }
        // Swift's shortest round-trip digits, handed over as bytes (no `String`).
        var sink = ByteSink()
        swap(&sink.bytes, &out)
        d.write(to: &sink)
        swap(&sink.bytes, &out)
    }

    /// A byte buffer as a text stream: `Double.write(to:)` passes its digits through
    /// `_writeASCII` without making a `String` for them.
    private struct ByteSink: TextOutputStream {
        var bytes: [UInt8] = []
        mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

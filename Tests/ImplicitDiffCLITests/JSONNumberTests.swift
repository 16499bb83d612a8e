import Foundation
import Testing
@testable import ImplicitDiffCLI

// Numbers are read by a fast path (Clinger: exact mantissa below 2^53 times an exact
// power of ten up to 10^22) with strtod behind it, and written from the shortest
// round-trip text. Both must be bit-exact: every number is compared with the correctly
// rounded reading of the same text (Double(String), strtod) and read back after writing.

@Suite("JSON numbers: bit-exact reading and writing")
struct JSONNumberTests {
    /// Texts of random doubles in the formats producers use (shortest round trip as
    /// Python's repr and Swift print, %.17g as C, fixed and exponent notation, integers).
    static func texts(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var out = [String]()
        for k in 0..<count {
            let unit = Double(next() >> 11) / Double(1 << 53)
            let magnitude = pow(10, Double(Int(next() % 60)) - 30)
            let d = (unit - 0.5) * magnitude
            switch k % 6 {
            case 0: out.append("\(d)")
            case 1: out.append(String(format: "%.17g", d))
            case 2: out.append(String(format: "%.6e", d))
            case 3: out.append(String(format: "%.12f", d))
            case 4: out.append(String(Int64(truncatingIfNeeded: next() >> 12) - (1 << 50)))
            default: out.append(String(format: "%.15g", unit * 100))
            }
        }
        return out + ["0", "-0", "0.0", "1e22", "1e23", "9007199254740993", "9007199254740992", "123456789012345678901234",
                      "0.1", "-2.5E-3", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "0.30000000000000004"]
    }

    @Test("every reading equals the correctly rounded reading of the same text")
    func readingIsCorrectlyRounded() throws {
        let texts = Self.texts(count: 6000, seed: 3)
        let parsed = try JSON.parse("[" + texts.joined(separator: ", ") + "]")
        guard case let .array(items) = parsed else { Issue.record("not an array"); return }
        for (text, item) in zip(texts, items) {
            guard case let .number(d) = item, let expected = Double(text) else { Issue.record("\(text) not read"); continue }
            #expect(d.bitPattern == expected.bitPattern, "\(text): read \(d), expected \(expected)")
        }
    }

    @Test("writing then reading gives the same bits")
    func roundTrip() throws {
        let values = Self.texts(count: 3000, seed: 4).compactMap { Double($0) }
        let text = JSON.array(values.map { .number($0) }).serialized()
        guard case let .array(items) = try JSON.parse(text) else { Issue.record("not an array"); return }
        for (value, item) in zip(values, items) {
            guard case let .number(d) = item else { Issue.record("lost \(value)"); continue }
            #expect(d.bitPattern == value.bitPattern || (d == 0 && value == 0), "\(value) came back as \(d)")
        }
        #expect(JSON.format(-42) == "-42" && JSON.format(0) == "0" && JSON.format(1e15) == "1000000000000000.0" && JSON.format(1e16) == "1e+16" && JSON.format(0.5) == "0.5")
        #expect(JSON.string("a\"b\\c\n\u{1}é").serialized() == #""a\"b\\c\n\u0001é""#)
    }
}

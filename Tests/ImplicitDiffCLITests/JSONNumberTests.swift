import Foundation
import Testing
@testable import ImplicitDiffCLI

// Numbers are read by a fast path (Clinger: exact mantissa below 2^53 times an exact
// power of ten up to 10^22), then Eisel-Lemire for up to 19 digits, with strtod behind
// both, and written from the shortest
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
        guard case let .numbers(values) = parsed else { Issue.record("not read as an array of numbers"); return }
        let items = values.map { JSON.number($0) }
        for (text, item) in zip(texts, items) {
            guard case let .number(d) = item, let expected = Double(text) else { Issue.record("\(text) not read"); continue }
            #expect(d.bitPattern == expected.bitPattern, "\(text): read \(d), expected \(expected)")
        }
    }

    /// Random decimal texts with 1-19 significant digits (Eisel-Lemire's domain) and
    /// exponents over the whole double range, subnormals and overflow included, plus
    /// digit strings at the halfway points between neighbouring doubles.
    @Test("Eisel-Lemire readings equal strtod's bit for bit")
    func eiselLemireIsCorrectlyRounded() throws {
        var state: UInt64 = 11
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var texts = [String]()
        for k in 0..<40_000 {
            let digits = 1 + Int(next() % 19)
            var text = k % 2 == 0 ? "" : "-"
            for d in 0..<digits { text += String(d == 0 ? 1 + next() % 9 : next() % 10) }
            if k % 3 == 0, digits > 1 { text.insert(".", at: text.index(text.startIndex, offsetBy: text.hasPrefix("-") ? 2 : 1)) }
            let exponent = Int(next() % 660) - 340
            texts.append(text + "e\(exponent)")
        }
        // Halfway between 1 and its successor, and between 2^53 and 2^53 + 2.
        texts += ["1.00000000000000011102230246251565404236316680908203125", "9007199254740993",
                  "9007199254740995", "1.7976931348623158e308", "2.4703282292062328e-324", "1e-400", "1e400"]
        for text in texts {
            let expected = strtod(text, nil)
            guard expected.isFinite else {
                #expect(throws: JSONSyntaxError.self) { try JSON.parse(text) }
                continue
            }
            guard case let .number(d) = try JSON.parse(text) else { Issue.record("\(text) not a number"); continue }
            #expect(d.bitPattern == expected.bitPattern, "\(text): read \(d), strtod \(expected)")
        }
    }

    @Test("eight digits at a time: every split of a 19-digit mantissa")
    func eightDigitChunks() throws {
        let digits = "1234567890123456789"
        for point in 0...digits.count {
            for zeros in 0..<3 {
                var text = String(digits.prefix(point))
                if point < digits.count { text += (point == 0 ? "0." : ".") + String(repeating: "0", count: zeros) + digits.dropFirst(point) }
                guard case let .number(d) = try JSON.parse(text) else { Issue.record("\(text) not a number"); continue }
                #expect(d.bitPattern == strtod(text, nil).bitPattern, "\(text): read \(d)")
            }
        }
    }

    @Test("writing then reading gives the same bits")
    func roundTrip() throws {
        let values = Self.texts(count: 3000, seed: 4).compactMap { Double($0) }
        let text = JSON.array(values.map { .number($0) }).serialized()
        guard let items = try JSON.parse(text).elements else { Issue.record("not an array"); return }
        for (value, item) in zip(values, items) {
            guard case let .number(d) = item else { Issue.record("lost \(value)"); continue }
            #expect(d.bitPattern == value.bitPattern || (d == 0 && value == 0), "\(value) came back as \(d)")
        }
        #expect(JSON.format(-42) == "-42" && JSON.format(0) == "0" && JSON.format(1e15) == "1000000000000000.0" && JSON.format(1e16) == "1e+16" && JSON.format(0.5) == "0.5")
        #expect(JSON.string("a\"b\\c\n\u{1}é").serialized() == #""a\"b\\c\n\u0001é""#)
    }
}

@Suite("JSON arrays of numbers")
struct JSONNumberArrayTests {
    @Test("numbers-only arrays are read unboxed and equal their boxed form; mixed arrays stay general")
    func representations() throws {
        let numeric = try JSON.parse("[1, -2.5e3 , 0]")
        guard case let .numbers(values) = numeric else { Issue.record("\(numeric) not unboxed"); return }
        #expect(values == [1, -2500, 0])
        #expect(numeric == .array([.number(1), .number(-2500), .number(0)]))
        #expect(numeric.serialized() == "[1, -2500, 0]")
        let mixed = try JSON.parse(#"[1, 2, "x", 3]"#)
        guard case let .array(items) = mixed else { Issue.record("\(mixed) not general"); return }
        #expect(items == [.number(1), .number(2), .string("x"), .number(3)])
        #expect(mixed.numberArray == nil && numeric.numberArray == [1, -2500, 0])
        #expect(try JSON.parse("[]") == .array([]) && JSON.numbers([]) == .array([]))
        #expect(try JSON.parse("[[1, 2], [3]]") == .array([.numbers([1, 2]), .array([.number(3)])]))
        for bad in ["[1, ]", "[1 2]", "[1,", "[-]", "[1, 2"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSON.parse(bad) }
        }
    }
}

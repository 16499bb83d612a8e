/// The double nearest to a decimal `±w × 10^q` (`w < 2^64`), correctly rounded (ties to
/// even), by Eisel and Lemire's algorithm (D. Lemire, "Number parsing at a gigabyte per
/// second", Software: Practice and Experience 51(8), 2021).
///
/// With `w` shifted left until its top bit is set and `T_q` the 128 leading bits of
/// `10^q` rounded down (`PowersOfTen128`), the top 64 bits of `w × T_q` hold the 54
/// leading bits of `w × 10^q` unless the discarded part is within the truncation error
/// of a rounding boundary; then the product is widened with `T_q`'s low word, and if it
/// is still ambiguous the conversion declines (`nil`) and the caller falls back to
/// `strtod`. It also declines for subnormal and overflowing results and `q` outside the
/// table. Two 64 x 64-bit multiplications in the common case, against `strtod`'s
/// multi-precision arithmetic for the 17-digit numbers that printers emit.
enum DecimalToDouble {
    static func convert(mantissa w: UInt64, exponent q: Int, negative: Bool) -> Double? {
        if w == 0 { return negative ? -0.0 : 0.0 }
        guard q >= PowersOfTen128.smallestExponent, q <= PowersOfTen128.largestExponent else { return nil }
        let leadingZeros = w.leadingZeroBitCount
        let normalized = w << UInt64(leadingZeros)
        // floor(q log2 10) + 64 + the exponent bias, less the normalising shift.
        var exponent2 = UInt64(bitPattern: Int64(((217_706 * q) >> 16) + 64 + 1023)) &- UInt64(leadingZeros)
        let row = 2 * (q - PowersOfTen128.smallestExponent)
        var (high, low) = normalized.multipliedFullWidth(by: PowersOfTen128.words[row])
        if high & 0x1FF == 0x1FF, low &+ normalized < normalized {
            let (wideHigh, wideLow) = normalized.multipliedFullWidth(by: PowersOfTen128.words[row + 1])
            var mergedHigh = high
            let mergedLow = low &+ wideHigh
            if mergedLow < low { mergedHigh &+= 1 }
            if mergedHigh & 0x1FF == 0x1FF, mergedLow &+ 1 == 0, wideLow &+ normalized < normalized { return nil }
            (high, low) = (mergedHigh, mergedLow)
        }
        let topBit = high >> 63
        var significand = high >> (topBit + 9)
        exponent2 &-= 1 ^ topBit
        // Exactly half-way between two doubles: the rounding needs the digits beyond.
        if low == 0, high & 0x1FF == 0, significand & 3 == 1 { return nil }
        significand &+= significand & 1
        significand >>= 1
        if significand >> 53 > 0 {
            significand >>= 1
            exponent2 &+= 1
        }
        // Subnormal (exponent 0 or below, wrapped) or infinite (0x7FF and above).
        if exponent2 &- 1 >= 0x7FF - 1 { return nil }
        let sign: UInt64 = negative ? 1 << 63 : 0
        return Double(bitPattern: sign | exponent2 << 52 | significand & 0x000F_FFFF_FFFF_FFFF)
    }
}

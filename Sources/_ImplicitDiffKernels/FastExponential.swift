import Glibc

/// `exp(x)` in straight-line arithmetic that the compiler can vectorise, for the
/// log-sum-exp passes of optimal transport and the residuals of Newton's method. Not API
/// (underscored module).
///
/// Cody-Waite reduction `x = k ln 2 + r`, `|r| <= ln(2)/2`, then Taylor to degree 13
/// (truncation below 5e-18 relative; lane 0 of the four-lane version below) and the scaling `2^k` applied as two factors
/// `2^(k/2) 2^(k - k/2)`, so that results down to the subnormal range round once and
/// `x < -745` gives 0. Inputs are clamped to `[-750, 709]`; accuracy is within 2 ulp of
/// the correctly rounded value over that range (checked against `Glibc.exp` in the
/// tests).
@inlinable @inline(__always)
public func fastExp(_ x: Double) -> Double { fastExp(SIMD4(repeating: x))[0] }

/// ``fastExp(_:)`` on four lanes at once (explicit SIMD: the scalar loop does not
/// vectorise on the baseline x86-64 target). The polynomial is evaluated by Estrin's
/// scheme, whose short dependency chains keep the vector units busy. Not API.
@inlinable @inline(__always)
public func fastExp(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let xc = x.clamped(lowerBound: SIMD4(repeating: -750), upperBound: SIMD4(repeating: 709))
    let (p, k) = reducedExponential(xc)
    let k1 = k &>> 1, k2 = k &- k1
    let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: SIMD4<Double>.self)
    let s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: SIMD4<Double>.self)
    return p * s1 * s2
}

/// `exp(x) = p 2^k` with `p = exp(r)`, `x = k ln 2 + r`, `|r| <= ln(2)/2`: the kernel of
/// ``fastExp(_:)``. Not API.
@inlinable @inline(__always)
public func reducedExponential(_ x: SIMD4<Double>) -> (p: SIMD4<Double>, k: SIMD4<Int64>) {
    let shifter = SIMD4<Double>(repeating: 6_755_399_441_055_744.0)
    let kd = x * 1.442_695_040_888_963_4 + shifter
    let k = unsafeBitCast(kd, to: SIMD4<Int64>.self) &- unsafeBitCast(shifter, to: SIMD4<Int64>.self)
    let kf = kd - shifter
    let r = (x - kf * 6.931_471_803_691_238_164_90e-01) - kf * 1.908_214_929_270_587_700_02e-10
    // Estrin's scheme: a dependency depth of 6 instead of Horner's 13.
    let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
    let q0 = 1 + r, q1 = 0.5 + r * (1.0 / 6), q2 = 1.0 / 24 + r * (1.0 / 120), q3 = 1.0 / 720 + r * (1.0 / 5_040)
    let q4 = 1.0 / 40_320 + r * (1.0 / 362_880), q5 = 1.0 / 3_628_800 + r * (1.0 / 39_916_800)
    let q6 = 1.0 / 479_001_600 + r * (1.0 / 6_227_020_800)
    let p = q0 + (r2 * q1 + (r4 * (q2 + r2 * q3) + r8 * (q4 + r2 * q5 + r4 * q6)))
    return (p, k)
}

/// `buffer[i] = exp(buffer[i] - shift)` for `i` in `range`, four lanes at a time.
@inlinable @inline(__always)
public func exponentiate(_ buffer: UnsafeMutableBufferPointer<Double>, _ range: Range<Int>, minus shift: Double) {
    var i = range.lowerBound
    let end = range.upperBound
    let base = buffer.baseAddress!
    while i + 4 <= end {
        let raw = UnsafeMutableRawPointer(base + i)
        let v = raw.loadUnaligned(as: SIMD4<Double>.self)
        raw.storeBytes(of: fastExp(v - shift), as: SIMD4<Double>.self)
        i += 4
    }
    while i < end {
        base[i] = fastExp(base[i] - shift)
        i += 1
    }
}

/// `out[i] = exp(x[i])` for `i < count`, four lanes at a time with the kernel of
/// ``fastExp(_:)`` where all four inputs lie in `[-708, 709]` (results normal: one exact
/// scaling by `2^k`, no clamping), and `Glibc.exp` elsewhere, so that NaN stays NaN,
/// overflow gives infinity and underflow gives subnormals or 0 exactly as there: callers
/// that test their values for finiteness see what they would see with `Glibc.exp`.
/// Not API (underscored module).
@inlinable
public func exponentials(of x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, count: Int) {
    @inline(__always) func inRange(_ v: Double) -> Bool { v >= -708 && v <= 709 }  // false for NaN
    var i = 0
    while i + 4 <= count {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
        // Scalar tests: cheaper here than SIMD masks on the baseline x86-64 target.
        if inRange(v[0]) && inRange(v[1]) && inRange(v[2]) && inRange(v[3]) {
            let (p, k) = reducedExponential(v)
            let scale = unsafeBitCast((k &+ 1023) &<< 52, to: SIMD4<Double>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: p * scale, as: SIMD4<Double>.self)
        } else {
            for j in i..<(i + 4) { out[j] = Glibc.exp(x[j]) }
        }
        i += 4
    }
    while i < count {
        out[i] = inRange(x[i]) ? fastExp(x[i]) : Glibc.exp(x[i])
        i += 1
    }
}

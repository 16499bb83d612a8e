import _ImplicitDiffKernels

// The vectorised exponential (`fastExp`, `exponentiate`) is in the internal kernels
// module: these are the fused passes of the log-sum-exp built on it.

/// `out[j] = (g[j] - c[j]) * scale` for `j < count`; returns `max_j out[j]`. Four lanes at
/// a time. Not API.
@inline(__always)
func scaledDifferenceAndMax(_ g: UnsafePointer<Double>, _ c: UnsafePointer<Double>, scale: Double,
                            into out: UnsafeMutablePointer<Double>, count: Int) -> Double {
    var j = 0
    var best = SIMD4<Double>(repeating: -.infinity)
    while j + 4 <= count {
        let t = (UnsafeRawPointer(g + j).loadUnaligned(as: SIMD4<Double>.self)
                 - UnsafeRawPointer(c + j).loadUnaligned(as: SIMD4<Double>.self)) * scale
        UnsafeMutableRawPointer(out + j).storeBytes(of: t, as: SIMD4<Double>.self)
        best = pointwiseMax(best, t)
        j += 4
    }
    var result = best.max()
    while j < count {
        let t = (g[j] - c[j]) * scale
        out[j] = t
        result = Swift.max(result, t)
        j += 1
    }
    return result
}

/// `exp(x)` for `x <= 0` (a log-sum-exp's shifted exponents): the kernels' reduction
/// `reducedExponential` (`exp(x) = p 2^k`, within 2 ulp, as `fastExp`) with only the
/// lower clamp at `-750` written as a lane select, and the scaling `2^k` as two factors
/// (results down to the subnormal range round once; `x < -745` gives 0). `fastExp`'s
/// generic two-sided clamp is not inlined across modules and cost a quarter of a
/// point-cloud pass. Not API.
@inline(__always)
func nonPositiveExp(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let floor = SIMD4<Double>(repeating: -750)
    let xc = x.replacing(with: floor, where: x .< floor)
    let (p, k) = reducedExponential(xc)
    let k1 = k &>> 1, k2 = k &- k1
    let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: SIMD4<Double>.self)
    let s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: SIMD4<Double>.self)
    return p * s1 * s2
}

/// `buffer[j] = exp(buffer[j] - shift)` for `j < count`, where `shift >= buffer[j]`
/// (the maximum, or a running maximum); returns the sum of the results.
@inline(__always)
func exponentiateAndSum(_ buffer: UnsafeMutablePointer<Double>, count: Int, minus shift: Double) -> Double {
    var j = 0
    var sum = SIMD4<Double>(repeating: 0)
    while j + 4 <= count {
        let raw = UnsafeMutableRawPointer(buffer + j)
        let e = nonPositiveExp(raw.loadUnaligned(as: SIMD4<Double>.self) - shift)
        raw.storeBytes(of: e, as: SIMD4<Double>.self)
        sum += e
        j += 4
    }
    var result = sum.sum()
    while j < count {
        let e = fastExp(buffer[j] - shift)
        buffer[j] = e
        result += e
        j += 1
    }
    return result
}

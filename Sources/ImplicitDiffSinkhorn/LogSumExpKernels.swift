import ImplicitDiffCore

// The vectorised exponential (`fastExp`, `exponentiate`) is ImplicitDiffCore's
// (package access): these are the fused passes of the log-sum-exp built on it.

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

/// `buffer[j] = exp(buffer[j] - shift)` for `j < count`; returns the sum of the results.
@inline(__always)
func exponentiateAndSum(_ buffer: UnsafeMutablePointer<Double>, count: Int, minus shift: Double) -> Double {
    var j = 0
    var sum = SIMD4<Double>(repeating: 0)
    while j + 4 <= count {
        let raw = UnsafeMutableRawPointer(buffer + j)
        let e = fastExp(raw.loadUnaligned(as: SIMD4<Double>.self) - shift)
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

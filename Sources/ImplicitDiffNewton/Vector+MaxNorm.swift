import ImplicitDiffCore

extension Vector {
    /// ``Vector/maxNorm`` (`max_i |v_i|`, NaN entries skipped as there) in four
    /// independent lanes: the serial compare-and-select chain of `reduce` costs a few
    /// cycles per entry, which Newton's method pays several times per iteration. Not API.
    var fastMaxNorm: Double {
        scalars.withUnsafeBufferPointer { v in
            var m0 = 0.0, m1 = 0.0, m2 = 0.0, m3 = 0.0
            var i = 0
            while i + 4 <= v.count {
                let a0 = abs(v[i]), a1 = abs(v[i + 1]), a2 = abs(v[i + 2]), a3 = abs(v[i + 3])
                m0 = a0 >= m0 ? a0 : m0
                m1 = a1 >= m1 ? a1 : m1
                m2 = a2 >= m2 ? a2 : m2
                m3 = a3 >= m3 ? a3 : m3
                i += 4
            }
            while i < v.count {
                let a = abs(v[i])
                m0 = a >= m0 ? a : m0
                i += 1
            }
            return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
        }
    }
}

extension Vector {
    /// `max_i |v_i|` when every entry is finite, `nil` otherwise: the max norm and the
    /// finiteness test in one pass (`v_i * 0` is 0 exactly for finite `v_i`, NaN for NaN
    /// and infinities). Not API.
    var finiteMaxNorm: Double? {
        scalars.withUnsafeBufferPointer { v in
            var m0 = 0.0, m1 = 0.0
            var z0 = 0.0, z1 = 0.0
            var i = 0
            while i + 2 <= v.count {
                let a0 = abs(v[i]), a1 = abs(v[i + 1])
                m0 = a0 >= m0 ? a0 : m0
                m1 = a1 >= m1 ? a1 : m1
                z0 += v[i] * 0
                z1 += v[i + 1] * 0
                i += 2
            }
            if i < v.count {
                let a = abs(v[i])
                m0 = a >= m0 ? a : m0
                z0 += v[i] * 0
            }
            return z0 + z1 == 0 ? Swift.max(m0, m1) : nil
        }
    }
}

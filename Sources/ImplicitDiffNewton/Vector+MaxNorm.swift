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

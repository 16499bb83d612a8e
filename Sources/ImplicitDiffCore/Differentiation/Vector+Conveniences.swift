import Glibc
import _Differentiation

// What differentiable model code reaches for, each with a hand-written pullback (one
// array per pullback, no per-scalar tape): scalar broadcasts, reductions, the common
// elementwise functions, and differentiable indexing (`v[i]`, `v.slice(range)`). Checked against central
// differences in VectorConveniencesTests.

extension Vector {
    /// The vector of `n` ones.
    @inlinable
    public static func ones(_ n: Int) -> Vector { Vector(repeating: 1, count: n) }

    /// `s + v_i` for every `i`.
    @inlinable @differentiable(reverse)
    public static func + (lhs: Double, rhs: Vector) -> Vector { rhs + lhs }

    /// `s / v_i` for every `i`.
    @inlinable @differentiable(reverse)
    public static func / (lhs: Double, rhs: Vector) -> Vector { Vector(rhs.scalars.map { lhs / $0 }) }

    /// The arithmetic mean, `sum(v) / n` (NaN for the empty vector).
    @inlinable @differentiable(reverse)
    public func mean() -> Double { sum() / Double(count) }

    /// The largest entry (`-inf` for the empty vector). Its gradient is the unit vector
    /// of the first largest entry (a subgradient where entries tie).
    @inlinable @differentiable(reverse)
    public func max() -> Double { scalars.max() ?? -.infinity }

    /// The smallest entry (`+inf` for the empty vector); gradient as for ``max()``.
    @inlinable @differentiable(reverse)
    public func min() -> Double { scalars.min() ?? .infinity }

    /// `log sum_i exp(v_i)`, computed stably (shifted by the maximum). Its gradient is the
    /// softmax of `v`.
    @inlinable @differentiable(reverse)
    public func logSumExp() -> Double {
        guard let m = scalars.max(), m.isFinite else { return scalars.max() ?? -.infinity }
        return m + Glibc.log(scalars.reduce(0) { $0 + Glibc.exp($1 - m) })
    }

    /// The logistic function `1 / (1 + exp(-v_i))`, without overflow for large `|v_i|`.
    @inlinable @differentiable(reverse)
    public func sigmoid() -> Vector {
        Vector(scalars.map { $0 >= 0 ? 1 / (1 + Glibc.exp(-$0)) : Glibc.exp($0) / (1 + Glibc.exp($0)) })
    }

    /// `log(1 + exp(v_i))`, without overflow (`v_i + log1p(exp(-v_i))` for positive `v_i`).
    /// Its derivative is the sigmoid.
    @inlinable @differentiable(reverse)
    public func softplus() -> Vector {
        Vector(scalars.map { $0 > 0 ? $0 + Glibc.log1p(Glibc.exp(-$0)) : Glibc.log1p(Glibc.exp($0)) })
    }

    /// `max(v_i, 0)`; derivative 1 where `v_i > 0`, else 0.
    @inlinable @differentiable(reverse)
    public func relu() -> Vector { Vector(scalars.map { Swift.max($0, 0) }) }

    /// `|v_i|`; derivative `sign(v_i)` (0 at 0).
    @inlinable @differentiable(reverse)
    public func magnitudes() -> Vector { Vector(scalars.map { Swift.abs($0) }) }
}

extension Vector {
    @inlinable @derivative(of: +)
    static func _vjpScalarAdd(lhs: Double, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Double, Vector)) {
        (lhs + rhs, { v in (v.sum(), v) })
    }

    @inlinable @derivative(of: /)
    static func _vjpScalarDivide(lhs: Double, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Double, Vector)) {
        let q = lhs / rhs
        return (q, { v in
            if v.scalars.isEmpty { return (0, .zero) }
            return ((v / rhs).sum(), -(v * q / rhs))
        })
    }

    /// `v[i]` is differentiable: its pullback puts the cotangent at `i`.
    @inlinable @derivative(of: subscript.get)
    func _vjpSubscript(_ i: Int) -> (value: Double, pullback: (Double) -> Vector) {
        _vjpElement(i)
    }

    @inlinable @derivative(of: mean)
    func _vjpMean() -> (value: Double, pullback: (Double) -> Vector) {
        let n = count
        return (mean(), { s in Vector(repeating: s / Double(n), count: n) })
    }

    @inlinable @derivative(of: max)
    func _vjpMax() -> (value: Double, pullback: (Double) -> Vector) {
        let n = count
        let i = scalars.indices.max { scalars[$0] < scalars[$1] || (scalars[$0] == scalars[$1] && $0 > $1) }
        return (max(), { s in
            var g = Vector.zeros(n)
            if let i { g.scalars[i] = s }
            return g
        })
    }

    @inlinable @derivative(of: min)
    func _vjpMin() -> (value: Double, pullback: (Double) -> Vector) {
        let n = count
        let i = scalars.indices.min { scalars[$0] < scalars[$1] || (scalars[$0] == scalars[$1] && $0 < $1) }
        return (min(), { s in
            var g = Vector.zeros(n)
            if let i { g.scalars[i] = s }
            return g
        })
    }

    @inlinable @derivative(of: logSumExp)
    func _vjpLogSumExp() -> (value: Double, pullback: (Double) -> Vector) {
        let value = logSumExp()
        let softmax = Vector(scalars.map { Glibc.exp($0 - value) })
        return (value, { s in s * softmax })
    }

    @inlinable @derivative(of: sigmoid)
    func _vjpSigmoid() -> (value: Vector, pullback: (Vector) -> Vector) {
        let s = sigmoid()
        return (s, { v in v.scalars.isEmpty ? .zero : v * s * (1 - s) })
    }

    @inlinable @derivative(of: softplus)
    func _vjpSoftplus() -> (value: Vector, pullback: (Vector) -> Vector) {
        let s = sigmoid()
        return (softplus(), { v in v.scalars.isEmpty ? .zero : v * s })
    }

    @inlinable @derivative(of: relu)
    func _vjpRelu() -> (value: Vector, pullback: (Vector) -> Vector) {
        let mask = Vector(scalars.map { $0 > 0 ? 1 : 0 })
        return (relu(), { v in v.scalars.isEmpty ? .zero : v * mask })
    }

    @inlinable @derivative(of: magnitudes)
    func _vjpMagnitudes() -> (value: Vector, pullback: (Vector) -> Vector) {
        let sign = Vector(scalars.map { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 })
        return (magnitudes(), { v in v.scalars.isEmpty ? .zero : v * sign })
    }

    @inlinable @derivative(of: slice)
    func _vjpSlice(_ range: Range<Int>) -> (value: Vector, pullback: (Vector) -> Vector) {
        _vjpEntries(range)
    }
}

extension Matrix {
    /// `A * s`.
    @inlinable @differentiable(reverse)
    public static func * (lhs: Matrix, rhs: Double) -> Matrix { rhs * lhs }

    /// `A / s`.
    @inlinable @differentiable(reverse)
    public static func / (lhs: Matrix, rhs: Double) -> Matrix { (1 / rhs) * lhs }
}

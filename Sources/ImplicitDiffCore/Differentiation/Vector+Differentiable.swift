import Glibc
import _Differentiation

/// `Vector` is its own tangent space.
extension Vector: Differentiable {
    public typealias TangentVector = Vector

    @inlinable
    public mutating func move(by offset: Vector) {
        if offset.scalars.isEmpty { return }
        self = self + offset
    }
}

// Hand-written pullbacks: one array per pullback instead of one per scalar
// operation. Each is checked against finite differences in the tests.
extension Vector {
    @inlinable @derivative(of: +)
    static func _vjpAdd(lhs: Vector, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Vector, Vector)) {
        (lhs + rhs, { v in (v, v) })
    }

    @inlinable @derivative(of: -)
    static func _vjpSubtract(lhs: Vector, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Vector, Vector)) {
        (lhs - rhs, { v in (v, -v) })
    }

    @inlinable @derivative(of: -)
    static func _vjpNegate(v: Vector) -> (value: Vector, pullback: (Vector) -> Vector) {
        (-v, { -$0 })
    }

    @inlinable @derivative(of: *)
    static func _vjpMultiply(lhs: Vector, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Vector, Vector)) {
        (lhs * rhs, { v in (v * rhs, v * lhs) })
    }

    @inlinable @derivative(of: /)
    static func _vjpDivide(lhs: Vector, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Vector, Vector)) {
        let q = lhs / rhs
        return (q, { v in
            if v.scalars.isEmpty { return (.zero, .zero) }
            let vl = v / rhs
            return (vl, -(vl * q))
        })
    }

    @inlinable @derivative(of: *)
    static func _vjpScale(lhs: Double, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Double, Vector)) {
        (lhs * rhs, { v in (v.dot(rhs), lhs * v) })
    }

    @inlinable @derivative(of: *)
    static func _vjpScaleRight(lhs: Vector, rhs: Double) -> (value: Vector, pullback: (Vector) -> (Vector, Double)) {
        (lhs * rhs, { v in (rhs * v, v.dot(lhs)) })
    }

    @inlinable @derivative(of: /)
    static func _vjpDivideScalar(lhs: Vector, rhs: Double) -> (value: Vector, pullback: (Vector) -> (Vector, Double)) {
        let q = lhs / rhs
        return (q, { v in (v / rhs, -v.dot(q) / rhs) })
    }

    @inlinable @derivative(of: +)
    static func _vjpAddScalar(lhs: Vector, rhs: Double) -> (value: Vector, pullback: (Vector) -> (Vector, Double)) {
        (lhs + rhs, { v in (v, v.sum()) })
    }

    @inlinable @derivative(of: -)
    static func _vjpSubtractScalar(lhs: Vector, rhs: Double) -> (value: Vector, pullback: (Vector) -> (Vector, Double)) {
        (lhs - rhs, { v in (v, -v.sum()) })
    }

    @inlinable @derivative(of: -)
    static func _vjpScalarSubtract(lhs: Double, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Double, Vector)) {
        (lhs - rhs, { v in (v.sum(), -v) })
    }

    @inlinable @derivative(of: sum)
    func _vjpSum() -> (value: Double, pullback: (Double) -> Vector) {
        let n = count
        return (sum(), { s in Vector(repeating: s, count: n) })
    }

    @inlinable @derivative(of: dot)
    func _vjpDot(_ other: Vector) -> (value: Double, pullback: (Double) -> (Vector, Vector)) {
        (dot(other), { s in (s * other.materialized(count: self.count), s * self.materialized(count: other.count)) })
    }

    @inlinable @derivative(of: squaredNorm)
    func _vjpSquaredNorm() -> (value: Double, pullback: (Double) -> Vector) {
        (squaredNorm(), { s in (2 * s) * self })
    }

    @inlinable @derivative(of: element)
    func _vjpElement(_ i: Int) -> (value: Double, pullback: (Double) -> Vector) {
        let n = count
        return (scalars[i], { s in
            var g = Vector.zeros(n)
            g.scalars[i] = s
            return g
        })
    }

    @inlinable @derivative(of: entries)
    func _vjpEntries(_ range: Range<Int>) -> (value: Vector, pullback: (Vector) -> Vector) {
        let n = count
        return (slice(range), { v in
            var g = Vector.zeros(n)
            if !v.scalars.isEmpty { g.scalars.replaceSubrange(range, with: v.scalars) }
            return g
        })
    }

    @inlinable @derivative(of: concatenated)
    func _vjpConcatenated(with other: Vector) -> (value: Vector, pullback: (Vector) -> (Vector, Vector)) {
        let n = count, m = other.count
        return (concatenated(with: other), { v in
            let w = v.materialized(count: n + m)
            return (w.slice(0..<n), w.slice(n..<(n + m)))
        })
    }

    @inlinable @derivative(of: exp)
    func _vjpExp() -> (value: Vector, pullback: (Vector) -> Vector) {
        let e = exp()
        return (e, { v in v * e })
    }

    @inlinable @derivative(of: log)
    func _vjpLog() -> (value: Vector, pullback: (Vector) -> Vector) {
        (log(), { v in v.scalars.isEmpty ? .zero : v / self })
    }

    @inlinable @derivative(of: sqrt)
    func _vjpSqrt() -> (value: Vector, pullback: (Vector) -> Vector) {
        let r = sqrt()
        return (r, { v in v.scalars.isEmpty ? .zero : v / (2 * r) })
    }

    @inlinable @derivative(of: pow, wrt: self)
    func _vjpPow(_ p: Double) -> (value: Vector, pullback: (Vector) -> Vector) {
        let d = Vector(scalars.map { p * Glibc.pow($0, p - 1) })
        return (pow(p), { v in v * d })
    }

    @inlinable @derivative(of: tanh)
    func _vjpTanh() -> (value: Vector, pullback: (Vector) -> Vector) {
        let t = tanh()
        return (t, { v in v * (1 - t * t) })
    }
}

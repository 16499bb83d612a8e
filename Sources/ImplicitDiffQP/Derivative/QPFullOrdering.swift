/// Maps between the full ordering `[z; lambda; mu]` of ``QPConditions`` and the reduced
/// ordering `[z; mu_a; lambda_e]` of ``QPReducedKKT``. Not API.
struct QPFullOrdering: Sendable {
    let shape: QPShape
    let active: [Int]
    let equalities: [Int]
    let inactive: [Int]

    init(shape: QPShape, active: [Int], equalities: [Int]) {
        self.shape = shape
        self.active = active
        self.equalities = equalities
        let a = Set(active)
        inactive = (0..<shape.m).filter { !a.contains($0) }
    }

    /// `[v_z; v_mu[active]; v_lambda[eq]]` of a full vector.
    func reduceColumns(_ v: Vector) -> Vector {
        let n = shape.n, p = shape.p
        var r = Array(v.scalars[0..<n])
        r += active.map { v[n + p + $0] }
        r += equalities.map { v[n + $0] }
        return Vector(r)
    }

    /// A full vector from a reduced one; inactive `mu` rows copy `passthrough` (the
    /// identity block), or are zero.
    func expandRows(_ r: Vector, passthrough: Vector?) -> Vector {
        let n = shape.n, p = shape.p, k = active.count
        var v = [Double](repeating: 0, count: shape.solutionCount)
        for j in 0..<n { v[j] = r[j] }
        for (t, i) in active.enumerated() { v[n + p + i] = r[n + t] }
        for (t, i) in equalities.enumerated() { v[n + i] = r[n + k + t] }
        if let pt = passthrough { for i in inactive { v[n + p + i] = pt[n + p + i] } }
        return Vector(v)
    }
}

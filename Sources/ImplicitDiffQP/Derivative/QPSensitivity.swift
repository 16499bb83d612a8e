/// The linearisation of the KKT conditions on an active set, in the reduced ordering
/// `[z; mu_a; lambda_e]` of ``QPReducedKKT``. Not API.
///
/// With `a` the active inequalities and `e` the equality rows in use, the conditions are
/// ```
/// F_z = Q z + q + A_e'lambda_e + G_a'mu_a = 0,   F_a = G_a z - h_a = 0,   F_e = A_e z - b_e = 0
/// ```
/// and their derivative in the data along a tangent `(dQ, dq, dA, db, dG, dh)` (with `dQ`
/// symmetrised first) is
/// ```
/// B dx = [ dQ z + dq + dA_e'lambda_e + dG_a'mu_a ;  dG_a z - dh_a ;  dA_e z - db_e ]
/// ```
/// Its transpose applied to `w = [w_z; w_a; w_e]` is
/// ```
/// Q: (w_z z' + z w_z')/2   q: w_z   A_e: lambda_e w_z' + w_e z'   b_e: -w_e
/// G_a: mu_a w_z' + w_a z'   h_a: -w_a      (zero on the other rows)
/// ```
struct QPSensitivity {
    let problem: QuadraticProgram
    let z: Vector
    let lambda: Vector
    let mu: Vector
    let active: [Int]
    let equalities: [Int]

    var n: Int { problem.variableCount }
    var dimension: Int { n + active.count + equalities.count }

    /// `B dx` in the reduced ordering. `dx` must be materialised.
    func applyB(_ t: QPParameters) -> Vector {
        let n = self.n, k = active.count
        var out = [Double](repeating: 0, count: dimension)
        let dq = t.Q.symmetricPart
        let top = dq * z + t.q
        for j in 0..<n { out[j] = top[j] }
        for (r, i) in active.enumerated() {
            let gi = t.G.row(i)
            for j in 0..<n { out[j] += gi[j] * mu[i] }
            out[n + r] = gi.dot(z) - t.h[i]
        }
        for (r, i) in equalities.enumerated() {
            let ai = t.A.row(i)
            for j in 0..<n { out[j] += ai[j] * lambda[i] }
            out[n + k + r] = ai.dot(z) - t.b[i]
        }
        return Vector(out)
    }

    /// `B' w` as a (complete) parameter bundle; the blocks outside `blocks` are left empty
    /// (zero) without being computed, so a layer in `q` alone never forms the `n x n`
    /// block of `Q` nor the `A`, `G` outer products.
    func applyBTransposed(_ w: Vector, blocks: Set<QPParameter> = Set(QPParameter.allCases)) -> QPParameters {
        let n = self.n, k = active.count
        let s = problem.shape
        let wz = w.slice(0..<n)
        var out = QPParameters()
        if blocks.contains(.Q) { out.Q = Matrix.outer(wz, z).symmetricPart }
        if blocks.contains(.q) { out.q = wz }
        if blocks.contains(.A) || blocks.contains(.b) {
            var gA = Matrix(rows: s.p, columns: n), gb = Vector.zeros(s.p)
            for (r, i) in equalities.enumerated() {
                let we = w[n + k + r], li = lambda[i]
                if blocks.contains(.A) { for j in 0..<n { gA[i, j] = li * wz[j] + we * z[j] } }
                gb[i] = -we
            }
            if blocks.contains(.A) { out.A = gA }
            if blocks.contains(.b) { out.b = gb }
        }
        if blocks.contains(.G) || blocks.contains(.h) {
            var gG = Matrix(rows: s.m, columns: n), gh = Vector.zeros(s.m)
            for (r, i) in active.enumerated() {
                let wa = w[n + r], mi = mu[i]
                if blocks.contains(.G) { for j in 0..<n { gG[i, j] = mi * wz[j] + wa * z[j] } }
                gh[i] = -wa
            }
            if blocks.contains(.G) { out.G = gG }
            if blocks.contains(.h) { out.h = gh }
        }
        return out
    }

    /// The reduced vector `[z; mu_a; lambda_e]` of a full output bundle.
    func reduce(_ o: QPOutputs) -> Vector {
        var v = o.z.scalars
        v += active.map { o.mu[$0] }
        v += equalities.map { o.lambda[$0] }
        return Vector(v)
    }

    /// The full output bundle of a reduced vector (zeros on inactive `mu` and on
    /// equality rows not in use).
    func expand(_ v: Vector, value: Double) -> QPOutputs {
        let n = self.n, k = active.count
        var mu = Vector.zeros(problem.inequalityCount), lambda = Vector.zeros(problem.equalityCount)
        for (r, i) in active.enumerated() { mu[i] = v[n + r] }
        for (r, i) in equalities.enumerated() { lambda[i] = v[n + k + r] }
        return QPOutputs(z: v.slice(0..<n), lambda: lambda, mu: mu, value: value)
    }

    /// The gradient of the optimal value (envelope theorem, no solve):
    /// `Q: z z'/2, q: z, A: lambda z', b: -lambda, G: mu z', h: -mu`.
    var valueGradient: QPParameters {
        QPParameters(Q: 0.5 * Matrix.outer(z, z), q: z, A: Matrix.outer(lambda, z), b: -lambda,
                     G: Matrix.outer(mu, z), h: -mu)
    }

    /// The directional derivative of the optimal value along `t` (materialised; `dQ` symmetrised).
    func valueDerivative(_ t: QPParameters) -> Double {
        let dq = t.Q.symmetricPart
        var d = 0.5 * z.dot(dq * z) + t.q.dot(z)
        if problem.equalityCount > 0 { d += lambda.dot(t.A * z - t.b) }
        if problem.inequalityCount > 0 { d += mu.dot(t.G * z - t.h) }
        return d
    }
}

extension QPParameters {
    /// `self + alpha other` for materialised bundles.
    func adding(_ other: QPParameters, scaledBy alpha: Double) -> QPParameters {
        func add(_ a: Matrix, _ b: Matrix) -> Matrix {
            var c = a
            c.scalars.withUnsafeMutableBufferPointer { cp in
                for i in 0..<cp.count { cp[i] += alpha * b.scalars[i] }
            }
            return c
        }
        func add(_ a: Vector, _ b: Vector) -> Vector {
            var c = a
            c.add(b, scaledBy: alpha)
            return c
        }
        return QPParameters(Q: add(Q, other.Q), q: add(q, other.q), A: add(A, other.A), b: add(b, other.b),
                            G: add(G, other.G), h: add(h, other.h))
    }

    /// `alpha self`.
    func scaled(by alpha: Double) -> QPParameters {
        QPParameters(Q: alpha * Q, q: alpha * q, A: alpha * A, b: alpha * b, G: alpha * G, h: alpha * h)
    }
}

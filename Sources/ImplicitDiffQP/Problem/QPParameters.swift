/// A bundle of values shaped like the parameters `(Q, q, A, b, G, h)` of a
/// ``QuadraticProgram``: gradients (reverse mode) and tangents (forward mode).
///
/// Any field may be left empty (`Matrix.zero`, `Vector.zero`): it is then zero of the
/// right shape. Gradients returned by this module are always complete. The `Q` field
/// of a gradient is the *symmetric* gradient `(G + G')/2` (`Q` is constrained to be
/// symmetric), and a tangent `dQ` is symmetrised before use.
public struct QPParameters: Sendable, Equatable {
    /// The `Q` block (`n x n`).
    public var Q: Matrix
    /// The `q` block (`n`).
    public var q: Vector
    /// The `A` block (`p x n`).
    public var A: Matrix
    /// The `b` block (`p`).
    public var b: Vector
    /// The `G` block (`m x n`).
    public var G: Matrix
    /// The `h` block (`m`).
    public var h: Vector

    /// A bundle with the given blocks (empty blocks are zeros).
    public init(Q: Matrix = .zero, q: Vector = .zero, A: Matrix = .zero, b: Vector = .zero,
                G: Matrix = .zero, h: Vector = .zero) {
        self.Q = Q
        self.q = q
        self.A = A
        self.b = b
        self.G = G
        self.h = h
    }

    /// Every field at full size (empty fields become zeros).
    public func materialized(_ s: QPShape) -> QPParameters {
        QPParameters(Q: Q.materialized(rows: s.n, columns: s.n), q: q.materialized(count: s.n),
                     A: A.materialized(rows: s.p, columns: s.n), b: b.materialized(count: s.p),
                     G: G.materialized(rows: s.m, columns: s.n), h: h.materialized(count: s.m))
    }

    /// Checks that every non-empty field has the shape of `s`.
    public func validate(_ s: QPShape, _ what: String) throws {
        func check(_ m: Matrix, _ r: Int, _ c: Int, _ name: String) throws {
            guard m.scalars.isEmpty || (m.rows == r && m.columns == c) else {
                throw QPError.dimensionMismatch("\(what) \(name) is \(m.rows) x \(m.columns), expected \(r) x \(c)")
            }
            guard m.isFinite else { throw QPError.nonFinite("\(what) \(name)") }
        }
        func check(_ v: Vector, _ k: Int, _ name: String) throws {
            guard v.scalars.isEmpty || v.count == k else {
                throw QPError.dimensionMismatch("\(what) \(name) has \(v.count) entries, expected \(k)")
            }
            guard v.isFinite else { throw QPError.nonFinite("\(what) \(name)") }
        }
        try check(Q, s.n, s.n, "Q")
        try check(q, s.n, "q")
        try check(A, s.p, s.n, "A")
        try check(b, s.p, "b")
        try check(G, s.m, s.n, "G")
        try check(h, s.m, "h")
    }

    /// The field named `parameter`, flattened row-major.
    public func flattened(_ parameter: QPParameter) -> Vector {
        switch parameter {
        case .Q: return Q.flattened
        case .q: return q
        case .A: return A.flattened
        case .b: return b
        case .G: return G.flattened
        case .h: return h
        }
    }
}

/// The names of the parameters of a QP (for Jacobians).
public enum QPParameter: String, Sendable, CaseIterable {
    /// One of the blocks `Q`, `q`, `A`, `b`, `G`, `h`.
    case Q, q, A, b, G, h

    /// The number of entries of this parameter for shape `s`.
    public func count(_ s: QPShape) -> Int {
        switch self {
        case .Q: return s.n * s.n
        case .q: return s.n
        case .A: return s.p * s.n
        case .b: return s.p
        case .G: return s.m * s.n
        case .h: return s.m
        }
    }
}

/// A bundle of values shaped like the outputs `(z, lambda, mu, value)` of a QP:
/// cotangents (reverse mode) and output tangents (forward mode). Empty fields are zeros.
public struct QPOutputs: Sendable, Equatable {
    /// The primal block (`n`).
    public var z: Vector
    /// The equality multipliers (`p`).
    public var lambda: Vector
    /// The inequality multipliers (`m`).
    public var mu: Vector
    /// The optimal value.
    public var value: Double

    /// A bundle with the given blocks (empty blocks are zeros).
    public init(z: Vector = .zero, lambda: Vector = .zero, mu: Vector = .zero, value: Double = 0) {
        self.z = z
        self.lambda = lambda
        self.mu = mu
        self.value = value
    }

    /// Every field at full size.
    public func materialized(_ s: QPShape) -> QPOutputs {
        QPOutputs(z: z.materialized(count: s.n), lambda: lambda.materialized(count: s.p),
                  mu: mu.materialized(count: s.m), value: value)
    }

    /// Checks the lengths of the non-empty fields against `s`.
    public func validate(_ s: QPShape, _ what: String) throws {
        for (v, k, name) in [(z, s.n, "z"), (lambda, s.p, "lambda"), (mu, s.m, "mu")] {
            guard v.scalars.isEmpty || v.count == k else {
                throw QPError.dimensionMismatch("\(what) \(name) has \(v.count) entries, expected \(k)")
            }
            guard v.isFinite else { throw QPError.nonFinite("\(what) \(name)") }
        }
        guard value.isFinite else { throw QPError.nonFinite("\(what) value") }
    }

    /// The field named `output` as a vector (`value` as a vector of length 1).
    public func flattened(_ output: QPOutput) -> Vector {
        switch output {
        case .z: return z
        case .lambda: return lambda
        case .mu: return mu
        case .value: return [value]
        }
    }
}

/// The names of the outputs of a QP (for Jacobians).
public enum QPOutput: String, Sendable, CaseIterable {
    /// One of the outputs `z`, `lambda`, `mu`, `value`.
    case z, lambda, mu, value

    /// The number of entries of this output for shape `s`.
    public func count(_ s: QPShape) -> Int {
        switch self {
        case .z: return s.n
        case .lambda: return s.p
        case .mu: return s.m
        case .value: return 1
        }
    }
}

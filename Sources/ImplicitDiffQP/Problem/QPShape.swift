import _Differentiation

/// The sizes `(n, p, m)` of a quadratic program and the layouts of its packed
/// parameter and solution vectors, used by the `ImplicitFunction` form of a QP
/// (``QuadraticProgram/layer(shape:solverOptions:policy:options:)``):
/// ```
/// x = [vec(Q), q, vec(A), b, vec(G), h]     (row-major vec; n^2 + n + pn + p + mn + m)
/// y = [z, lambda, mu]                        (n + p + m)
/// ```
public struct QPShape: Sendable, Hashable, CustomStringConvertible {
    /// Variables.
    public let n: Int
    /// Equality constraints.
    public let p: Int
    /// Inequality constraints.
    public let m: Int

    /// The shape of a QP with `n` variables, `p` equalities and `m` inequalities.
    public init(n: Int, p: Int = 0, m: Int = 0) {
        precondition(n >= 0 && p >= 0 && m >= 0, "QPShape: negative size")
        self.n = n
        self.p = p
        self.m = m
    }

    public var description: String { "QPShape(n: \(n), p: \(p), m: \(m))" }

    /// Length of the packed parameters `x`.
    public var parameterCount: Int { n * n + n + p * n + p + m * n + m }
    /// Length of the packed solution `y = [z, lambda, mu]`.
    public var solutionCount: Int { n + p + m }

    /// Offsets of the blocks of `x`.
    public var rangeQ: Range<Int> { 0..<(n * n) }
    /// The `q` block of `x`.
    public var rangeq: Range<Int> { rangeQ.upperBound..<(rangeQ.upperBound + n) }
    /// The `vec(A)` block of `x`.
    public var rangeA: Range<Int> { rangeq.upperBound..<(rangeq.upperBound + p * n) }
    /// The `b` block of `x`.
    public var rangeb: Range<Int> { rangeA.upperBound..<(rangeA.upperBound + p) }
    /// The `vec(G)` block of `x`.
    public var rangeG: Range<Int> { rangeb.upperBound..<(rangeb.upperBound + m * n) }
    /// The `h` block of `x`.
    public var rangeh: Range<Int> { rangeG.upperBound..<(rangeG.upperBound + m) }

    /// The block of `x` that holds `parameter`.
    public func range(of parameter: QPParameter) -> Range<Int> {
        switch parameter {
        case .Q: return rangeQ
        case .q: return rangeq
        case .A: return rangeA
        case .b: return rangeb
        case .G: return rangeG
        case .h: return rangeh
        }
    }

    /// The blocks of `x` that hold `parameters`, in the order of `x`.
    public func ranges(of parameters: Set<QPParameter>) -> [Range<Int>] {
        QPParameter.allCases.filter(parameters.contains).map(range(of:))
    }

    /// Offsets of the blocks of `y`.
    public var rangeZ: Range<Int> { 0..<n }
    /// The `lambda` block of `y`.
    public var rangeLambda: Range<Int> { n..<(n + p) }
    /// The `mu` block of `y`.
    public var rangeMu: Range<Int> { (n + p)..<(n + p + m) }

    /// `x = [vec(Q), q, vec(A), b, vec(G), h]`, differentiable in every argument.
    @differentiable(reverse)
    public func pack(Q: Matrix, q: Vector, A: Matrix, b: Vector, G: Matrix, h: Vector) -> Vector {
        Q.flattened.concatenated(with: q).concatenated(with: A.flattened).concatenated(with: b)
            .concatenated(with: G.flattened).concatenated(with: h)
    }

    /// The packed parameters of a problem of this shape.
    public func pack(_ problem: QuadraticProgram) -> Vector {
        Vector(problem.Q.scalars + problem.q.scalars + problem.A.scalars + problem.b.scalars
               + problem.G.scalars + problem.h.scalars)
    }

    /// The packed parameters of a parameter bundle (gradients, tangents).
    public func pack(_ parameters: QPParameters) -> Vector {
        let p = parameters.materialized(self)
        return Vector(p.Q.scalars + p.q.scalars + p.A.scalars + p.b.scalars + p.G.scalars + p.h.scalars)
    }

    /// Splits packed parameters into their blocks (no validation beyond the length).
    public func unpackParameters(_ x: Vector) throws -> QPParameters {
        guard x.count == parameterCount else {
            throw QPError.dimensionMismatch("packed QP parameters have \(x.count) entries; \(self) needs \(parameterCount)")
        }
        let s = x.scalars
        return QPParameters(Q: Matrix(rows: n, columns: n, scalars: Array(s[rangeQ])),
                            q: Vector(Array(s[rangeq])),
                            A: Matrix(rows: p, columns: n, scalars: Array(s[rangeA])),
                            b: Vector(Array(s[rangeb])),
                            G: Matrix(rows: m, columns: n, scalars: Array(s[rangeG])),
                            h: Vector(Array(s[rangeh])))
    }

    /// The problem from packed parameters. `Q` is replaced by its symmetric part
    /// `(Q + Q')/2` (so that the solution map, and its derivative, are defined for every
    /// `x`; the gradient with respect to `vec(Q)` is then the symmetric gradient).
    public func unpackProblem(_ x: Vector) throws -> QuadraticProgram {
        let d = try unpackParameters(x)
        guard x.isFinite else { throw QPError.nonFinite("the packed QP parameters") }
        return QuadraticProgram(uncheckedQ: d.Q.symmetricPart, q: d.q, A: d.A, b: d.b, G: d.G, h: d.h)
    }

    /// `y = [z, lambda, mu]`.
    public func packSolution(_ o: QPOutputs) -> Vector {
        let o = o.materialized(self)
        return Vector(o.z.scalars + o.lambda.scalars + o.mu.scalars)
    }

    /// Splits `y = [z, lambda, mu]` (a `value` of 0).
    public func unpackSolution(_ y: Vector) -> QPOutputs {
        precondition(y.count == solutionCount, "packed QP solution of length \(y.count) for \(self)")
        return QPOutputs(z: y.slice(rangeZ), lambda: y.slice(rangeLambda), mu: y.slice(rangeMu))
    }

    /// `z` from `y`, differentiable.
    @differentiable(reverse)
    public func z(_ y: Vector) -> Vector { y.entries(0..<n) }
    /// `lambda` from `y`, differentiable.
    @differentiable(reverse)
    public func lambda(_ y: Vector) -> Vector { y.entries(n..<(n + p)) }
    /// `mu` from `y`, differentiable.
    @differentiable(reverse)
    public func mu(_ y: Vector) -> Vector { y.entries((n + p)..<(n + p + m)) }
}

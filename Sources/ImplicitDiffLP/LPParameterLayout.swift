import _Differentiation

/// How the parameters of a ``LinearProgram`` (or of its smoothed QP) are packed into one
/// vector for the implicit derivative and for Swift AD:
/// ```
/// x = [c (n), vec(A) (p*n, row-major), b (p), vec(G) (m*n, row-major), h (m)]
/// ```
/// and the solution as `y = [z (n), lambda (p), mu (m)]`.
public struct LPParameterLayout: Sendable, Equatable, Hashable {
    /// Number of variables `n`.
    public let variableCount: Int
    /// Number of equality constraints `p` (rows of `A`).
    public let equalityCount: Int
    /// Number of inequality constraints `m` (rows of `G`).
    public let inequalityCount: Int

    /// The layout of programs with `n` variables, `p` equalities and `m` inequalities.
    public init(variables n: Int, equalities p: Int, inequalities m: Int) {
        variableCount = n
        equalityCount = p
        inequalityCount = m
    }

    /// Where `c` lies in `x`.
    public var cRange: Range<Int> { 0..<variableCount }
    /// Where `vec(A)` lies in `x`.
    public var aRange: Range<Int> { cRange.upperBound..<(cRange.upperBound + equalityCount * variableCount) }
    /// Where `b` lies in `x`.
    public var bRange: Range<Int> { aRange.upperBound..<(aRange.upperBound + equalityCount) }
    /// Where `vec(G)` lies in `x`.
    public var gRange: Range<Int> { bRange.upperBound..<(bRange.upperBound + inequalityCount * variableCount) }
    /// Where `h` lies in `x`.
    public var hRange: Range<Int> { gRange.upperBound..<(gRange.upperBound + inequalityCount) }
    /// Length of `x`.
    public var parameterCount: Int { hRange.upperBound }
    /// Length of `y = [z, lambda, mu]`.
    public var solutionCount: Int { variableCount + equalityCount + inequalityCount }

    /// The block of `x` that holds `parameter`.
    public func range(of parameter: LinearProgram.Parameter) -> Range<Int> {
        switch parameter {
        case .c: return cRange
        case .A: return aRange
        case .b: return bRange
        case .G: return gRange
        case .h: return hRange
        }
    }

    /// The blocks of `x` that hold `parameters`, in the order of `x`.
    public func ranges(of parameters: Set<LinearProgram.Parameter>) -> [Range<Int>] {
        LinearProgram.Parameter.allCases.filter(parameters.contains).map(range(of:))
    }

    /// `[c, vec(A), b, vec(G), h]`, differentiable in every argument (the pullback splits
    /// the cotangent into the blocks).
    @differentiable(reverse)
    public func pack(c: Vector, A: Matrix, b: Vector, G: Matrix, h: Vector) -> Vector {
        let n = variableCount, p = equalityCount, m = inequalityCount
        precondition(c.count == n && b.count == p && h.count == m && A.scalars.count == p * n && G.scalars.count == m * n,
                     "LPParameterLayout.pack: shapes do not match n = \(n), p = \(p), m = \(m)")
        return c.concatenated(with: A.flattened).concatenated(with: b).concatenated(with: G.flattened).concatenated(with: h)
    }

    /// `(c, A, b, G, h)` from `x`; throws when `x` has the wrong length.
    public func unpack(_ x: Vector) throws -> (c: Vector, A: Matrix, b: Vector, G: Matrix, h: Vector) {
        guard x.count == parameterCount else {
            throw LPError.invalidProblem("packed LP parameters have \(x.count) entries; n = \(variableCount), p = \(equalityCount), m = \(inequalityCount) needs \(parameterCount)")
        }
        let s = x.scalars, n = variableCount
        return (Vector(Array(s[cRange])),
                Matrix(rows: equalityCount, columns: n, scalars: Array(s[aRange])),
                Vector(Array(s[bRange])),
                Matrix(rows: inequalityCount, columns: n, scalars: Array(s[gRange])),
                Vector(Array(s[hRange])))
    }

    /// `(z, lambda, mu)` from `y`, differentiable (the pullback places each block's
    /// cotangent in its range of `y`). An empty `y` (the zero vector) gives zeros.
    @differentiable(reverse)
    public func split(solution y: Vector) -> (z: Vector, lambda: Vector, mu: Vector) {
        let n = variableCount, p = equalityCount
        let yy = y.materialized(count: solutionCount)
        return (yy.slice(0..<n), yy.slice(n..<(n + p)), yy.slice((n + p)..<solutionCount))
    }

    @derivative(of: split(solution:))
    public func _vjpSplit(solution y: Vector)
        -> (value: (z: Vector, lambda: Vector, mu: Vector),
            pullback: (Vector, Vector, Vector) -> Vector) {
        let n = variableCount, p = equalityCount, m = inequalityCount
        return (split(solution: y), { zbar, lambdaBar, muBar in
            zbar.materialized(count: n).concatenated(with: lambdaBar.materialized(count: p))
                .concatenated(with: muBar.materialized(count: m))
        })
    }

    /// `z` from `y = [z, lambda, mu]`, differentiable.
    @differentiable(reverse)
    public func z(_ y: Vector) -> Vector { block(y, 0..<variableCount) }
    /// `lambda` from `y = [z, lambda, mu]`, differentiable.
    @differentiable(reverse)
    public func lambda(_ y: Vector) -> Vector { block(y, variableCount..<(variableCount + equalityCount)) }
    /// `mu` from `y = [z, lambda, mu]`, differentiable.
    @differentiable(reverse)
    public func mu(_ y: Vector) -> Vector { block(y, (variableCount + equalityCount)..<solutionCount) }

    /// The entries `range` of `y` (an empty `y` counts as zeros of length `solutionCount`).
    @differentiable(reverse, wrt: y)
    func block(_ y: Vector, _ range: Range<Int>) -> Vector {
        y.materialized(count: solutionCount).slice(range)
    }

    @derivative(of: block, wrt: y)
    func _vjpBlock(_ y: Vector, _ range: Range<Int>) -> (value: Vector, pullback: (Vector) -> Vector) {
        let count = solutionCount
        return (block(y, range), { v in
            var g = Vector.zeros(count)
            if !v.scalars.isEmpty { g.scalars.replaceSubrange(range, with: v.scalars) }
            return g
        })
    }
}

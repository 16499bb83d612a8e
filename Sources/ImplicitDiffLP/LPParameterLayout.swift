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

    /// `[c, vec(A), b, vec(G), h]`.
    public func pack(c: Vector, A: Matrix, b: Vector, G: Matrix, h: Vector) -> Vector {
        let n = variableCount, p = equalityCount, m = inequalityCount
        precondition(c.count == n && b.count == p && h.count == m && A.scalars.count == p * n && G.scalars.count == m * n,
                     "LPParameterLayout.pack: shapes do not match n = \(n), p = \(p), m = \(m)")
        return Vector(c.scalars + A.scalars + b.scalars + G.scalars + h.scalars)
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

    /// `(z, lambda, mu)` from `y`.
    public func split(solution y: Vector) -> (z: Vector, lambda: Vector, mu: Vector) {
        let n = variableCount, p = equalityCount
        let yy = y.materialized(count: solutionCount)
        return (yy.slice(0..<n), yy.slice(n..<(n + p)), yy.slice((n + p)..<solutionCount))
    }
}

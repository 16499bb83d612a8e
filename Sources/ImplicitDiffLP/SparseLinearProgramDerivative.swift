import _CGLPK

/// The derivative of a ``SparseLinearProgramSolution``'s outputs `(z, lambda, mu, value)`
/// with respect to `(c, A, b, G, h)` at the optimal basis, the gradients of `A` and `G`
/// on their stored patterns (in the storage order of their ``SparseMatrix``).
///
/// With `K = [A; G]`, `r = [b; h]`, `y = [lambda; mu]`, `B` the optimal basis of GLPK's
/// form (columns of `(I | -K)`), `E_N` the nonbasic (active) rows and `S` the basic
/// columns (GLPK's `B^-T c_B` is `y`, zero on the basic rows):
/// ```
/// d value = z'dc - y'dr + y'dK z                                        (closed form)
/// dz_S    = (B^-1 (dK z - E_N dr))_S,   dz = 0 elsewhere
/// dy      = B^-T (dc_B + (dK_S' y)_B)
/// reverse:  w = B^-T zbar_B:   rbar = -E_N'w,  Kbar = w z'    (on K's pattern)
///           v = B^-1 ybar:     cbar_S = v_S,   Kbar += y v_S'
///           value:             cbar += vbar z, rbar -= vbar y, Kbar += vbar y z'
/// ```
/// Differentiability is decided for what is asked (``LPDifferentiability``): an output
/// with a zero cotangent (tangent) is not asked, nor a parameter outside `wrt`.
public struct SparseLinearProgramDerivative {
    /// The parameters.
    public enum Parameter: String, Sendable, CaseIterable {
        /// `c`, `A`, `b`, `G`, `h` of the problem.
        case c, A, b, G, h

        var role: LPDifferentiability.Parameter {
            switch self {
            case .c: return .objective
            case .b, .h: return .rightHandSide
            case .A, .G: return .constraintMatrix
            }
        }
    }

    /// Gradients (reverse mode) or tangents (forward mode) of the parameters: `A` and `G`
    /// as values in the storage order of the problem's matrices.
    public struct Parameters: Sendable {
        public var c: Vector
        public var A: [Double]
        public var b: Vector
        public var G: [Double]
        public var h: Vector

        /// Parameters with the given entries (empty: zero).
        public init(c: Vector = .zero, A: [Double] = [], b: Vector = .zero, G: [Double] = [], h: Vector = .zero) {
            self.c = c
            self.A = A
            self.b = b
            self.G = G
            self.h = h
        }
    }

    /// The solution being differentiated.
    public let solution: SparseLinearProgramSolution
    /// The degeneracy that decides which derivatives exist.
    public let degeneracy: LPDegeneracy?
    /// Which derivatives exist.
    public var differentiability: LPDifferentiability { LPDifferentiability(degeneracy: degeneracy) }

    private var problem: SparseLinearProgram { solution.problem }

    /// Reverse mode: the gradients of `L = <zbar, z> + <lambdaBar, lambda> + <muBar, mu> +
    /// vbar value` with respect to the parameters in `wrt` (the others are zero). Empty
    /// vectors stand for zero cotangents.
    ///
    /// - Throws: ``LPError/notDifferentiable(_:)`` when a derivative this needs does not
    ///   exist (the message names what is and is not differentiable and `lp_smoothing`).
    public func pullback(z zbar: Vector, lambda lbar: Vector = .zero, mu mbar: Vector = .zero, value vbar: Double = 0,
                         wrt: Set<Parameter> = Set(Parameter.allCases)) throws -> (gradients: Parameters, report: LinearSolveReport) {
        let n = problem.c.count, p = problem.A.rows, m = problem.G.rows, rows = p + m
        guard zbar.scalars.isEmpty || zbar.count == n, lbar.scalars.isEmpty || lbar.count == p,
              mbar.scalars.isEmpty || mbar.count == m else {
            throw LPError.invalidProblem("cotangents of lengths \(zbar.count), \(lbar.count), \(mbar.count) for n = \(n), p = \(p), m = \(m)")
        }
        let zAsked = zbar.scalars.contains { $0 != 0 }
        let yAsked = lbar.scalars.contains { $0 != 0 } || mbar.scalars.contains { $0 != 0 }
        let vAsked = vbar != 0
        var outputs = [(name: String, role: LPDifferentiability.Output)]()
        if zAsked { outputs.append(("z", .solution)) }
        if lbar.scalars.contains(where: { $0 != 0 }) { outputs.append(("lambda", .duals)) }
        if mbar.scalars.contains(where: { $0 != 0 }) { outputs.append(("mu", .duals)) }
        if vAsked { outputs.append(("value", .value)) }
        let asked = Parameter.allCases.filter(wrt.contains)
        try differentiability.require(outputs: outputs, parameters: asked.map { ($0.rawValue, $0.role) }, degeneracy: degeneracy)

        let z = solution.z, y = Vector(solution.lambda.scalars + solution.mu.scalars)
        var cBar = [Double](repeating: 0, count: n), rBar = [Double](repeating: 0, count: rows)
        var kLeft = [Vector](), kRight = [Vector]()   // Kbar = sum of left right' on the pattern
        if vAsked {
            for j in 0..<n { cBar[j] = vbar * z[j] }
            for i in 0..<rows { rBar[i] = -vbar * y[i] }
            kLeft.append(vbar * y)
            kRight.append(z)
        }
        let matrixAsked = wrt.contains(.A) || wrt.contains(.G)
        let needZ = zAsked && (wrt.contains(.b) || wrt.contains(.h) || matrixAsked)
        let needY = yAsked && (wrt.contains(.c) || matrixAsked)
        var report = LinearSolveReport(method: "closed-form")
        if needZ || needY {
            let basic = solution.basic
            let residual = try solution.form.withGLPKBasis(rowStatus: basic.rowStatus, columnStatus: basic.columnStatus) { basis in
                var worst = 0.0
                if needZ {
                    let u = basis.header.map { $0 < rows ? 0.0 : zbar[$0 - rows] }
                    let w = try basis.solveTransposed(u)
                    worst = max(worst, LPModelDerivative.relativeResidual(basis.transposedTimes(w), u))
                    for i in 0..<rows where basic.rowStatus[i] != GLP_BS { rBar[i] -= w[i] }
                    kLeft.append(Vector(w))
                    kRight.append(z)
                }
                if needY {
                    let ybar = lbar.materialized(count: p).scalars + mbar.materialized(count: m).scalars
                    let v = try basis.solve(ybar)
                    worst = max(worst, LPModelDerivative.relativeResidual(basis.times(v), ybar))
                    var vS = [Double](repeating: 0, count: n)
                    for (k, head) in basis.header.enumerated() where head >= rows { vS[head - rows] = v[k] }
                    for j in 0..<n { cBar[j] += vS[j] }
                    kLeft.append(y)
                    kRight.append(Vector(vS))
                }
                return worst
            }
            report = LinearSolveReport(method: "glpk-basis-lu", iterations: 1, relativeResidual: residual)
        }
        var out = Parameters()
        if wrt.contains(.c) { out.c = Vector(cBar) }
        if wrt.contains(.b) { out.b = Vector(Array(rBar[0..<p])) }
        if wrt.contains(.h) { out.h = Vector(Array(rBar[p...])) }
        if wrt.contains(.A) { out.A = Self.patternGradient(problem.A, rowOffset: 0, kLeft, kRight) }
        if wrt.contains(.G) { out.G = Self.patternGradient(problem.G, rowOffset: p, kLeft, kRight) }
        return (out, report)
    }

    /// Forward mode: the directional derivatives of `(z, lambda, mu, value)` along the
    /// tangents (empty: zero; a zero tangent is not a request).
    ///
    /// - Throws: ``LPError/notDifferentiable(_:)`` as ``pullback(z:lambda:mu:value:wrt:)``.
    public func pushforward(_ t: Parameters) throws
        -> (z: Vector, lambda: Vector, mu: Vector, value: Double, report: LinearSolveReport) {
        let n = problem.c.count, p = problem.A.rows, m = problem.G.rows, rows = p + m
        guard t.c.scalars.isEmpty || t.c.count == n, t.b.scalars.isEmpty || t.b.count == p,
              t.h.scalars.isEmpty || t.h.count == m, t.A.isEmpty || t.A.count == problem.A.nonZeroCount,
              t.G.isEmpty || t.G.count == problem.G.nonZeroCount else {
            throw LPError.invalidProblem("tangents of the wrong lengths")
        }
        func nonzero(_ v: [Double]) -> Bool { v.contains { $0 != 0 } }
        var asked = [(name: String, role: LPDifferentiability.Parameter)]()
        if nonzero(t.c.scalars) { asked.append(("c", .objective)) }
        if nonzero(t.A) { asked.append(("A", .constraintMatrix)) }
        if nonzero(t.b.scalars) { asked.append(("b", .rightHandSide)) }
        if nonzero(t.G) { asked.append(("G", .constraintMatrix)) }
        if nonzero(t.h.scalars) { asked.append(("h", .rightHandSide)) }
        try differentiability.require(outputs: [("z", .solution), ("lambda", .duals), ("mu", .duals), ("value", .value)],
                                      parameters: asked, degeneracy: degeneracy)
        let z = solution.z, y = Vector(solution.lambda.scalars + solution.mu.scalars)
        let dA = t.A.isEmpty ? nil : problem.A.withValues(t.A), dG = t.G.isEmpty ? nil : problem.G.withValues(t.G)
        // dK z and dK'y, the two products of the matrix tangents.
        var dKz = [Double](repeating: 0, count: rows), dKy = [Double](repeating: 0, count: n)
        if let dA { for (i, v) in (dA * z).scalars.enumerated() { dKz[i] += v }; dKy = (Vector(dKy) + dA.transposedTimes(solution.lambda)).scalars }
        if let dG { for (i, v) in (dG * z).scalars.enumerated() { dKz[p + i] += v }; dKy = (Vector(dKy) + dG.transposedTimes(solution.mu)).scalars }
        var dr = [Double](repeating: 0, count: rows)
        if !t.b.scalars.isEmpty { for i in 0..<p { dr[i] = t.b[i] } }
        if !t.h.scalars.isEmpty { for i in 0..<m { dr[p + i] = t.h[i] } }
        var value = 0.0
        if !t.c.scalars.isEmpty { value += z.dot(t.c) }
        for i in 0..<rows { value += y[i] * (dKz[i] - dr[i]) }
        var dz = [Double](repeating: 0, count: n), dy = [Double](repeating: 0, count: rows)
        let needZ = nonzero(dr) || nonzero(dKz), needY = nonzero(t.c.scalars) || nonzero(dKy)
        var report = LinearSolveReport(method: asked.isEmpty ? "none" : "closed-form")
        if needZ || needY {
            let basic = solution.basic
            let residual = try solution.form.withGLPKBasis(rowStatus: basic.rowStatus, columnStatus: basic.columnStatus) { basis in
                var worst = 0.0
                if needZ {
                    var rhs = dKz
                    for i in 0..<rows where basic.rowStatus[i] != GLP_BS { rhs[i] -= dr[i] }
                    let u = try basis.solve(rhs)
                    worst = max(worst, LPModelDerivative.relativeResidual(basis.times(u), rhs))
                    for (k, head) in basis.header.enumerated() where head >= rows { dz[head - rows] = u[k] }
                }
                if needY {
                    let rhs = basis.header.map { head -> Double in
                        head < rows ? 0 : (t.c.scalars.isEmpty ? 0 : t.c[head - rows]) + dKy[head - rows]
                    }
                    let v = try basis.solveTransposed(rhs)
                    worst = max(worst, LPModelDerivative.relativeResidual(basis.transposedTimes(v), rhs))
                    for i in 0..<rows where basic.rowStatus[i] != GLP_BS { dy[i] = v[i] }
                }
                return worst
            }
            report = LinearSolveReport(method: "glpk-basis-lu", iterations: 1, relativeResidual: residual)
        }
        return (Vector(dz), Vector(Array(dy[0..<p])), Vector(Array(dy[p...])), value, report)
    }

    /// `sum_k left_k[rowOffset + i] right_k[j]` at every stored `(i, j)` of `matrix`.
    static func patternGradient(_ matrix: SparseMatrix, rowOffset: Int, _ left: [Vector], _ right: [Vector]) -> [Double] {
        var g = [Double](repeating: 0, count: matrix.nonZeroCount)
        for (u, v) in zip(left, right) {
            let part = matrix.patternGradient(left: Vector(Array(u.scalars[rowOffset..<(rowOffset + matrix.rows)])), right: v)
            for e in g.indices { g[e] += part[e] }
        }
        return g
    }
}

/// The optimality conditions of a linear program (`gamma = 0`) or of its smoothed
/// problem `min c'z + gamma/2 ||z||^2` (`gamma > 0`) on a fixed active set `S`, with
/// exact linearisations. Parameters `x = [c, vec(A), b, vec(G), h]`, solution
/// `y = [z, lambda, mu]` (``LPParameterLayout``):
/// ```
///           [ gamma z + c + A'lambda + G'mu ]
/// F(x, y) = [ A z - b                        ]
///           [ G_i z - h_i   (i in S)         ]
///           [ mu_i          (i not in S)     ]
/// ```
/// `A_F = dF/dy` is factorised by ``LPActiveSet``'s factorisation (LU of the basis
/// `M = [A; G_S]` for the LP, LDL' of `[gamma I  M'; M  0]` when smoothed), and
/// ```
/// B dx  = [dc + dA'lambda + dG'mu;  dA z - db;  D_S (dG z - dh);  0]
/// B' w  = [w1;  lambda w1' + w2 z';  -w2;  mu w1' + (D_S w3) z';  -D_S w3]
/// ```
/// The LP case requires a non-degenerate vertex: ``linearize(x:y:byproduct:)`` throws
/// ``LPError/degenerate(_:)`` otherwise.
public struct LinearProgramConditions: ImplicitConditions {
    /// The sizes `n`, `p`, `m` and the packing of `x`.
    public let layout: LPParameterLayout
    /// `gamma >= 0`: 0 for the LP itself.
    public let regularization: Double

    /// The conditions of programs of the given layout (`regularization = gamma >= 0`).
    public init(layout: LPParameterLayout, regularization: Double = 0) {
        self.layout = layout
        self.regularization = regularization
    }

    public func residual(x: Vector, y: Vector, byproduct: LPActiveSet) -> Vector {
        guard let (c, a, b, g, h) = try? layout.unpack(x), y.count == layout.solutionCount else {
            return Vector(repeating: .nan, count: y.count)
        }
        let (z, lambda, mu) = layout.split(solution: y)
        var stationarity = c + a.transposedTimes(lambda) + g.transposedTimes(mu)
        if regularization != 0 { stationarity.add(z, scaledBy: regularization) }
        let primal = a * z - b
        var third = mu.scalars
        let gz = g * z
        for i in byproduct.activeInequalities { third[i] = gz[i] - h[i] }
        return Vector(stationarity.scalars + primal.scalars + third)
    }

    public func linearize(x: Vector, y: Vector, byproduct: LPActiveSet) throws -> ConditionsLinearization {
        if regularization == 0, let d = byproduct.degeneracy { throw LPError.degenerate(d) }
        let (_, a, _, g, _) = try layout.unpack(x)
        let factorization = try byproduct.factorization
            ?? LPKKTFactorization(A: a, G: g, active: byproduct.activeInequalities, gamma: regularization)
        let (z, lambda, mu) = layout.split(solution: y)
        let m = layout.inequalityCount
        let gamma = regularization
        var isActive = [Bool](repeating: false, count: m)
        for i in byproduct.activeInequalities { isActive[i] = true }
        let activeMask = Vector(isActive.map { $0 ? 1 : 0 })
        let inactiveMask = Vector(isActive.map { $0 ? 0 : 1 })
        let lay = layout

        let jacobianY = FunctionOperator(
            rows: lay.solutionCount, columns: lay.solutionCount,
            apply: { v in
                let (u, vA, vI) = lay.split(solution: v)
                var top = a.transposedTimes(vA) + g.transposedTimes(vI)
                if gamma != 0 { top.add(u, scaledBy: gamma) }
                let third = activeMask * (g * u) + inactiveMask * vI
                return Vector(top.scalars + (a * u).scalars + third.materialized(count: m).scalars)
            },
            applyTransposed: { w in
                let (w1, w2, w3) = lay.split(solution: w)
                var top = a.transposedTimes(w2) + g.transposedTimes(activeMask * w3)
                if gamma != 0 { top.add(w1, scaledBy: gamma) }
                let third = g * w1 + inactiveMask * w3
                return Vector(top.scalars + (a * w1).scalars + third.materialized(count: m).scalars)
            })

        let jacobianX = LPParameterOperator(layout: lay, z: z, lambda: lambda, mu: mu, activeMask: activeMask,
                                            blocks: Set(LinearProgram.Parameter.allCases))

        return ConditionsLinearization(a: jacobianY, b: jacobianX, factorizedA: factorization)
    }
}

/// `B = dF/dx` of ``LinearProgramConditions`` on the parameter blocks `blocks` (all of
/// them, or a layer's subset). `B' w` forms only those blocks: a layer in `c` alone
/// returns `w_1` without the `p x n` and `m x n` outer products. Not API.
struct LPParameterOperator: ColumnSelectableOperator, Sendable {
    let layout: LPParameterLayout
    let z: Vector
    let lambda: Vector
    let mu: Vector
    /// 1 on the inequalities held active, 0 elsewhere.
    let activeMask: Vector
    let blocks: Set<LinearProgram.Parameter>

    var ordered: [LinearProgram.Parameter] { LinearProgram.Parameter.allCases.filter(blocks.contains) }
    var rowCount: Int { layout.solutionCount }
    var columnCount: Int { ordered.reduce(0) { $0 + layout.range(of: $1).count } }

    func apply(_ dx: Vector) -> Vector {
        let lay = layout, n = lay.variableCount, p = lay.equalityCount, m = lay.inequalityCount
        let t = ParameterSelection(blocks: lay.ranges(of: blocks), fullCount: lay.parameterCount)
            .scatter(dx.materialized(count: columnCount)).materialized(count: lay.parameterCount).scalars
        let dc = Vector(Array(t[lay.cRange]))
        let dA = Matrix(rows: p, columns: n, scalars: Array(t[lay.aRange]))
        let db = Vector(Array(t[lay.bRange]))
        let dG = Matrix(rows: m, columns: n, scalars: Array(t[lay.gRange]))
        let dh = Vector(Array(t[lay.hRange]))
        let top = dc + dA.transposedTimes(lambda) + dG.transposedTimes(mu)
        let second = dA * z - db
        let third = activeMask * (dG * z - dh)
        return Vector(top.scalars + second.materialized(count: p).scalars + third.materialized(count: m).scalars)
    }

    func applyTransposed(_ w: Vector) -> Vector {
        let m = layout.inequalityCount
        let (w1, w2, w3) = layout.split(solution: w)
        let w3S = (activeMask * w3).materialized(count: m)
        var out = [Double]()
        out.reserveCapacity(columnCount)
        for parameter in ordered {
            switch parameter {
            case .c: out += w1.scalars
            case .A:
                var gA = Matrix.outer(lambda, w1)
                gA.addOuter(w2, z)
                out += gA.scalars
            case .b: out += (-w2).scalars
            case .G:
                var gG = Matrix.outer(mu, w1)
                gG.addOuter(w3S, z)
                out += gG.scalars
            case .h: out += (-w3S).scalars
            }
        }
        return Vector(out)
    }

    func selectingColumns(_ selection: ParameterSelection) -> any AdjointableLinearOperator {
        let chosen = LinearProgram.Parameter.allCases.filter {
            selection.contains(layout.range(of: $0)) && !layout.range(of: $0).isEmpty
        }
        let covered = chosen.reduce(0) { $0 + layout.range(of: $1).count }
        guard blocks.count == LinearProgram.Parameter.allCases.count, covered == selection.count else {
            return SelectedColumnsOperator(base: self, selection: selection)
        }
        return LPParameterOperator(layout: layout, z: z, lambda: lambda, mu: mu, activeMask: activeMask, blocks: Set(chosen))
    }
}

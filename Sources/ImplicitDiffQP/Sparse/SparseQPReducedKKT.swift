import ImplicitDiffCore

/// The reduced KKT system of a sparse QP on an active set, embedded in the interior
/// point's KKT pattern so that its symbolic factorisation is reused:
/// ```
///   [ P_FF   A_aF' ] [ z_F ]   [ b_F ]        F: variables not fixed at a bound
///   [ A_aF   0     ] [ y_a ] = [ b_a ]        a: active rows (equality rows included)
/// ```
/// Fixed variables and inactive rows become decoupled unit rows (their entries of `P`
/// and `A` are masked to zero on the same pattern); their solution components are 0.
/// The matrix is assembled on the Ruiz-scaled data, `K^ = S K S` with
/// `S = diag(sqrt(c) D, E / sqrt(c))` (``SparseQPScaling``), so that
/// `K^-1 b = S K^^-1 S b`; `K^` is factorised regularised (`+1e-8` on the `F`
/// diagonal, `-1e-8` on the `a` diagonal: quasi-definite; 100-fold more, up to twice, if a pivot vanishes) and every solve is refined
/// against the exact `K^`. One factorisation serves the polish solve and every
/// derivative (pullback, pushforward).
///
/// `K` is nonsingular exactly when the active rows restricted to `F` are linearly
/// independent and `P_FF` is positive definite on their null space; otherwise the
/// refinement stalls and small pivots name the dependent rows (``dependentRows``) or
/// variables (``singularVariables``).
public struct SparseQPReducedKKT: Sendable {
    let matrix: SparseQPKKTMatrix
    let scaleX: [Double]
    let scaleY: [Double]
    /// `true` for variables not fixed at a bound.
    public let free: [Bool]
    /// `true` for rows imposed as equalities.
    public let activeRows: [Bool]
    let solver: SparseQPRefinedSolver
    static let regularization = 1e-8
    let regularizationUsed: Double
    /// Pivots the factorisation replaced by dynamic regularisation (a sign of a singular
    /// reduced system: dependent active rows or a wrong active set).
    var regularizedPivotCount: Int { solver.ldl.regularizedPivots.count }

    init(scaling sc: SparseQPScaling, matrix: SparseQPKKTMatrix, symbolic: SparseSymmetricLDL,
         free: [Bool], activeRows: [Bool]) throws {
        self.matrix = matrix
        let rc = sc.c.squareRoot()
        scaleX = sc.D.map { rc * $0 }
        scaleY = sc.E.map { $0 / rc }
        self.free = free
        self.activeRows = activeRows
        let keepP = (0..<sc.P.nonZeroCount).map { free[matrix.pRow[$0]] && free[matrix.pColumn[$0]] }
        let keepA = (0..<sc.A.nonZeroCount).map { activeRows[matrix.aRow[$0]] && free[matrix.aColumn[$0]] }
        let ex = free.map { $0 ? 0.0 : 1.0 }, ey = activeRows.map { $0 ? 0.0 : 1.0 }
        let exact = matrix.values(px: sc.P.values, ay: sc.A.values, diagonalX: ex, diagonalY: ey, keepP: keepP, keepA: keepA)
        var ldl = symbolic
        var reg = Self.regularization, factored = false
        for _ in 0..<3 {
            let rx = free.map { $0 ? reg : 1.0 }, ry = activeRows.map { $0 ? reg : 1.0 }
            let regularized = matrix.values(px: sc.P.values, ay: sc.A.values, diagonalX: rx, diagonalY: ry, keepP: keepP, keepA: keepA)
            if ldl.factor(regularized, signs: matrix.pivotSigns) == nil { factored = true; break }
            reg *= 100
        }
        guard factored else {
            throw QPError.notDifferentiable("the reduced KKT matrix could not be factorised (a pivot vanished at regularisation \(reg / 100))")
        }
        regularizationUsed = reg
        solver = SparseQPRefinedSolver(matrix: matrix, exact: exact, ldl: ldl)
    }

    /// `K^-1 [bx; by]` on the original scale (components on fixed variables and inactive
    /// rows are ignored and returned as 0), with the relative residual of the scaled solve.
    /// With `guess`, the refinement starts there (a proximal-point iteration: on a singular
    /// consistent `K` it converges to a solution near the guess).
    /// Refinement stops at relative residual `tolerance` (or when it stops decreasing).
    func solve(bx: [Double], by: [Double], near guess: (x: [Double], y: [Double])? = nil,
               steps: Int = 60, tolerance: Double = 1e-15) -> (x: [Double], y: [Double], residual: Double) {
        let n = matrix.n, m = matrix.m
        let b = scaled(bx: bx, by: by)
        var initial: [Double]? = nil
        if let g = guess {
            var x0 = [Double](repeating: 0, count: n + m)
            for j in 0..<n where free[j] { x0[j] = g.x[j] / scaleX[j] }
            for r in 0..<m where activeRows[r] { x0[n + r] = g.y[r] / scaleY[r] }
            initial = x0
        }
        let (s, res, _) = solver.solve(b, steps: steps, tolerance: tolerance, initial: initial, componentwise: false)
        let (x, y) = unscaled(s)
        return (x, y, res)
    }

    /// `S [bx; by]` on the free variables and active rows (0 elsewhere).
    func scaled(bx: [Double], by: [Double]) -> [Double] {
        let n = matrix.n, m = matrix.m
        return [Double](unsafeUninitializedCapacity: n + m) { b, count in
            free.withUnsafeBufferPointer { f in scaleX.withUnsafeBufferPointer { s in bx.withUnsafeBufferPointer { v in
                for j in 0..<n { b[j] = f[j] ? s[j] * v[j] : 0 }
            } } }
            activeRows.withUnsafeBufferPointer { a in scaleY.withUnsafeBufferPointer { s in by.withUnsafeBufferPointer { v in
                for r in 0..<m { b[n + r] = a[r] ? s[r] * v[r] : 0 }
            } } }
            count = n + m
        }
    }

    /// `S s` split into the variable and row parts (0 on fixed variables and inactive rows).
    func unscaled(_ s: [Double]) -> (x: [Double], y: [Double]) {
        let n = matrix.n, m = matrix.m
        let x = [Double](unsafeUninitializedCapacity: n) { x, count in
            free.withUnsafeBufferPointer { f in scaleX.withUnsafeBufferPointer { c in s.withUnsafeBufferPointer { v in
                for j in 0..<n { x[j] = f[j] ? c[j] * v[j] : 0 }
            } } }
            count = n
        }
        let y = [Double](unsafeUninitializedCapacity: m) { y, count in
            activeRows.withUnsafeBufferPointer { a in scaleY.withUnsafeBufferPointer { c in s.withUnsafeBufferPointer { v in
                for r in 0..<m { y[r] = a[r] ? c[r] * v[n + r] : 0 }
            } } }
            count = m
        }
        return (x, y)
    }

    /// The null-space probe's right-hand side, in the scaled space of the factorised
    /// matrix: fixed generic entries `+-[0.5, 1.5)` (a seeded generator) on the free
    /// variables and active rows, so that it has a component along any null vector of `K`.
    func probeRightHandSide() -> [Double] {
        let n = matrix.n, m = matrix.m
        var state: UInt64 = 0x9E3779B97F4A7C15
        return [Double](unsafeUninitializedCapacity: n + m) { b, count in
            free.withUnsafeBufferPointer { f in activeRows.withUnsafeBufferPointer { a in
                for k in 0..<(n + m) {
                    guard k < n ? f[k] : a[k - n] else { b[k] = 0; continue }
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let u = Double(state >> 11) / Double(1 << 53)  // in [0, 1)
                    b[k] = u < 0.5 ? -(0.5 + u) : 0.5 + u
                }
            } }
            count = n + m
        }
    }

    /// The probe `K^-1 p` alone (``probeRightHandSide()``), refined to `tolerance` (with
    /// `steps: 0`, the regularised solve only), unscaled, with its relative residual.
    func probe(steps: Int = 60, tolerance: Double) -> (x: [Double], y: [Double], residual: Double) {
        let (s, res, _) = solver.solve(probeRightHandSide(), steps: steps, tolerance: tolerance, componentwise: false)
        let (x, y) = unscaled(s)
        return (x, y, res)
    }

    /// `K^-1 [bx; by]` refined to `tolerance` together with the null-space probe
    /// (``probeRightHandSide()``) refined to `probeTolerance`, sharing every pass over `K`
    /// and its factors (``SparseQPRefinedSolver/solve(_:_:steps:tolerances:)``). Returns
    /// the solution, its residual, and the probe's residual.
    func solveWithProbe(bx: [Double], by: [Double], tolerance: Double, probeTolerance: Double)
        -> (x: [Double], y: [Double], residual: Double, probeResidual: Double) {
        let r = solver.solve(scaled(bx: bx, by: by), probeRightHandSide(), steps: 60,
                             tolerances: (tolerance, probeTolerance))
        let (x, y) = unscaled(r.x)
        return (x, y, r.xResidual, r.yResidual)
    }

    /// Active rows whose pivot is of the order of the regularisation: linearly dependent
    /// on the other active rows (restricted to the free variables).
    public var dependentRows: [Int] {
        let n = matrix.n
        let dynamic = Set(solver.ldl.regularizedPivots)
        return (0..<matrix.m).filter { activeRows[$0] && (dynamic.contains(n + $0) || abs(solver.ldl.pivot(ofOriginal: n + $0)) <= 10 * regularizationUsed) }
    }

    /// Free variables whose pivot is of the order of the regularisation (`P` singular on
    /// the null space of the active rows: the minimiser is not unique).
    public var singularVariables: [Int] {
        let dynamic = Set(solver.ldl.regularizedPivots)
        return (0..<matrix.n).filter { free[$0] && (dynamic.contains($0) || abs(solver.ldl.pivot(ofOriginal: $0)) <= 10 * regularizationUsed) }
    }

    /// Stored entries of the factor `L`.
    public var factorNonZeros: Int { solver.ldl.factorNonZeros }
}

/// The factorised Jacobian `dF/dy` of ``LinearProgramConditions`` at a solution with
/// active (working) inequalities `S` and inactive ones `N`. Not API.
///
/// With `y = [z; lambda; mu]`, `M = [A; G_S]` and `gamma >= 0`:
/// ```
///        [ gamma I   A'   G'   ]        rows:  stationarity (n)
/// dF/dy =[ A         0    0    ]               equalities (p)
///        [ D_S G     0    D_N  ]               G_i z - h_i for i in S, mu_i for i in N (m)
/// ```
/// (`D_S`, `D_N`: the diagonal 0/1 selectors of `S` and `N`). Solving it reduces to the
/// square system `K = [gamma I  M'; M  0]` plus substitutions:
/// ```
/// solve:       v_N = g_N;  K [u; v_M] = [f - G_N' g_N; g_A; g_S]
/// transposed:  K [u; v_M] = [f; g_A; g_S];  v_N = g_N - G_N u
/// ```
/// For the LP (`gamma = 0`) `K` is solved through one LU factorisation of the `n x n`
/// basis matrix `M` (`u = M^-1 [g_A; g_S]`, `v_M = M^-T (...)`), usually the one the
/// basis recomputation already made; for the smoothed problem (`gamma > 0`) through one
/// LDL' factorisation of `K`. Either is made once and reused by every right-hand side.
struct LPKKTFactorization: Factorization {
    let variableCount: Int
    let equalityCount: Int
    let inequalityCount: Int
    /// Working inequalities `S`, increasing.
    let active: [Int]
    /// The other inequalities `N`, increasing.
    let inactive: [Int]
    /// `G_N`, `|N| x n`.
    let inactiveRows: Matrix
    let gamma: Double
    let basis: LPBasisLU?
    let kkt: SymmetricIndefiniteFactorization?

    var dimension: Int { variableCount + equalityCount + inequalityCount }

    /// Factorises for the given working set. Throws ``LPError/notDifferentiable(_:)`` when the
    /// active constraints are linearly dependent (or, for `gamma = 0`, are not `n` in number).
    init(A: Matrix, G: Matrix, active: [Int], gamma: Double, basis existing: LPBasisLU? = nil) throws {
        let n = A.columns, p = A.rows, m = G.rows
        variableCount = n
        equalityCount = p
        inequalityCount = m
        self.active = active
        var isActive = [Bool](repeating: false, count: m)
        for i in active { isActive[i] = true }
        inactive = (0..<m).filter { !isActive[$0] }
        inactiveRows = LPDense.rows(G, inactive)
        self.gamma = gamma
        let activeCount = p + active.count
        if gamma == 0 {
            guard activeCount == n else {
                throw LPError.notDifferentiable("\(activeCount) linearly independent active constraints are needed to define a vertex in \(n) variables")
            }
            if let existing, existing.dimension == n {
                basis = existing
            } else {
                do { basis = try LPBasisLU(LPDense.stack(A, LPDense.rows(G, active))) } catch {
                    throw LPError.notDifferentiable("the active constraints are linearly dependent (\(error))")
                }
            }
            kkt = nil
        } else {
            basis = nil
            do { kkt = try SymmetricIndefiniteFactorization(Self.reducedMatrix(A: A, G: G, active: active, gamma: gamma)) } catch {
                throw LPError.notDifferentiable("the working constraints of the smoothed problem are linearly dependent (\(error))")
            }
        }
    }

    /// `K = [gamma I  M'; M  0]` with `M = [A; G_S]`.
    static func reducedMatrix(A: Matrix, G: Matrix, active: [Int], gamma: Double) -> Matrix {
        let n = A.columns
        let mRows = LPDense.stack(A, LPDense.rows(G, active))
        let d = n + mRows.rows
        var k = Matrix(rows: d, columns: d)
        for i in 0..<n { k[i, i] = gamma }
        for r in 0..<mRows.rows {
            for j in 0..<n {
                let v = mRows[r, j]
                k[n + r, j] = v
                k[j, n + r] = v
            }
        }
        return k
    }

    /// Solves `K [u; v] = [top; bottom]`.
    private func reducedSolve(top: Matrix, bottom: Matrix) -> (Matrix, Matrix) {
        if let lu = basis {
            return (lu.solve(bottom), lu.solveTransposed(top))
        }
        let x = kkt!.solve(LPDense.stack(top, bottom))
        let n = variableCount
        return (LPDense.rows(x, Array(0..<n)), LPDense.rows(x, Array(n..<x.rows)))
    }

    private func split(_ r: Matrix) -> (f: Matrix, gA: Matrix, gS: Matrix, gN: Matrix) {
        let n = variableCount, p = equalityCount
        return (LPDense.rows(r, Array(0..<n)), LPDense.rows(r, Array(n..<(n + p))),
                LPDense.rows(r, active.map { n + p + $0 }), LPDense.rows(r, inactive.map { n + p + $0 }))
    }

    private func assemble(u: Matrix, vM: Matrix, vN: Matrix) -> Matrix {
        let n = variableCount, p = equalityCount, k = u.columns
        var out = Matrix(rows: dimension, columns: k)
        func put(_ source: Matrix, _ sourceRow: Int, _ row: Int) {
            out.scalars.replaceSubrange((row * k)..<((row + 1) * k), with: source.scalars[(sourceRow * k)..<((sourceRow + 1) * k)])
        }
        for i in 0..<n { put(u, i, i) }
        for i in 0..<p { put(vM, i, n + i) }
        for (r, i) in active.enumerated() { put(vM, p + r, n + p + i) }
        for (r, i) in inactive.enumerated() { put(vN, r, n + p + i) }
        return out
    }

    func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == dimension, "right-hand side with \(b.rows) rows for a system of order \(dimension)")
        let (f, gA, gS, gN) = split(b)
        var top = f
        if !inactive.isEmpty {
            top = f - Matrix.product(inactiveRows, transposed: true, gN, transposed: false)
        }
        let (u, vM) = reducedSolve(top: top, bottom: LPDense.stack(gA, gS))
        return assemble(u: u, vM: vM, vN: gN)
    }

    func solveTransposed(_ b: Matrix) -> Matrix {
        precondition(b.rows == dimension, "right-hand side with \(b.rows) rows for a system of order \(dimension)")
        let (f, gA, gS, gN) = split(b)
        let (u, vM) = reducedSolve(top: f, bottom: LPDense.stack(gA, gS))
        var vN = gN
        if !inactive.isEmpty { vN = gN - inactiveRows * u }
        return assemble(u: u, vM: vM, vN: vN)
    }

    func solve(_ b: Vector) -> Vector {
        Vector(solve(Matrix(rows: b.count, columns: 1, scalars: b.scalars)).scalars)
    }

    func solveTransposed(_ b: Vector) -> Vector {
        Vector(solveTransposed(Matrix(rows: b.count, columns: 1, scalars: b.scalars)).scalars)
    }
}

/// Dense row gathering and stacking for the LP code. Not API.
enum LPDense {
    /// The rows `indices` of `m`, in that order (an `indices.count x columns` matrix).
    static func rows(_ m: Matrix, _ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * m.columns)
        for i in indices { out.append(contentsOf: m.scalars[(i * m.columns)..<((i + 1) * m.columns)]) }
        return Matrix(rows: indices.count, columns: m.columns, scalars: out)
    }

    /// The columns `indices` of `m`, in that order.
    static func columns(_ m: Matrix, _ indices: [Int]) -> Matrix {
        var out = Matrix(rows: m.rows, columns: indices.count)
        for i in 0..<m.rows {
            for (k, j) in indices.enumerated() { out[i, k] = m[i, j] }
        }
        return out
    }

    /// `[top; bottom]` (equal column counts).
    static func stack(_ top: Matrix, _ bottom: Matrix) -> Matrix {
        precondition(top.columns == bottom.columns || top.rows == 0 || bottom.rows == 0, "stack: column counts differ")
        let c = top.rows == 0 ? bottom.columns : top.columns
        return Matrix(rows: top.rows + bottom.rows, columns: c, scalars: top.scalars + bottom.scalars)
    }

    /// `sum_j |M_ij v_j|` for every row `i`.
    static func absoluteRowProducts(_ m: Matrix, _ v: Vector) -> [Double] {
        (0..<m.rows).map { i in
            var s = 0.0
            for j in 0..<m.columns { s += abs(m[i, j] * v[j]) }
            return s
        }
    }
}

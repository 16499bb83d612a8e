import Glibc
import _CGLPK

/// A linear program read from an MPS or CPLEX LP file by GLPK's own readers, with the
/// objective coefficients `c` and the constraint right-hand sides `rhs` as parameters:
/// ```
/// minimize (or maximize)  c'x + c0
/// subject to   K_i x = rhs_i  (E rows),  K_i x <= rhs_i  (L rows),  K_i x >= rhs_i  (G rows),
///              lower_j <= x_j <= upper_j   (bounds: fixed data)
/// ```
/// Columns and constraint rows keep the file's order; the objective row and other free
/// (`N`) rows are not constraints and have no `rhs` entry; a row without an RHS entry has
/// `rhs = 0`. Ranged rows (an MPS `RANGES` section, or a double-bounded CPLEX LP
/// constraint) are rejected, since one `rhs` per row could not describe them. Integer
/// markers are ignored: the LP relaxation is solved.
///
/// The model stays sparse end to end: the constraint matrix is the core's
/// ``SparseMatrix`` (compressed columns, read column by column from GLPK), it goes to
/// GLPK column by column, and GLPK solves it as `glpsol --nopresol` does (its automatic
/// scaling, its advanced initial basis, the primal simplex). The vertex and the row duals
/// are recomputed from the optimal basis with GLPK's own sparse LU of it, and the
/// derivatives reuse that factorisation (``LPModelDerivative``). Memory is proportional
/// to the non-zeros plus GLPK's factorisation: nothing of size rows x columns, or of the
/// basis's size squared, is ever dense.
///
/// The answer is checked (``LPCertificate``) on the ``LinearProgram`` form
/// `min (+/-c)'x  s.t.  A x = b,  G x <= h` whose rows are the E rows (`A`, `b = rhs`),
/// the L rows (`G`, `h = rhs`), the negated G rows (`-K_i`, `h = -rhs`) and the finite
/// column bounds (`-x_j <= -lower_j`, `x_j <= upper_j`, or `x_j = lower_j` when fixed),
/// held in sparse rows. ``linearProgram(c:rhs:)`` gives that form as a dense
/// ``LinearProgram`` (for small models, the smoothed derivative and the certificates of
/// infeasibility and unboundedness).
public struct LPModel: Sendable {
    /// The file formats GLPK reads.
    public enum Format: String, Sendable {
        /// MPS, fixed (netlib) or free format: fixed is tried first, then free.
        case mps
        /// CPLEX LP format.
        case cplexLP
    }

    /// The sense of a constraint row.
    public enum RowSense: String, Sendable {
        /// Equality (`E`), less-or-equal (`L`), greater-or-equal (`G`), as in MPS files.
        case equal = "E", lessOrEqual = "L", greaterOrEqual = "G"
    }

    /// Column names, file order.
    public let columnNames: [String]
    /// Constraint row names, file order (objective and free rows excluded).
    public let rowNames: [String]
    /// Objective coefficients (parameter).
    public let c: Vector
    /// Constant term of the objective (an MPS RHS entry on the objective row gives `-rhs`).
    public let objectiveConstant: Double
    /// Whether the file asks to maximise.
    public let isMaximization: Bool
    /// Right-hand sides of the constraint rows (parameter).
    public let rhs: Vector
    /// Senses of the constraint rows.
    public let rowSenses: [RowSense]
    /// Column bounds (`-inf` / `+inf` when absent).
    public let columnLower: [Double]
    /// Upper column bounds (`+inf` when absent).
    public let columnUpper: [Double]
    /// The constraint rows' coefficients (rows x columns, compressed columns).
    public let matrix: SparseMatrix

    /// Reads `path` with GLPK's reader for `format`.
    ///
    /// Before GLPK sees the file, it must be a regular file (not a FIFO, device or
    /// folder, which could block the reader forever) of at most
    /// ``LPDataLimits/maximumModelFileBytes``, whose first lines look like the format: text
    /// without NUL bytes whose first line that is not blank or a comment is the MPS `NAME`
    /// record or, for CPLEX LP, starts with the objective's keyword (`minimize`,
    /// `maximize`, `min`, `max`, ...). So garbage is
    /// rejected after reading a few kilobytes instead of being parsed in full.
    ///
    /// - Throws: ``LPError/invalidProblem(_:)`` when the file is missing, not a regular
    ///   file, too large, does not look like the format, or is malformed (GLPK's message
    ///   is included), has a `RANGES` section or a ranged row, has no columns, has
    ///   non-finite data or data outside ``LPDataLimits``.
    public static func read(path: String, format: Format) throws -> LPModel {
        try LPModelFile.check(path: path, format: format)
        do {
            return try GLPKProblem.withProblem { glp in
                switch format {
                case .mps: try glp.readMPS(path: path)
                case .cplexLP: try glp.readCPLEXLP(path: path)
                }
                return try LPModel(glp, path: path)
            }
        } catch let failure as GLPKFailure {
            throw LPError.invalidProblem(failure.description)
        }
    }

    /// Extracts the model from a GLPK problem that has just been read.
    private init(_ glp: GLPKProblem, path: String) throws {
        guard glp.columnCount >= 1 else { throw LPError.invalidProblem("'\(path)' has no columns") }
        let rows = try glp.rowBounds()
        let names = try glp.rowNames()
        let full = try glp.columnMatrix()
        var keep = [Int](), senses = [RowSense](), rhs = [Double]()
        var newIndex = [Int](repeating: -1, count: rows.count)
        for (i, r) in rows.enumerated() {
            switch r.type {
            case GLP_FR: continue
            case GLP_FX: senses.append(.equal); rhs.append(r.lower)
            case GLP_UP: senses.append(.lessOrEqual); rhs.append(r.upper)
            case GLP_LO: senses.append(.greaterOrEqual); rhs.append(r.lower)
            default:
                throw LPError.invalidProblem("row '\(names[i])' of '\(path)' is ranged (two finite bounds): ranged rows are not supported")
            }
            newIndex[i] = keep.count
            keep.append(i)
        }
        // The constraint rows only (free rows dropped), still in compressed columns.
        var start = [0], rowIndex = [Int](), vals = [Double]()
        start.reserveCapacity(full.columns + 1)
        rowIndex.reserveCapacity(full.nonZeroCount)
        vals.reserveCapacity(full.nonZeroCount)
        for j in 0..<full.columns {
            for e in full.columnStart[j]..<full.columnStart[j + 1] where newIndex[full.rowIndices[e]] >= 0 {
                rowIndex.append(newIndex[full.rowIndices[e]])
                vals.append(full.values[e])
            }
            start.append(rowIndex.count)
        }
        let bounds = try glp.columnBounds()
        let objective = try glp.objectiveCoefficients()
        let constant = try glp.objectiveConstant()
        guard objective.allSatisfy(\.isFinite), constant.isFinite, rhs.allSatisfy(\.isFinite), vals.allSatisfy(\.isFinite) else {
            throw LPError.invalidProblem("'\(path)' has non-finite data")
        }
        try LPDataLimits.check(Vector(objective), "'\(path)': objective coefficient")
        try LPDataLimits.check(Vector(rhs), "'\(path)': rhs")
        let columnNamesRead = try glp.columnNames()
        for (j, bound) in bounds.enumerated() {
            for v in [bound.lower, bound.upper] where v.isFinite && abs(v) > LPDataLimits.maximumMagnitude {
                throw LPError.invalidProblem("'\(path)': bound \(v) of column '\(columnNamesRead[j])' is outside the range "
                                             + "GLPK can work with (magnitudes up to \(LPDataLimits.maximumMagnitude))")
            }
        }
        for j in 0..<full.columns {
            for e in start[j]..<start[j + 1] where vals[e] != 0
                && !(LPDataLimits.minimumMatrixMagnitude...LPDataLimits.maximumMagnitude).contains(abs(vals[e])) {
                throw LPError.invalidProblem("'\(path)': coefficient \(vals[e]) of row '\(names[keep[rowIndex[e]]])' is outside the "
                                             + "range GLPK's scaling can represent (non-zero entries between "
                                             + "\(LPDataLimits.minimumMatrixMagnitude) and \(LPDataLimits.maximumMagnitude) in magnitude)")
            }
        }
        columnNames = columnNamesRead
        rowNames = keep.map { names[$0] }
        c = Vector(objective)
        objectiveConstant = constant
        isMaximization = try glp.isMaximization()
        self.rhs = Vector(rhs)
        rowSenses = senses
        columnLower = bounds.map(\.lower)
        columnUpper = bounds.map(\.upper)
        matrix = try SparseMatrix(rows: keep.count, columns: full.columns, columnStart: start, rowIndices: rowIndex, values: vals)
    }

    /// Number of columns.
    public var columnCount: Int { c.count }
    /// Number of constraint rows.
    public var rowCount: Int { rhs.count }

    /// Throws ``LPError/invalidProblem(_:)`` when the dense `[A; G]` of
    /// ``linearProgram(c:rhs:)`` would exceed ``LPDataLimits/maximumDenseBytes`` (checked
    /// before anything of that size is allocated).
    func checkDenseSize(path: String? = nil) throws {
        let map = LPModelRowMap(self)
        let rows = map.equalityCount + map.inequalityCount
        let (entries, overflow1) = rows.multipliedReportingOverflow(by: columnCount)
        let (bytes, overflow2) = entries.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        guard overflow1 || overflow2 || bytes > LPDataLimits.maximumDenseBytes else { return }
        let what = path.map { "'\($0)'" } ?? "the model"
        let size = overflow1 || overflow2 ? "more than \(Int.max) bytes" : "\(bytes) bytes (\(bytes >> 20) MiB)"
        throw LPError.invalidProblem(
            "\(what) has \(columnCount) columns, \(rowCount) constraint rows and \(map.bounds.count) finite column bounds; "
                + "it is solved as a dense LP with \(rows) x \(columnCount) constraint rows (equalities, inequalities "
                + "and one row per bound), which needs \(size), more than the limit of "
                + "\(LPDataLimits.maximumDenseBytes) bytes (\(LPDataLimits.maximumDenseBytes >> 20) MiB, "
                + "LPDataLimits.maximumDenseBytes)")
    }

    /// The ``LinearProgram`` this model is solved as (see the type's description), for
    /// objective `c` and right-hand sides `rhs` (the model's own when `nil`).
    ///
    /// - Throws: ``LPError/invalidProblem(_:)`` for wrong lengths, data outside
    ///   ``LPDataLimits``, or a dense form larger than ``LPDataLimits/maximumDenseBytes``.
    public func linearProgram(c: Vector? = nil, rhs: Vector? = nil) throws -> LinearProgram {
        let c = c ?? self.c, rhs = rhs ?? self.rhs
        guard c.count == columnCount, rhs.count == rowCount else {
            throw LPError.invalidProblem("c has \(c.count) entries for \(columnCount) columns, rhs \(rhs.count) for \(rowCount) rows")
        }
        try checkDenseSize()
        let map = LPModelRowMap(self)
        let n = columnCount
        var a = Matrix(rows: map.equalityCount, columns: n), b = [Double](repeating: 0, count: map.equalityCount)
        var g = Matrix(rows: map.inequalityCount, columns: n), h = [Double](repeating: 0, count: map.inequalityCount)
        for j in 0..<columnCount {
            for e in matrix.columnStart[j]..<matrix.columnStart[j + 1] {
                let v = matrix.values[e]
                switch map.rows[matrix.rowIndices[e]] {
                case let .equality(r): a[r, j] = v
                case let .inequality(r, sign): g[r, j] = sign * v
                }
            }
        }
        for i in 0..<rowCount {
            switch map.rows[i] {
            case let .equality(r): b[r] = rhs[i]
            case let .inequality(r, sign): h[r] = sign * rhs[i]
            }
        }
        for (j, bound) in map.bounds {
            switch bound {
            case let .equality(r): a[r, j] = 1; b[r] = columnLower[j]
            case let .inequality(r, sign): g[r, j] = sign; h[r] = sign > 0 ? columnUpper[j] : -columnLower[j]
            }
        }
        return try LinearProgram(c: isMaximization ? -c : c, A: a, b: Vector(b), G: g, h: Vector(h))
    }

    /// Solves the model with GLPK's simplex on the sparse model, as `glpsol --nopresol`
    /// does, recomputes the vertex and the row duals from the optimal basis with GLPK's
    /// factorisation of it, and checks the answer (``LPCertificate``, on the sparse
    /// ``LinearProgram`` form with the bounds as rows) before returning it.
    ///
    /// - Throws: ``LPError/notConverged(_:)`` (also when the answer fails its check),
    ///   ``LPError/infeasible(_:)`` and ``LPError/unbounded(_:)`` when certified (the
    ///   certificates of those verdicts are computed on the dense form, so a model whose
    ///   dense form exceeds ``LPDataLimits/maximumDenseBytes`` reports an uncertified
    ///   verdict as ``LPError/notConverged(_:)``).
    public func solve(options: LPOptions = .init()) throws -> LPModelSolution {
        let form = solverForm()
        let basic = try form.solve(options: options) { try certifiedExit($0, options: options) }
        return try LPModelSolution(model: self, form: form, basic: basic, options: options)
    }

    /// GLPK's verdict "infeasible" or "unbounded", certified on the dense form when it fits.
    private func certifiedExit(_ why: String, options: LPOptions) throws -> LPError {
        do {
            try checkDenseSize()
        } catch {
            return .notConverged("GLPK stopped without an optimum (\(why)); the verdict is not certified, since its "
                                 + "certificate needs the dense form of the model, which is too large: \(error)")
        }
        do {
            _ = try linearProgram().solve(options: options)
            return .notConverged("GLPK stopped without an optimum on the sparse model (\(why)) but found one on the dense form")
        } catch let e as LPError {
            return e
        }
    }

    /// The solver's form: the model's rows with their bounds (`rhs` on the side of the
    /// row's sense), its columns with theirs, the objective `c` (`-c` when maximising).
    func solverForm(c: Vector? = nil) -> LPSolverForm {
        let c = c ?? self.c, sense = isMaximization ? -1.0 : 1.0
        let rowsT = matrix.transposed
        let names = rowNames, columns = columnNames
        var form = LPSolverForm(
            objective: c.scalars.map { sense * $0 },
            matrix: LPSparseRows(rowCount: rowCount, columnCount: columnCount, rowStart: rowsT.columnStart,
                                 columnIndices: rowsT.rowIndices, values: rowsT.values),
            rowLower: (0..<rowCount).map { rowSenses[$0] == .lessOrEqual ? -.infinity : rhs[$0] },
            rowUpper: (0..<rowCount).map { rowSenses[$0] == .greaterOrEqual ? .infinity : rhs[$0] },
            columnLower: columnLower, columnUpper: columnUpper,
            rowName: { i in "row '\(names[i])'" }, columnName: { j in "column '\(columns[j])'" })
        form.usesGLPKBasis = true
        form.columnMatrix = matrix
        return form
    }
}

/// Where each model row and finite column bound lands in the ``LinearProgram`` form. Not API.
struct LPModelRowMap: Sendable {
    enum Target: Sendable {
        /// Row `r` of `A`.
        case equality(Int)
        /// Row `r` of `G`, multiplied by `sign` (`-1` for `>=` rows and lower bounds).
        case inequality(Int, sign: Double)
    }
    /// Target of each constraint row.
    let rows: [Target]
    /// Targets of the finite column bounds, `(column, target)`.
    let bounds: [(Int, Target)]
    let equalityCount: Int
    let inequalityCount: Int

    init(_ model: LPModel) {
        var p = 0, m = 0
        var rows = [Target]()
        for sense in model.rowSenses {
            switch sense {
            case .equal: rows.append(.equality(p)); p += 1
            case .lessOrEqual: rows.append(.inequality(m, sign: 1)); m += 1
            case .greaterOrEqual: rows.append(.inequality(m, sign: -1)); m += 1
            }
        }
        var bounds = [(Int, Target)]()
        for j in 0..<model.columnCount {
            let l = model.columnLower[j], u = model.columnUpper[j]
            if l.isFinite && u.isFinite && l == u {
                bounds.append((j, .equality(p))); p += 1
                continue
            }
            if l.isFinite { bounds.append((j, .inequality(m, sign: -1))); m += 1 }
            if u.isFinite { bounds.append((j, .inequality(m, sign: 1))); m += 1 }
        }
        self.rows = rows
        self.bounds = bounds
        equalityCount = p
        inequalityCount = m
    }
}

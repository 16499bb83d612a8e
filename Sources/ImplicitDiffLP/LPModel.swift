import Foundation
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
/// The model is solved and differentiated as the ``LinearProgram``
/// `min (+/-c)'x  s.t.  A x = b,  G x <= h` whose rows are the E rows (`A`, `b = rhs`),
/// the L rows (`G`, `h = rhs`), the negated G rows (`-K_i`, `h = -rhs`) and the finite
/// column bounds (`-x_j <= -lower_j`, `x_j <= upper_j`, or `x_j = lower_j` when fixed).
/// ``LPModelSolution`` maps everything back to `(c, rhs)` and the file's rows.
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
    /// The constraint rows' coefficients.
    let matrix: LPSparseRows

    /// Reads `path` with GLPK's reader for `format`.
    ///
    /// Before GLPK sees the file, it must be a regular file (not a FIFO, device or
    /// folder, which could block the reader forever) of at most
    /// ``LPDataLimits/maximumModelFileBytes``, whose first lines look like the format: text
    /// without NUL bytes whose first line that is not blank or a comment is the MPS `NAME`
    /// record or, for CPLEX LP, starts with the objective's keyword (`minimize`,
    /// `maximize`, `min`, `max`, ...). So garbage is
    /// rejected after reading a few kilobytes instead of being parsed in full. After
    /// reading, the dense form the model is solved in (``linearProgram(c:rhs:)``) must
    /// fit in ``LPDataLimits/maximumDenseBytes``.
    ///
    /// - Throws: ``LPError/invalidProblem(_:)`` when the file is missing, not a regular
    ///   file, too large, does not look like the format, or is malformed (GLPK's message
    ///   is included), has a `RANGES` section or a ranged row, has no columns, has
    ///   non-finite data or data outside ``LPDataLimits``, or is too large to be solved
    ///   densely.
    public static func read(path: String, format: Format) throws -> LPModel {
        try LPModelFile.check(path: path, format: format)
        do {
            return try GLPKProblem.withProblem { glp in
                switch format {
                case .mps: try glp.readMPS(path: path)
                case .cplexLP: try glp.readCPLEXLP(path: path)
                }
                let model = try LPModel(glp, path: path)
                try model.checkDenseSize(path: path)
                return model
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
        let full = try glp.matrix()
        var keep = [Int](), senses = [RowSense](), rhs = [Double]()
        for (i, r) in rows.enumerated() {
            switch r.type {
            case GLP_FR: continue
            case GLP_FX: senses.append(.equal); rhs.append(r.lower)
            case GLP_UP: senses.append(.lessOrEqual); rhs.append(r.upper)
            case GLP_LO: senses.append(.greaterOrEqual); rhs.append(r.lower)
            default:
                throw LPError.invalidProblem("row '\(names[i])' of '\(path)' is ranged (two finite bounds): ranged rows are not supported")
            }
            keep.append(i)
        }
        var start = [0], cols = [Int](), vals = [Double]()
        for i in keep {
            cols.append(contentsOf: full.columnIndices[full.rowStart[i]..<full.rowStart[i + 1]])
            vals.append(contentsOf: full.values[full.rowStart[i]..<full.rowStart[i + 1]])
            start.append(cols.count)
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
        for (e, v) in vals.enumerated() where v != 0 && !(LPDataLimits.minimumMatrixMagnitude...LPDataLimits.maximumMagnitude).contains(abs(v)) {
            let i = start.lastIndex { $0 <= e }!
            throw LPError.invalidProblem("'\(path)': coefficient \(v) of row '\(names[keep[i]])' is outside the range GLPK's "
                                         + "scaling can represent (non-zero entries between \(LPDataLimits.minimumMatrixMagnitude) "
                                         + "and \(LPDataLimits.maximumMagnitude) in magnitude)")
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
        matrix = LPSparseRows(rowCount: keep.count, columnCount: full.columnCount, rowStart: start,
                              columnIndices: cols, values: vals)
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
        for i in 0..<rowCount {
            let target = map.rows[i]
            for e in matrix.rowStart[i]..<matrix.rowStart[i + 1] {
                let j = matrix.columnIndices[e], v = matrix.values[e]
                switch target {
                case let .equality(r): a[r, j] = v
                case let .inequality(r, sign): g[r, j] = sign * v
                }
            }
            switch target {
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

    /// Solves the model (as ``linearProgram(c:rhs:)``) with GLPK's simplex.
    public func solve(options: LPOptions = .init()) throws -> LPModelSolution {
        let lp = try linearProgram()
        return LPModelSolution(model: self, rowMap: LPModelRowMap(self), solution: try lp.solve(options: options))
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

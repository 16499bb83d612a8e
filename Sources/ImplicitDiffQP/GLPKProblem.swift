import _CGLPK

/// One GLPK problem object (`glp_prob`), confined to one synchronous call on one thread.
/// Not API.
///
/// GLPK keeps its environment (memory pools, terminal settings, hooks) in thread-local
/// storage, and a `glp_prob` must be created, used and deleted on the same OS thread.
/// Swift tasks can resume on another thread after any suspension point, so a
/// `GLPKProblem` exists only inside ``withProblem(_:)``: its body is synchronous (it
/// cannot `await`), the problem is created at its start and deleted before it returns,
/// and the class is not `Sendable`, so it cannot leave the call or the thread.
///
/// Errors inside GLPK abort the process unless the error hook leaves by `longjmp`. Two
/// layers keep that from happening:
/// 1. every index and argument is validated in Swift before the GLPK call that takes it
///    (row/column indices in range, finite coefficients, consistent bounds), so that GLPK
///    has no reason to fail;
/// 2. the heavy entry points (matrix loading, simplex, exact simplex, the MPS and CPLEX LP
///    readers) run through the C wrappers of the `_CGLPK` shim, which install an error
///    hook that jumps back into the wrapper. After such a fault the wrapper frees the
///    thread's GLPK environment (as GLPK's manual requires), this object forgets its
///    pointer, and the call throws ``GLPKFailure/fault(_:)``.
///
/// `glp_free_env()` is otherwise never called: it would also free GLPK objects that other
/// code on the same thread might own. Terminal output is switched off (`glp_term_out`)
/// at the start of every call; the readers' messages are captured through the terminal
/// hook for error messages instead of being printed.
final class GLPKProblem {
    private var pointer: OpaquePointer?
    private(set) var rowCount = 0
    private(set) var columnCount = 0

    private init(_ pointer: OpaquePointer) { self.pointer = pointer }

    /// Runs `body` with a new, empty problem and deletes it before returning.
    static func withProblem<R>(_ body: (GLPKProblem) throws -> R) throws -> R {
        _ = glp_term_out(GLP_OFF)
        guard let raw = glp_create_prob() else { throw GLPKFailure.fault("glp_create_prob returned no problem") }
        let problem = GLPKProblem(raw)
        defer { problem.delete() }
        return try body(problem)
    }

    private func delete() {
        if let p = pointer { glp_delete_prob(p) }
        pointer = nil
    }

    /// The live pointer, or a fault if a guarded call has already freed the environment.
    private func live() throws -> OpaquePointer {
        guard let p = pointer else { throw GLPKFailure.fault("the GLPK problem was freed after an earlier GLPK error") }
        return p
    }

    /// Maps a guarded call's result; a fault forgets the (already freed) pointer.
    private func guarded(_ what: String, _ code: Int32) throws -> Int32 {
        if code == IMPLICITDIFF_GLP_FAULT {
            pointer = nil
            throw GLPKFailure.fault("GLPK reported an internal error in \(what); its environment on this thread was reset")
        }
        return code
    }

    private func checkRow(_ i: Int) throws {
        guard i >= 0 && i < rowCount else { throw GLPKFailure.invalidArgument("row index \(i) outside 0..<\(rowCount)") }
    }

    private func checkColumn(_ j: Int) throws {
        guard j >= 0 && j < columnCount else { throw GLPKFailure.invalidArgument("column index \(j) outside 0..<\(columnCount)") }
    }

    // MARK: - Building

    /// Sets the optimisation direction.
    func setMinimize(_ minimize: Bool) throws {
        glp_set_obj_dir(try live(), minimize ? GLP_MIN : GLP_MAX)
    }

    /// Appends `count` rows and `columns` columns to an empty problem.
    func setSize(rows: Int, columns: Int) throws {
        let p = try live()
        guard rowCount == 0 && columnCount == 0 else { throw GLPKFailure.invalidArgument("setSize on a non-empty problem") }
        guard rows >= 0, columns >= 1, rows < Int(Int32.max), columns < Int(Int32.max) else {
            throw GLPKFailure.invalidArgument("problem size \(rows) x \(columns)")
        }
        if rows > 0 { _ = glp_add_rows(p, Int32(rows)) }
        _ = glp_add_cols(p, Int32(columns))
        rowCount = rows
        columnCount = columns
    }

    /// GLPK's bound type and the two numbers it takes, from a lower and upper bound
    /// (`-inf` / `+inf` for none). Throws on NaN or `lower > upper`.
    private static func boundType(_ lower: Double, _ upper: Double) throws -> (Int32, Double, Double) {
        guard !lower.isNaN, !upper.isNaN, lower < .infinity, upper > -.infinity, lower <= upper else {
            throw GLPKFailure.invalidArgument("bounds [\(lower), \(upper)]")
        }
        switch (lower.isFinite, upper.isFinite) {
        case (false, false): return (GLP_FR, 0, 0)
        case (true, false): return (GLP_LO, lower, 0)
        case (false, true): return (GLP_UP, 0, upper)
        case (true, true): return (lower == upper ? GLP_FX : GLP_DB, lower, upper)
        }
    }

    /// Bounds of row `i` (0-based): `lower <= (K x)_i <= upper`.
    func setRowBounds(_ i: Int, lower: Double, upper: Double) throws {
        let p = try live()
        try checkRow(i)
        let (type, lb, ub) = try Self.boundType(lower, upper)
        glp_set_row_bnds(p, Int32(i + 1), type, lb, ub)
    }

    /// Bounds of column `j` (0-based).
    func setColumnBounds(_ j: Int, lower: Double, upper: Double) throws {
        let p = try live()
        try checkColumn(j)
        let (type, lb, ub) = try Self.boundType(lower, upper)
        glp_set_col_bnds(p, Int32(j + 1), type, lb, ub)
    }

    /// Objective coefficient of column `j` (0-based).
    func setObjectiveCoefficient(_ j: Int, _ value: Double) throws {
        let p = try live()
        try checkColumn(j)
        guard value.isFinite else { throw GLPKFailure.invalidArgument("objective coefficient \(value)") }
        glp_set_obj_coef(p, Int32(j + 1), value)
    }

    /// Loads the constraint matrix from compressed rows (entries with distinct columns per row).
    func loadMatrix(_ k: LPSparseRows) throws {
        let p = try live()
        guard k.rowCount == rowCount, k.columnCount == columnCount else {
            throw GLPKFailure.invalidArgument("matrix \(k.rowCount) x \(k.columnCount) for a problem \(rowCount) x \(columnCount)")
        }
        let ne = k.values.count
        guard ne < Int(Int32.max) else { throw GLPKFailure.invalidArgument("\(ne) nonzeros") }
        var ia = [Int32](repeating: 0, count: ne + 1)
        var ja = [Int32](repeating: 0, count: ne + 1)
        var ar = [Double](repeating: 0, count: ne + 1)
        for i in 0..<k.rowCount {
            var seen = Set<Int>()
            for e in k.rowStart[i]..<k.rowStart[i + 1] {
                let j = k.columnIndices[e]
                try checkColumn(j)
                guard seen.insert(j).inserted else { throw GLPKFailure.invalidArgument("duplicate entry (\(i), \(j))") }
                guard k.values[e].isFinite else { throw GLPKFailure.invalidArgument("matrix entry (\(i), \(j)) is \(k.values[e])") }
                ia[e + 1] = Int32(i + 1)
                ja[e + 1] = Int32(j + 1)
                ar[e + 1] = k.values[e]
            }
        }
        _ = try guarded("glp_load_matrix", implicitdiff_glp_load_matrix(p, Int32(ne), ia, ja, ar))
    }

    // MARK: - Solving

    /// Primal simplex (dual simplex when `dual`), presolver off, silent, from the current
    /// basis. Returns GLPK's return code (0: the solver finished; read ``status``).
    func simplex(dual: Bool = false, feasibilityTolerance: Double? = nil, dualTolerance: Double? = nil,
                 iterationLimit: Int? = nil, timeLimitMilliseconds: Int? = nil) throws -> Int32 {
        let p = try live()
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.presolve = GLP_OFF
        parm.meth = dual ? GLP_DUALP : GLP_PRIMAL
        if let t = feasibilityTolerance {
            guard t > 0 && t < 1 else { throw GLPKFailure.invalidArgument("tol_bnd \(t)") }
            parm.tol_bnd = t
        }
        if let t = dualTolerance {
            guard t > 0 && t < 1 else { throw GLPKFailure.invalidArgument("tol_dj \(t)") }
            parm.tol_dj = t
        }
        if let n = iterationLimit {
            guard n > 0 else { throw GLPKFailure.invalidArgument("iteration limit \(n)") }
            parm.it_lim = Int32(clamping: n)
        }
        if let ms = timeLimitMilliseconds {
            guard ms > 0 else { throw GLPKFailure.invalidArgument("time limit \(ms) ms") }
            parm.tm_lim = Int32(clamping: ms)
        }
        return try guarded("glp_simplex", implicitdiff_glp_simplex(p, &parm))
    }

    /// GLPK's exact (rational arithmetic) simplex from the current basis; silent.
    func exactSimplex(iterationLimit: Int? = nil, timeLimitMilliseconds: Int? = nil) throws -> Int32 {
        let p = try live()
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        if let n = iterationLimit { parm.it_lim = Int32(clamping: max(n, 1)) }
        if let ms = timeLimitMilliseconds { parm.tm_lim = Int32(clamping: max(ms, 1)) }
        return try guarded("glp_exact", implicitdiff_glp_exact(p, &parm))
    }

    /// Resets the basis to the standard one (all rows basic, columns nonbasic).
    func standardBasis() throws {
        glp_std_basis(try live())
    }

    /// Geometric-mean and equilibration scaling (GLPK's automatic choice). Scaling changes
    /// GLPK's internal representation only; solutions are reported unscaled.
    func scale() throws {
        glp_scale_prob(try live(), GLP_SF_AUTO)
    }

    // MARK: - Reading results

    /// `glp_get_status`: GLP_OPT, GLP_NOFEAS, GLP_UNBND, GLP_FEAS, GLP_INFEAS or GLP_UNDEF.
    func status() throws -> Int32 { glp_get_status(try live()) }

    /// Simplex iterations so far.
    func iterationCount() throws -> Int { Int(glp_get_it_cnt(try live())) }

    /// Basis status of every row (GLP_BS, GLP_NL, GLP_NU, GLP_NF, GLP_NS), 0-based order.
    func rowStatuses() throws -> [Int32] {
        let p = try live()
        return (0..<rowCount).map { glp_get_row_stat(p, Int32($0 + 1)) }
    }

    /// Basis status of every column.
    func columnStatuses() throws -> [Int32] {
        let p = try live()
        return (0..<columnCount).map { glp_get_col_stat(p, Int32($0 + 1)) }
    }

    /// GLPK's primal values of the columns.
    func columnPrimals() throws -> [Double] {
        let p = try live()
        return (0..<columnCount).map { glp_get_col_prim(p, Int32($0 + 1)) }
    }

    /// GLPK's row duals (`d objective / d row bound` at the active bound).
    func rowDuals() throws -> [Double] {
        let p = try live()
        return (0..<rowCount).map { glp_get_row_dual(p, Int32($0 + 1)) }
    }

    /// GLPK's objective value.
    func objectiveValue() throws -> Double { glp_get_obj_val(try live()) }

    // MARK: - Files

    /// Reads an MPS file with GLPK's reader: fixed format (`GLP_MPS_DECK`, as netlib ships
    /// its models) first, free format (`GLP_MPS_FILE`) when that fails.
    func readMPS(path: String) throws {
        let p = try live()
        let (fixedCode, fixedLog) = try capturingOutput { try guarded("glp_read_mps", implicitdiff_glp_read_mps(p, GLP_MPS_DECK, path)) }
        if fixedCode == 0 { return try loadSize() }
        let (freeCode, freeLog) = try capturingOutput { try guarded("glp_read_mps", implicitdiff_glp_read_mps(p, GLP_MPS_FILE, path)) }
        if freeCode == 0 { return try loadSize() }
        throw GLPKFailure.readFailed("could not read MPS file '\(path)' as fixed MPS (\(Self.lastLines(fixedLog))) nor as free MPS (\(Self.lastLines(freeLog)))")
    }

    /// Reads a CPLEX LP file with GLPK's reader.
    func readCPLEXLP(path: String) throws {
        let p = try live()
        let (code, log) = try capturingOutput { try guarded("glp_read_lp", implicitdiff_glp_read_lp(p, path)) }
        guard code == 0 else {
            throw GLPKFailure.readFailed("could not read CPLEX LP file '\(path)': \(Self.lastLines(log))")
        }
        try loadSize()
    }

    private func loadSize() throws {
        let p = try live()
        rowCount = Int(glp_get_num_rows(p))
        columnCount = Int(glp_get_num_cols(p))
    }

    private static func lastLines(_ log: String) -> String {
        let lines = log.split(separator: "\n").map { $0.trimmingCharacters() }
        let tail = lines.suffix(2).joined(separator: "; ")
        return tail.isEmpty ? "no message" : tail
    }

    /// Runs `body` with GLPK's terminal output captured in a string instead of printed.
    private func capturingOutput<R>(_ body: () throws -> R) throws -> (R, String) {
        let sink = OutputSink()
        let info = Unmanaged.passUnretained(sink).toOpaque()
        glp_term_hook({ info, text in
            if let info, let text { Unmanaged<OutputSink>.fromOpaque(info).takeUnretainedValue().text += String(cString: text) }
            return 1
        }, info)
        _ = glp_term_out(GLP_ON)
        defer {
            _ = glp_term_out(GLP_OFF)
            glp_term_hook(nil, nil)
        }
        let r = try withExtendedLifetime(sink) { try body() }
        return (r, sink.text)
    }

    private final class OutputSink { var text = "" }

    /// Whether the model read declares maximisation.
    func isMaximization() throws -> Bool { glp_get_obj_dir(try live()) == GLP_MAX }

    /// The objective's constant term.
    func objectiveConstant() throws -> Double { glp_get_obj_coef(try live(), 0) }

    /// Objective coefficients of the columns.
    func objectiveCoefficients() throws -> [Double] {
        let p = try live()
        return (0..<columnCount).map { glp_get_obj_coef(p, Int32($0 + 1)) }
    }

    /// `(type, lower, upper)` of every row, with `-inf`/`+inf` for absent bounds.
    func rowBounds() throws -> [(type: Int32, lower: Double, upper: Double)] {
        let p = try live()
        return (0..<rowCount).map { i in
            let t = glp_get_row_type(p, Int32(i + 1))
            return (t, Self.lower(t, glp_get_row_lb(p, Int32(i + 1))), Self.upper(t, glp_get_row_ub(p, Int32(i + 1))))
        }
    }

    /// `(type, lower, upper)` of every column.
    func columnBounds() throws -> [(type: Int32, lower: Double, upper: Double)] {
        let p = try live()
        return (0..<columnCount).map { j in
            let t = glp_get_col_type(p, Int32(j + 1))
            return (t, Self.lower(t, glp_get_col_lb(p, Int32(j + 1))), Self.upper(t, glp_get_col_ub(p, Int32(j + 1))))
        }
    }

    private static func lower(_ type: Int32, _ value: Double) -> Double {
        type == GLP_LO || type == GLP_DB || type == GLP_FX ? value : -.infinity
    }

    private static func upper(_ type: Int32, _ value: Double) -> Double {
        type == GLP_UP || type == GLP_DB || type == GLP_FX ? value : .infinity
    }

    /// Row names (empty string when unnamed).
    func rowNames() throws -> [String] {
        let p = try live()
        return (0..<rowCount).map { glp_get_row_name(p, Int32($0 + 1)).map { String(cString: $0) } ?? "" }
    }

    /// Column names (empty string when unnamed).
    func columnNames() throws -> [String] {
        let p = try live()
        return (0..<columnCount).map { glp_get_col_name(p, Int32($0 + 1)).map { String(cString: $0) } ?? "" }
    }

    /// The name of the objective row.
    func objectiveName() throws -> String {
        glp_get_obj_name(try live()).map { String(cString: $0) } ?? ""
    }

    /// The constraint matrix in compressed rows (0-based column indices).
    func matrix() throws -> LPSparseRows {
        let p = try live()
        var rowStart = [0]
        var columns = [Int]()
        var values = [Double]()
        var ind = [Int32](repeating: 0, count: columnCount + 1)
        var val = [Double](repeating: 0, count: columnCount + 1)
        for i in 0..<rowCount {
            let len = Int(glp_get_mat_row(p, Int32(i + 1), &ind, &val))
            for e in stride(from: 1, through: len, by: 1) {
                columns.append(Int(ind[e]) - 1)
                values.append(val[e])
            }
            rowStart.append(columns.count)
        }
        return LPSparseRows(rowCount: rowCount, columnCount: columnCount, rowStart: rowStart,
                          columnIndices: columns, values: values)
    }

    /// Whether any column is declared integer or binary (MPS `MARKER INTORG`).
    func hasIntegerColumns() throws -> Bool { glp_get_num_int(try live()) > 0 }

    /// Test hook: makes GLPK raise an internal error under the guard.
    func provokeError() throws {
        _ = try guarded("glp_set_row_bnds (deliberate)", implicitdiff_glp_provoke_error(try live()))
    }
}

/// What went wrong inside the GLPK wrapper. Not API: ``LPError`` carries it to users.
enum GLPKFailure: Error, CustomStringConvertible {
    /// GLPK raised an internal error, caught by the error hook.
    case fault(String)
    /// An argument failed validation before reaching GLPK.
    case invalidArgument(String)
    /// A model file could not be read.
    case readFailed(String)

    var description: String {
        switch self {
        case let .fault(m): return "GLPK fault: \(m)"
        case let .invalidArgument(m): return "invalid GLPK argument: \(m)"
        case let .readFailed(m): return m
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}

import Glibc
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
///    (row/column indices in range, finite coefficients, consistent bounds), and
///    ``LinearProgram`` rejects coefficient ranges GLPK's scaling cannot represent
///    (``LPDataLimits``), so that GLPK has no reason to fail;
/// 2. every GLPK routine runs through a C wrapper of the `_CGLPK` shim, which installs an
///    error hook that jumps back into the wrapper. After such a fault the wrapper frees
///    the thread's GLPK environment (as GLPK's manual requires), this object forgets its
///    pointer, and the call throws ``GLPKFailure/fault(_:)`` with GLPK's own message. The
///    next GLPK call on the thread starts a fresh environment.
///
/// GLPK never writes to standard output (which carries the CLI's JSON): before anything
/// else, ``withProblem(_:)`` installs a terminal hook that collects GLPK's text (the last
/// ``OutputSink/capacity`` characters) for error messages, and replaces it by a hook that
/// drops the text when it returns. Terminal output is off except while a file reader
/// runs. `glp_free_env()` is otherwise never called: it would also free GLPK objects that
/// other code on the same thread might own.
final class GLPKProblem {
    private var pointer: OpaquePointer?
    private(set) var rowCount = 0
    private(set) var columnCount = 0
    /// GLPK's terminal text while this problem is alive.
    private let sink: OutputSink

    private init(_ pointer: OpaquePointer, sink: OutputSink) {
        self.pointer = pointer
        self.sink = sink
    }

    /// Runs `body` with a new, empty problem and deletes it before returning.
    static func withProblem<R>(_ body: (GLPKProblem) throws -> R) throws -> R {
        GLPKThreadExit.register()
        let sink = OutputSink()
        return try withExtendedLifetime(sink) {
            implicitdiff_glp_set_terminal({ info, text in
                if let info, let text { Unmanaged<OutputSink>.fromOpaque(info).takeUnretainedValue().append(text) }
                return 1
            }, Unmanaged.passUnretained(sink).toOpaque())
            // The hook must not outlive `sink`: GLPK's text is dropped after this call.
            defer { implicitdiff_glp_set_terminal(nil, nil) }
            var raw: OpaquePointer?
            let code = implicitdiff_glp_create_prob(&raw)
            guard code != IMPLICITDIFF_GLP_FAULT, let raw else {
                throw GLPKFailure.fault("glp_create_prob failed" + sink.messageSuffix)
            }
            let problem = GLPKProblem(raw, sink: sink)
            defer { problem.delete() }
            return try body(problem)
        }
    }

    private func delete() {
        if let p = pointer { _ = implicitdiff_glp_delete_prob(p) }
        pointer = nil
    }

    /// The live pointer, or a fault if a guarded call has already freed the environment.
    private func live() throws -> OpaquePointer {
        guard let p = pointer else { throw GLPKFailure.fault("the GLPK problem was freed after an earlier GLPK error") }
        return p
    }

    /// Maps a guarded call's result; a fault forgets the (already freed) pointer.
    @discardableResult
    private func guarded(_ what: String, _ code: Int32) throws -> Int32 {
        if code == IMPLICITDIFF_GLP_FAULT {
            pointer = nil
            throw GLPKFailure.fault("GLPK reported an internal error in \(what)\(sink.messageSuffix); "
                                    + "its environment on this thread was reset")
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
        try guarded("glp_set_obj_dir", implicitdiff_glp_set_obj_dir(try live(), minimize ? GLP_MIN : GLP_MAX))
    }

    /// Appends `count` rows and `columns` columns to an empty problem.
    func setSize(rows: Int, columns: Int) throws {
        let p = try live()
        guard rowCount == 0 && columnCount == 0 else { throw GLPKFailure.invalidArgument("setSize on a non-empty problem") }
        guard rows >= 0, columns >= 1, rows < Int(Int32.max), columns < Int(Int32.max) else {
            throw GLPKFailure.invalidArgument("problem size \(rows) x \(columns)")
        }
        try guarded("glp_add_rows/glp_add_cols", implicitdiff_glp_add_rows_cols(p, Int32(rows), Int32(columns)))
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
        try guarded("glp_set_row_bnds", implicitdiff_glp_set_row_bnds(p, Int32(i + 1), type, lb, ub))
    }

    /// Bounds of column `j` (0-based).
    func setColumnBounds(_ j: Int, lower: Double, upper: Double) throws {
        let p = try live()
        try checkColumn(j)
        let (type, lb, ub) = try Self.boundType(lower, upper)
        try guarded("glp_set_col_bnds", implicitdiff_glp_set_col_bnds(p, Int32(j + 1), type, lb, ub))
    }

    /// Objective coefficient of column `j` (0-based).
    func setObjectiveCoefficient(_ j: Int, _ value: Double) throws {
        let p = try live()
        try checkColumn(j)
        guard value.isFinite else { throw GLPKFailure.invalidArgument("objective coefficient \(value)") }
        try guarded("glp_set_obj_coef", implicitdiff_glp_set_obj_coef(p, Int32(j + 1), value))
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
        var seen = [Int](repeating: -1, count: columnCount)
        for i in 0..<k.rowCount {
            for e in k.rowStart[i]..<k.rowStart[i + 1] {
                let j = k.columnIndices[e]
                try checkColumn(j)
                guard seen[j] != i else { throw GLPKFailure.invalidArgument("duplicate entry (\(i), \(j))") }
                seen[j] = i
                guard k.values[e].isFinite else { throw GLPKFailure.invalidArgument("matrix entry (\(i), \(j)) is \(k.values[e])") }
                ia[e + 1] = Int32(i + 1)
                ja[e + 1] = Int32(j + 1)
                ar[e + 1] = k.values[e]
            }
        }
        try guarded("glp_load_matrix", implicitdiff_glp_load_matrix(p, Int32(ne), ia, ja, ar))
    }

    /// Loads the constraint matrix from compressed columns (the core's `SparseMatrix`: rows
    /// strictly increasing within a column, so no duplicate can reach GLPK, which would
    /// abort on one). Explicit zeros are dropped by GLPK.
    func loadColumns(_ k: SparseMatrix) throws {
        let p = try live()
        guard k.rows == rowCount, k.columns == columnCount else {
            throw GLPKFailure.invalidArgument("matrix \(k.rows) x \(k.columns) for a problem \(rowCount) x \(columnCount)")
        }
        guard k.nonZeroCount < Int(Int32.max) else { throw GLPKFailure.invalidArgument("\(k.nonZeroCount) nonzeros") }
        for j in 0..<k.columns {
            var previous = -1
            for e in k.columnStart[j]..<k.columnStart[j + 1] {
                let i = k.rowIndices[e]
                guard i > previous, i < rowCount else { throw GLPKFailure.invalidArgument("row index \(i) in column \(j)") }
                guard k.values[e].isFinite else { throw GLPKFailure.invalidArgument("matrix entry (\(i), \(j)) is \(k.values[e])") }
                previous = i
            }
        }
        let start = k.columnStart.map { Int32($0) }, rows = k.rowIndices.map { Int32($0) }
        var ind = [Int32](repeating: 0, count: rowCount + 1)
        var val = [Double](repeating: 0, count: rowCount + 1)
        try guarded("glp_set_mat_col", implicitdiff_glp_load_columns(p, Int32(columnCount), start, rows, k.values, &ind, &val))
    }

    /// The constraint matrix in compressed columns (the core's `SparseMatrix`), read
    /// column by column: no dense array.
    func columnMatrix() throws -> SparseMatrix {
        let p = try live()
        var start = [0]
        start.reserveCapacity(columnCount + 1)
        var rows = [Int](), values = [Double]()
        var ind = [Int32](repeating: 0, count: rowCount + 1)
        var val = [Double](repeating: 0, count: rowCount + 1)
        var order = [Int]()
        for j in 0..<columnCount {
            var length: Int32 = 0
            try guarded("glp_get_mat_col", implicitdiff_glp_get_mat_col(p, Int32(j + 1), &ind, &val, &length))
            let n = Int(length)
            // GLPK does not promise increasing row indices within a column.
            order = Array(1...max(n, 1)).prefix(n).sorted { ind[$0] < ind[$1] }
            for e in order {
                rows.append(Int(ind[e]) - 1)
                values.append(val[e])
            }
            start.append(rows.count)
        }
        do {
            return try SparseMatrix(rows: rowCount, columns: columnCount, columnStart: start, rowIndices: rows, values: values)
        } catch {
            throw GLPKFailure.invalidArgument("the model's matrix: \(error)")
        }
    }

    /// glpsol's default initial basis (`--adv`, `glp_adv_basis(P, 0)`).
    func advancedBasis() throws {
        try guarded("glp_adv_basis", implicitdiff_glp_adv_basis(try live()))
    }

    /// Sets the basis statuses of every row and column (GLP_BS, GLP_NL, GLP_NU, GLP_NF, GLP_NS).
    func setStatuses(rows: [Int32], columns: [Int32]) throws {
        let p = try live()
        guard rows.count == rowCount, columns.count == columnCount else {
            throw GLPKFailure.invalidArgument("\(rows.count) row and \(columns.count) column statuses")
        }
        let valid: Set<Int32> = [GLP_BS, GLP_NL, GLP_NU, GLP_NF, GLP_NS]
        guard rows.allSatisfy(valid.contains), columns.allSatisfy(valid.contains) else {
            throw GLPKFailure.invalidArgument("invalid basis status")
        }
        try guarded("glp_set_row_stat", implicitdiff_glp_set_statuses(p, Int32(rowCount), rows, Int32(columnCount), columns))
    }

    /// Factorises the current basis unless its factorisation exists (it does after the
    /// simplex); returns 0, or `glp_factorize`'s code (GLP_EBADB: not a basis,
    /// GLP_ESING: singular, GLP_ECOND: ill-conditioned).
    func factorize() throws -> Int32 {
        let p = try live()
        guard rowCount > 0 else { return 0 }
        return try guarded("glp_factorize", implicitdiff_glp_factorize(p))
    }

    /// The basis header: entry `k` is the `k`-th basic variable, `0..<m` for a row's
    /// auxiliary variable (`x_R = K x_S`), `m + j` for column `j` (0-based).
    func basisHeader() throws -> [Int] {
        var head = [Int32](repeating: 0, count: rowCount)
        try guarded("glp_get_bhead", implicitdiff_glp_basis_header(try live(), Int32(rowCount), &head))
        return head.map { Int($0) - 1 }
    }

    /// Solves `B x = b` (or `B' x = b` when `transposed`) in place with the factorisation of
    /// the basis matrix `B` (columns of `(I | -K)` in basis-header order, in the problem's
    /// unscaled terms); `x` has one entry per row. Call ``factorize()`` first.
    func solveBasis(_ x: inout [Double], transposed: Bool) throws {
        let p = try live()
        guard x.count == rowCount else { throw GLPKFailure.invalidArgument("basis solve with \(x.count) entries for \(rowCount) rows") }
        guard rowCount > 0 else { return }
        var buffer = [0.0] + x
        try guarded(transposed ? "glp_btran" : "glp_ftran", implicitdiff_glp_solve_basis(p, transposed ? 1 : 0, &buffer))
        x = Array(buffer[1...])
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
        try guarded("glp_std_basis", implicitdiff_glp_std_basis(try live()))
    }

    /// Geometric-mean and equilibration scaling (GLPK's automatic choice). Scaling changes
    /// GLPK's internal representation only; solutions are reported unscaled.
    func scale() throws {
        try guarded("glp_scale_prob", implicitdiff_glp_scale_prob(try live(), GLP_SF_AUTO))
    }

    // MARK: - Reading results

    /// `glp_get_status` (GLP_OPT, GLP_NOFEAS, GLP_UNBND, GLP_FEAS, GLP_INFEAS or
    /// GLP_UNDEF), the simplex iterations so far and GLPK's objective value.
    private func statusFigures() throws -> (status: Int32, iterations: Int, objective: Double) {
        var status: Int32 = 0, iterations: Int32 = 0, objective = 0.0
        try guarded("glp_get_status", implicitdiff_glp_read_status(try live(), &status, &iterations, &objective))
        return (status, Int(iterations), objective)
    }

    /// `glp_get_status`: GLP_OPT, GLP_NOFEAS, GLP_UNBND, GLP_FEAS, GLP_INFEAS or GLP_UNDEF.
    func status() throws -> Int32 { try statusFigures().status }

    /// Simplex iterations so far.
    func iterationCount() throws -> Int { try statusFigures().iterations }

    /// GLPK's objective value.
    func objectiveValue() throws -> Double { try statusFigures().objective }

    /// Basis status of every row (GLP_BS, GLP_NL, GLP_NU, GLP_NF, GLP_NS), 0-based order.
    func rowStatuses() throws -> [Int32] {
        var stat = [Int32](repeating: 0, count: rowCount)
        try guarded("glp_get_row_stat", implicitdiff_glp_read_rows(try live(), Int32(rowCount), nil, nil, nil, &stat, nil))
        return stat
    }

    /// Basis status of every column.
    func columnStatuses() throws -> [Int32] {
        var stat = [Int32](repeating: 0, count: columnCount)
        try guarded("glp_get_col_stat", implicitdiff_glp_read_cols(try live(), Int32(columnCount), nil, nil, nil, nil, &stat, nil))
        return stat
    }

    /// GLPK's primal values of the columns.
    func columnPrimals() throws -> [Double] {
        var prim = [Double](repeating: 0, count: columnCount)
        try guarded("glp_get_col_prim", implicitdiff_glp_read_cols(try live(), Int32(columnCount), nil, nil, nil, nil, nil, &prim))
        return prim
    }

    /// GLPK's row duals (`d objective / d row bound` at the active bound).
    func rowDuals() throws -> [Double] {
        var dual = [Double](repeating: 0, count: rowCount)
        try guarded("glp_get_row_dual", implicitdiff_glp_read_rows(try live(), Int32(rowCount), nil, nil, nil, nil, &dual))
        return dual
    }

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

    /// Rows, columns, direction, integer columns and objective constant of the problem.
    private func dimensions() throws -> (rows: Int, columns: Int, maximize: Bool, integers: Int, constant: Double) {
        var rows: Int32 = 0, cols: Int32 = 0, dir: Int32 = 0, ints: Int32 = 0, constant = 0.0
        try guarded("glp_get_num_rows", implicitdiff_glp_get_dimensions(try live(), &rows, &cols, &dir, &ints, &constant))
        return (Int(rows), Int(cols), dir == GLP_MAX, Int(ints), constant)
    }

    private func loadSize() throws {
        let d = try dimensions()
        rowCount = d.rows
        columnCount = d.columns
    }

    private static func lastLines(_ log: String) -> String {
        let lines = log.split(separator: "\n").map { $0.trimmingCharacters() }
        let tail = lines.suffix(2).joined(separator: "; ")
        return tail.isEmpty ? "no message" : tail
    }

    /// Runs `body` with GLPK's terminal output switched on (into the sink, never to
    /// standard output); returns what it wrote.
    private func capturingOutput<R>(_ body: () throws -> R) throws -> (R, String) {
        sink.reset()
        implicitdiff_glp_term_out(1)
        defer { implicitdiff_glp_term_out(0) }
        let r = try body()
        return (r, sink.text)
    }

    /// GLPK's terminal text, bounded: only the last `capacity` characters are kept.
    final class OutputSink {
        static let capacity = 4096
        private(set) var text = ""

        func append(_ cString: UnsafePointer<CChar>) {
            text += String(cString: cString)
            if text.utf8.count > 2 * Self.capacity { text = String(text.suffix(Self.capacity)) }
        }

        func reset() { text = "" }

        /// `" (GLPK: last lines)"`, or empty when GLPK said nothing.
        var messageSuffix: String {
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
            return lines.isEmpty ? "" : " (GLPK: " + lines.suffix(2).joined(separator: "; ") + ")"
        }
    }

    /// Whether the model read declares maximisation.
    func isMaximization() throws -> Bool { try dimensions().maximize }

    /// The objective's constant term.
    func objectiveConstant() throws -> Double { try dimensions().constant }

    /// Objective coefficients of the columns.
    func objectiveCoefficients() throws -> [Double] {
        var obj = [Double](repeating: 0, count: columnCount)
        try guarded("glp_get_obj_coef", implicitdiff_glp_read_cols(try live(), Int32(columnCount), nil, nil, nil, &obj, nil, nil))
        return obj
    }

    /// `(type, lower, upper)` of every row, with `-inf`/`+inf` for absent bounds.
    func rowBounds() throws -> [(type: Int32, lower: Double, upper: Double)] {
        var type = [Int32](repeating: 0, count: rowCount)
        var lb = [Double](repeating: 0, count: rowCount), ub = [Double](repeating: 0, count: rowCount)
        try guarded("glp_get_row_lb", implicitdiff_glp_read_rows(try live(), Int32(rowCount), &type, &lb, &ub, nil, nil))
        return (0..<rowCount).map { i in (type[i], Self.lower(type[i], lb[i]), Self.upper(type[i], ub[i])) }
    }

    /// `(type, lower, upper)` of every column.
    func columnBounds() throws -> [(type: Int32, lower: Double, upper: Double)] {
        var type = [Int32](repeating: 0, count: columnCount)
        var lb = [Double](repeating: 0, count: columnCount), ub = [Double](repeating: 0, count: columnCount)
        try guarded("glp_get_col_lb", implicitdiff_glp_read_cols(try live(), Int32(columnCount), &type, &lb, &ub, nil, nil, nil))
        return (0..<columnCount).map { j in (type[j], Self.lower(type[j], lb[j]), Self.upper(type[j], ub[j])) }
    }

    private static func lower(_ type: Int32, _ value: Double) -> Double {
        type == GLP_LO || type == GLP_DB || type == GLP_FX ? value : -.infinity
    }

    private static func upper(_ type: Int32, _ value: Double) -> Double {
        type == GLP_UP || type == GLP_DB || type == GLP_FX ? value : .infinity
    }

    /// The name of row `i` (`kind` 0), column `i` (`kind` 1) or of the objective (`kind` 2).
    private func name(kind: Int32, _ i: Int) throws -> String {
        var name: UnsafePointer<CChar>?
        try guarded("glp_get_row_name", implicitdiff_glp_get_name(try live(), kind, Int32(i + 1), &name))
        return name.map { String(cString: $0) } ?? ""
    }

    /// Row names (empty string when unnamed).
    func rowNames() throws -> [String] { try (0..<rowCount).map { try name(kind: 0, $0) } }

    /// Column names (empty string when unnamed).
    func columnNames() throws -> [String] { try (0..<columnCount).map { try name(kind: 1, $0) } }

    /// The name of the objective row.
    func objectiveName() throws -> String { try name(kind: 2, 0) }

    /// The constraint matrix in compressed rows (0-based column indices).
    func matrix() throws -> LPSparseRows {
        let p = try live()
        var rowStart = [0]
        var columns = [Int]()
        var values = [Double]()
        var ind = [Int32](repeating: 0, count: columnCount + 1)
        var val = [Double](repeating: 0, count: columnCount + 1)
        for i in 0..<rowCount {
            var length: Int32 = 0
            try guarded("glp_get_mat_row", implicitdiff_glp_get_mat_row(p, Int32(i + 1), &ind, &val, &length))
            for e in stride(from: 1, through: Int(length), by: 1) {
                columns.append(Int(ind[e]) - 1)
                values.append(val[e])
            }
            rowStart.append(columns.count)
        }
        return LPSparseRows(rowCount: rowCount, columnCount: columnCount, rowStart: rowStart,
                          columnIndices: columns, values: values)
    }

    /// Whether any column is declared integer or binary (MPS `MARKER INTORG`).
    func hasIntegerColumns() throws -> Bool { try dimensions().integers > 0 }

    /// Test hook: makes GLPK raise an internal error under the guard.
    func provokeError() throws {
        try guarded("glp_set_row_bnds (deliberate)", implicitdiff_glp_provoke_error(try live()))
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

/// GLPK keeps one environment per thread (all of that thread's GLPK memory, ~5 KB and
/// more) and never frees it by itself, so a worker thread that solved LPs and exits
/// would leak it (``ConcurrentBatch`` starts worker threads per batch). A thread that
/// uses GLPK is registered once under a pthread key whose destructor calls
/// `glp_free_env()` as the thread exits, when none of its GLPK objects can be in use any
/// more. (The main thread's environment goes with the process.) Checked with valgrind on
/// a C reproduction: 50 short-lived threads lost 264 KB without the destructor, 0 with it.
enum GLPKThreadExit {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { _ in _ = glp_free_env() }
        return key
    }()

    static func register() {
        if pthread_getspecific(key) == nil {
            pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        }
    }
}

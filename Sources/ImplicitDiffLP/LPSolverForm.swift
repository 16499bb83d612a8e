import _CGLPK

/// A linear program in the solver's (GLPK's) bounded form. Not API.
/// ```
/// minimize  c'x   subject to   rowLower <= K x <= rowUpper,   columnLower <= x <= columnUpper
/// ```
/// (`-inf` / `+inf` for absent bounds). ``solve(options:)`` runs GLPK's simplex and then
/// recomputes the basic solution from the optimal basis in double precision with the
/// core's `LUFactorization` of the exactly equilibrated basis (`LPBasisLU`; one refinement
/// step), which is the solution reported and
/// the factorisation the derivatives reuse.
struct LPSolverForm: Sendable {
    var objective: [Double]
    var matrix: LPSparseRows
    var rowLower: [Double]
    var rowUpper: [Double]
    var columnLower: [Double]
    var columnUpper: [Double]
    /// A name for row `i` / column `j` in messages.
    var rowName: @Sendable (Int) -> String
    var columnName: @Sendable (Int) -> String
    /// `true`: solved as glpsol solves a model file (GLPK's automatic scaling, its advanced
    /// initial basis, the primal simplex, no presolver), rows kept as they are, and the
    /// basic solution recomputed with GLPK's own LU factorisation of the optimal basis
    /// (`glp_ftran` / `glp_btran`): nothing of the size of the basis is dense
    /// (``LPModel``). `false`: the dense path of ``LinearProgram`` (single-variable rows as
    /// column bounds, dual simplex when every variable is boxed, and the dense `LPBasisLU`
    /// of the basis that ``LPKKTFactorization`` reuses).
    var usesGLPKBasis = false
    /// The same matrix in compressed columns, when the caller has it (loaded into GLPK
    /// column by column instead of as coordinates).
    var columnMatrix: SparseMatrix?

    var rowCount: Int { matrix.rowCount }
    var columnCount: Int { matrix.columnCount }

    /// Solves with GLPK's simplex (presolver off, scaled, silent; the dual simplex when
    /// every variable is boxed, the primal otherwise) and recomputes the basic solution
    /// from the optimal basis.
    ///
    /// Dense problems (``LPForwardMethod``) first try the interior point
    /// (``LPInteriorPoint``) and its crossover basis (``LPCrossover``): when the basic
    /// solution recomputed from that basis has no violation beyond
    /// ``LPOptions/feasibilityTolerance`` it is returned (0 simplex iterations); otherwise
    /// the simplex starts from that basis. Either way the answer is a basis's exact vertex,
    /// checked by the same code.
    ///
    /// Fallbacks, each documented in the error when all fail:
    /// * when the simplex stops without a verdict (iteration cap, singular or
    ///   ill-conditioned basis), the other one is run from the standard basis;
    /// * when the recomputed solution misses ``LPOptions/feasibilityTolerance``, the simplex
    ///   is rerun from that basis with tightened tolerances (1e-10), then, on small problems
    ///   (rows x columns <= 2500), GLPK's exact rational simplex is tried.
    ///
    /// Without ``LPOptions/iterationLimit`` each run is capped at `20 (rows + columns) + 1000`
    /// iterations, so that cycling ends in ``LPError/notConverged(_:)`` instead of a hang.
    func solve(options: LPOptions) throws -> LPBasicSolution {
        let cap = options.iterationLimit ?? (20 * (rowCount + columnCount) + 1000)
        let timeLimit = options.timeLimit.map { Int(($0 * 1000).rounded(.up)) }
        // Rows that bound a single variable go to GLPK as column bounds (LPBoundRows);
        // GLPK's basis is translated back to this form before anything is recomputed.
        let boundRows = usesGLPKBasis ? LPBoundRows.none(columnCount) : LPBoundRows(self)
        let glpForm = boundRows.isEmpty ? self : boundRows.reduced(self)
        func statuses(_ glp: GLPKProblem) throws -> (rows: [Int32], columns: [Int32]) {
            let rows = try glp.rowStatuses(), columns = try glp.columnStatuses()
            return boundRows.isEmpty ? (rows, columns) : boundRows.originalStatuses(self, rowStatus: rows, columnStatus: columns)
        }
        // Dense LPs: an interior point proposes a basis (LPCrossover); when its vertex is
        // primal and dual feasible it is the answer, otherwise the simplex starts there.
        var initialBasis: (rows: [Int32], columns: [Int32])?
        if !usesGLPKBasis, let tolerance = LPForwardMethod.current.interiorPointTolerance(for: glpForm, options: options),
           let iterate = LPInteriorPoint(tolerance: tolerance).solve(glpForm) {
            let guess = LPCrossover.statuses(iterate, rows: glpForm.rowCount, columns: columnCount)
            let original = boundRows.isEmpty ? guess
                : boundRows.originalStatuses(self, rowStatus: guess.rows, columnStatus: guess.columns)
            if let solution = try? basicSolution(rowStatus: original.rows, columnStatus: original.columns,
                                                 iterations: 0, options: options),
               solution.violation == nil {
                return solution
            }
            initialBasis = guess
        }
        do {
            return try GLPKProblem.withProblem { glp in
                try glp.setMinimize(true)
                try glp.setSize(rows: glpForm.rowCount, columns: columnCount)
                for j in 0..<columnCount {
                    try glp.setColumnBounds(j, lower: glpForm.columnLower[j], upper: glpForm.columnUpper[j])
                    try glp.setObjectiveCoefficient(j, objective[j])
                }
                for i in 0..<glpForm.rowCount { try glp.setRowBounds(i, lower: glpForm.rowLower[i], upper: glpForm.rowUpper[i]) }
                if let columns = glpForm.columnMatrix { try glp.loadColumns(columns) } else { try glp.loadMatrix(glpForm.matrix) }
                try glp.scale()
                if usesGLPKBasis { try glp.advancedBasis() }
                if let initialBasis {
                    // The crossover's basis, unless GLPK cannot factorise it.
                    try glp.setStatuses(rows: initialBasis.rows, columns: initialBasis.columns)
                    if try glp.factorize() != 0 { try glp.standardBasis() }
                }
                // With every variable boxed, any basis is dual feasible once the nonbasic
                // variables sit at the right bound, and the dual simplex needs no phase
                // one: 2.3x fewer pivots than the primal on dense LPs with box bounds
                // (n = 400). Otherwise the primal simplex goes first.
                let dualFirst = !usesGLPKBasis && (0..<columnCount).allSatisfy { glpForm.columnLower[$0].isFinite && glpForm.columnUpper[$0].isFinite }
                let (first, second) = dualFirst ? ("dual", "primal") : ("primal", "dual")
                do {
                    try Self.check(returnCode: glp.simplex(dual: dualFirst, iterationLimit: cap, timeLimitMilliseconds: timeLimit),
                                   status: glp.status())
                } catch LPError.notConverged(let firstFailure) {
                    try glp.standardBasis()
                    do {
                        try Self.check(returnCode: glp.simplex(dual: !dualFirst, iterationLimit: cap, timeLimitMilliseconds: timeLimit),
                                       status: glp.status())
                    } catch LPError.notConverged(let secondFailure) {
                        throw LPError.notConverged("\(first) simplex: \(firstFailure); \(second) simplex: \(secondFailure)")
                    }
                }
                var lastProblem = "", lastIsDual = false
                for polish in 0..<3 {
                    do {
                        if polish == 1 {
                            try Self.check(returnCode: glp.simplex(feasibilityTolerance: 1e-10, dualTolerance: 1e-10,
                                                                   iterationLimit: cap, timeLimitMilliseconds: timeLimit),
                                           status: glp.status())
                        } else if polish == 2 {
                            guard !usesGLPKBasis, glpForm.rowCount * columnCount <= 2500 else { break }
                            try Self.check(returnCode: glp.exactSimplex(iterationLimit: cap, timeLimitMilliseconds: timeLimit ?? 10_000),
                                           status: glp.status())
                        }
                    } catch LPError.notConverged(let why) {
                        lastProblem += "; polishing failed: \(why)"
                        break
                    }
                    let basis = try statuses(glp)
                    let solution = usesGLPKBasis
                        ? try glpkBasicSolution(glp, rowStatus: basis.rows, columnStatus: basis.columns, options: options)
                        : try basicSolution(rowStatus: basis.rows, columnStatus: basis.columns,
                                            iterations: glp.iterationCount(), options: options)
                    guard let violation = solution.violation else { return solution }
                    lastProblem = violation
                    lastIsDual = solution.violationIsDual
                }
                let message = "the simplex basis is not optimal to the requested tolerance "
                    + "\(options.feasibilityTolerance) (the problem may be too ill-conditioned; a larger "
                    + "tolerance accepts it): \(lastProblem)"
                throw lastIsDual ? LPSolverFormFailure.dualInfeasibleBasis(message) : LPError.notConverged(message)
            }
        } catch let failure as GLPKFailure {
            switch failure {
            case .readFailed(let m): throw LPError.invalidProblem(m)
            case .invalidArgument(let m): throw LPError.invalidProblem(m)
            case .fault(let m): throw LPError.notConverged(m)
            }
        }
    }

    /// Interprets `glp_simplex`'s return code and `glp_get_status`.
    static func check(returnCode code: Int32, status: Int32) throws {
        switch code {
        case 0: break
        case GLP_EITLIM: throw LPError.notConverged("simplex iteration limit reached")
        case GLP_ETMLIM: throw LPError.notConverged("simplex time limit reached")
        case GLP_ESING, GLP_ECOND: throw LPError.notConverged("the simplex basis matrix became singular or ill-conditioned (GLPK code \(code))")
        case GLP_EBOUND: throw LPError.invalidProblem("a variable has incorrect bounds")
        default: throw LPError.notConverged("GLPK's simplex failed (code \(code))")
        }
        switch status {
        case GLP_OPT: return
        case GLP_NOFEAS: throw LPError.infeasible("GLPK's simplex found no feasible point")
        case GLP_UNBND: throw LPError.unbounded("GLPK's simplex found a ray along which the objective decreases without bound")
        default: throw LPError.notConverged("GLPK finished with status \(status), not optimal")
        }
    }

    /// The basic solution of a basis given by GLPK's statuses, recomputed in double precision.
    func basicSolution(rowStatus: [Int32], columnStatus: [Int32], iterations: Int,
                       options: LPOptions) throws -> LPBasicSolution {
        let m = rowCount, n = columnCount
        let basicColumns = (0..<n).filter { columnStatus[$0] == GLP_BS }
        let activeRows = (0..<m).filter { rowStatus[$0] != GLP_BS }
        let k = basicColumns.count
        guard activeRows.count == k else {
            throw LPError.notConverged("GLPK returned an invalid basis (\(activeRows.count) nonbasic rows for \(k) basic columns)")
        }
        var position = [Int](repeating: -1, count: n)
        for (p, j) in basicColumns.enumerated() { position[j] = p }

        // Nonbasic columns sit at their active bound; nonbasic rows fix K_i x at theirs.
        var x = [Double](repeating: 0, count: n)
        for j in 0..<n where position[j] < 0 {
            x[j] = Self.activeBound(columnStatus[j], lower: columnLower[j], upper: columnUpper[j])
        }
        var basis = [Double](repeating: 0, count: k * k)
        var rhs = [Double](repeating: 0, count: k)
        for (r, i) in activeRows.enumerated() {
            var s = Self.activeBound(rowStatus[i], lower: rowLower[i], upper: rowUpper[i])
            for e in matrix.rowStart[i]..<matrix.rowStart[i + 1] {
                let j = matrix.columnIndices[e]
                if position[j] >= 0 { basis[r * k + position[j]] = matrix.values[e] } else { s -= matrix.values[e] * x[j] }
            }
            rhs[r] = s
        }
        let lu: LPBasisLU
        do { lu = try LPBasisLU(Matrix(rows: k, columns: k, scalars: consume basis)) } catch {
            throw LPError.notConverged("the optimal basis matrix (\(k) x \(k)) is singular to working precision: \(error)")
        }
        basis = []
        // B v and B'w from the sparse rows (no second dense copy of B).
        func basisTimes(_ v: Vector) -> Vector {
            var out = [Double](repeating: 0, count: k)
            for (r, i) in activeRows.enumerated() {
                var s = 0.0
                for e in matrix.rowStart[i]..<matrix.rowStart[i + 1] where position[matrix.columnIndices[e]] >= 0 {
                    s += matrix.values[e] * v[position[matrix.columnIndices[e]]]
                }
                out[r] = s
            }
            return Vector(out)
        }
        func basisTransposedTimes(_ w: Vector) -> Vector {
            var out = [Double](repeating: 0, count: k)
            for (r, i) in activeRows.enumerated() where w[r] != 0 {
                for e in matrix.rowStart[i]..<matrix.rowStart[i + 1] where position[matrix.columnIndices[e]] >= 0 {
                    out[position[matrix.columnIndices[e]]] += matrix.values[e] * w[r]
                }
            }
            return Vector(out)
        }
        // x_B = B^-1 rhs and pi_N = B^-T c_B, each with one step of iterative refinement.
        let rhsVector = Vector(rhs)
        var xB = lu.solve(rhsVector)
        xB += lu.solve(rhsVector - basisTimes(xB))
        let cB = Vector(basicColumns.map { objective[$0] })
        var piN = lu.solveTransposed(cB)
        piN += lu.solveTransposed(cB - basisTransposedTimes(piN))
        for (p, j) in basicColumns.enumerated() { x[j] = xB[p] }
        var pi = [Double](repeating: 0, count: m)
        for (r, i) in activeRows.enumerated() { pi[i] = piN[r] }
        let kpi = matrix.transposedTimes(pi)
        var reduced = (0..<n).map { objective[$0] - kpi[$0] }
        for j in basicColumns { reduced[j] = 0 }
        let activity = matrix.times(x)

        let solution = LPBasicSolution(x: x, rowActivity: activity, rowDuals: pi, reducedCosts: reduced,
                                       basicColumns: basicColumns, activeRows: activeRows,
                                       rowStatus: rowStatus, columnStatus: columnStatus,
                                       basisFactorization: lu, iterations: iterations)
        return classify(solution, options: options)
    }

    /// The value of a nonbasic variable: its active bound (0 for a free nonbasic one).
    static func activeBound(_ status: Int32, lower: Double, upper: Double) -> Double {
        switch status {
        case GLP_NL, GLP_NS: return lower
        case GLP_NU: return upper
        default: return 0
        }
    }

    /// Adds the degeneracy report and the feasibility verdict (see ``LPOptions``).
    func classify(_ s: LPBasicSolution, options: LPOptions) -> LPBasicSolution {
        let m = rowCount, n = columnCount
        let tol = options.degeneracyTolerance, feas = options.feasibilityTolerance
        let xScale = s.x.reduce(0) { max($0, abs($1)) }
        let cScale = objective.reduce(0) { max($0, abs($1)) }
        let activityScale = matrix.absoluteTimes(s.x)
        let reducedScale = matrix.absoluteTransposedTimes(s.rowDuals)
        let rowNorms = matrix.rowMaxNorms
        var primal = [(name: String, relativeDistance: Double)]()
        var dual = [(name: String, relativeReducedCost: Double)]()
        var worstViolation = 0.0
        var violationText: String?

        func finiteMagnitude(_ l: Double, _ u: Double) -> Double {
            max(l.isFinite ? abs(l) : 0, u.isFinite ? abs(u) : 0)
        }
        func relative(_ value: Double, _ scale: Double) -> Double {
            scale > 0 ? value / scale : (value == 0 ? 0 : .infinity)
        }
        var violationIsDual = false
        // Messages and names are formed only for what is reported (a name is a string
        // built per row; forming one per basic row was 11 % of a small model's forward).
        func violated(_ r: Double, _ what: @autoclosure () -> String, dual: Bool = false) {
            if r > feas && r > worstViolation {
                worstViolation = r
                violationText = "\(what()) (relative \(shortNumber(r)))"
                violationIsDual = dual
            }
        }
        // Basic variables: inside their bounds, and not at one.
        for i in 0..<m where s.rowStatus[i] == GLP_BS {
            let r = s.rowActivity[i]
            let scale = max(finiteMagnitude(rowLower[i], rowUpper[i]), activityScale[i], rowNorms[i] * xScale)
            violated(relative(max(rowLower[i] - r, r - rowUpper[i], 0), scale), "\(rowName(i)) violated")
            let distance = min(r - rowLower[i], rowUpper[i] - r)
            if distance.isFinite, relative(distance, scale) <= tol {
                primal.append((rowName(i), relative(max(distance, 0), scale)))
            }
        }
        for j in s.basicColumns {
            let v = s.x[j]
            let scale = max(finiteMagnitude(columnLower[j], columnUpper[j]), xScale)
            violated(relative(max(columnLower[j] - v, v - columnUpper[j], 0), scale), "bound of \(columnName(j)) violated")
            let distance = min(v - columnLower[j], columnUpper[j] - v)
            if distance.isFinite, relative(distance, scale) <= tol {
                primal.append((columnName(j), relative(max(distance, 0), scale)))
            }
        }
        // Nonbasic variables: reduced costs of the right sign, and not zero.
        // Variables with a (relatively) zero reduced cost: GLPK's index, i < m a row, m + j column j.
        var zeroReducedCost = [Int]()
        func checkDual(_ status: Int32, _ d: Double, _ r: Double, _ name: @autoclosure () -> String, floored: Double? = nil, index: Int) {
            let before = dual.count
            defer { if dual.count > before { zeroReducedCost.append(index) } }
            switch status {
            case GLP_NL:
                violated(-d > 0 ? r : 0, "reduced cost of \(name()) has the wrong sign", dual: true)
                if r <= tol { dual.append((name(), r)) }
            case GLP_NU:
                violated(d > 0 ? r : 0, "reduced cost of \(name()) has the wrong sign", dual: true)
                if r <= tol { dual.append((name(), r)) }
            case GLP_NF:
                // A free nonbasic variable can move either way: any non-zero reduced cost
                // is a descent direction (GLPK's tolerance is relative to max |c|, so it
                // accepts |d_j| = 1 when another c is 1e7: an unbounded LP was "optimal").
                // Measured against the rounding floor of the duals (`floored`), since a
                // dual-degenerate free column's reduced cost is noise of the size of
                // `eps max_i |K_ij| ||pi||_inf`, not of its own (zero) terms.
                violated(floored ?? r, "free nonbasic \(name()) has a non-zero reduced cost", dual: true)
                dual.append((name(), r))
            default:
                break
            }
        }
        let piNorm = s.rowDuals.reduce(0) { max($0, abs($1)) }
        var columnMax = [Double]()
        for j in 0..<n where s.columnStatus[j] != GLP_BS {
            let d = s.reducedCosts[j]
            var floored: Double?
            if s.columnStatus[j] == GLP_NF {
                if columnMax.isEmpty { columnMax = matrix.columnMaxNorms }
                floored = relative(abs(d), max(abs(objective[j]), reducedScale[j] + columnMax[j] * piNorm))
            }
            checkDual(s.columnStatus[j], d, relative(abs(d), max(abs(objective[j]), reducedScale[j])), columnName(j),
                      floored: floored, index: m + j)
        }
        for i in s.activeRows {
            let d = s.rowDuals[i]
            checkDual(s.rowStatus[i], d, relative(abs(d) * rowNorms[i], cScale), rowName(i), index: i)
        }
        // A free nonbasic variable is not a constraint: the point has n - #free nonbasic
        // active constraints plus the basic ones at a bound, and is primal degenerate only
        // when that exceeds n (GLPK may leave a free column nonbasic at a vertex where a
        // basic row sits at its bound instead).
        let freeNonbasic = s.columnStatus.filter { $0 == GLP_NF }.count + s.rowStatus.filter { $0 == GLP_NF }.count
        if primal.count <= freeNonbasic { primal = [] }
        var out = s
        out.degeneracy = primal.isEmpty && dual.isEmpty ? nil : LPDegeneracy(primal: primal, dual: dual)
        out.zeroReducedCost = zeroReducedCost
        out.violation = violationText
        out.violationIsDual = violationIsDual
        return out
    }
}

/// The simplex stopped at a basis whose recomputed solution has a reduced cost of the
/// wrong sign beyond the tolerance, even after polishing. Not API: ``LinearProgram``
/// checks whether the problem is unbounded, and reports ``LPError/notConverged(_:)``
/// with the message otherwise.
enum LPSolverFormFailure: Error, CustomStringConvertible {
    case dualInfeasibleBasis(String)

    var description: String {
        switch self {
        case let .dualInfeasibleBasis(m): return m
        }
    }
}

/// An optimal basic solution of an ``LPSolverForm``, recomputed from GLPK's basis. Not API.
struct LPBasicSolution: Sendable {
    /// The columns' values.
    let x: [Double]
    /// `K x`.
    let rowActivity: [Double]
    /// `pi_i = d value / d (active bound of row i)`; zero for basic rows.
    let rowDuals: [Double]
    /// `d = c - K' pi`: `d value / d (active bound of column j)`; zero for basic columns.
    let reducedCosts: [Double]
    /// Basic columns, in the order of the basis matrix's columns.
    let basicColumns: [Int]
    /// Nonbasic (active) rows in increasing order: the basis matrix's rows.
    let activeRows: [Int]
    /// GLPK's statuses (GLP_BS, GLP_NL, GLP_NU, GLP_NF, GLP_NS).
    let rowStatus: [Int32]
    let columnStatus: [Int32]
    /// LU of the basis matrix `K[activeRows, basicColumns]` (after exact equilibration);
    /// `nil` on the sparse path (``LPSolverForm/usesGLPKBasis``), whose derivatives use
    /// GLPK's factorisation of the same basis.
    let basisFactorization: LPBasisLU?
    /// Simplex iterations.
    let iterations: Int
    /// The degeneracy found, if any.
    var degeneracy: LPDegeneracy?
    /// The nonbasic variables whose reduced cost passed the zero test (GLPK's indices:
    /// `i < m` row `i`, `m + j` column `j`); empty when not dual degenerate.
    var zeroReducedCost: [Int] = []
    /// Whether one of those can enter the basis with a positive step (an optimal edge:
    /// `x` is not unique); computed on the sparse path only.
    var hasOptimalEdge = false
    /// The candidates whose single edge the ratio test of `hasOptimalEdge` examined and
    /// found not to move (sparse path only), and the basis header of that test.
    var candidateEdges: [LPCandidateEdge] = []
    var basisHeader: [Int] = []
    /// A description of the worst infeasibility beyond the tolerance, if any.
    var violation: String?
    /// Whether that worst infeasibility is a reduced cost of the wrong sign (the basis is
    /// primal feasible but not dual feasible: the LP may be unbounded).
    var violationIsDual = false

    init(x: [Double], rowActivity: [Double], rowDuals: [Double], reducedCosts: [Double],
         basicColumns: [Int], activeRows: [Int], rowStatus: [Int32], columnStatus: [Int32],
         basisFactorization: LPBasisLU?, iterations: Int) {
        self.x = x
        self.rowActivity = rowActivity
        self.rowDuals = rowDuals
        self.reducedCosts = reducedCosts
        self.basicColumns = basicColumns
        self.activeRows = activeRows
        self.rowStatus = rowStatus
        self.columnStatus = columnStatus
        self.basisFactorization = basisFactorization
        self.iterations = iterations
    }
}

extension LPSolverForm {
    /// ``solve(options:)``, with GLPK's verdicts "infeasible" and "unbounded" (and a basis
    /// that is dual infeasible) handed to `certify`, which checks them independently and
    /// returns the error to throw.
    func solve(options: LPOptions, certifyingExits certify: (String) throws -> LPError) throws -> LPBasicSolution {
        do {
            return try solve(options: options)
        } catch let error as LPError {
            switch error {
            case .infeasible(let why), .unbounded(let why): throw try certify(why)
            default: throw error
            }
        } catch LPSolverFormFailure.dualInfeasibleBasis(let why) {
            throw try certify(why)
        }
    }
}

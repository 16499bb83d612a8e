/// How ``LinearProgram``'s forward solve starts (dense data only; model files and sparse
/// input always run the simplex as glpsol does). Not API: tests force either path with
/// `LPForwardMethod.$current.withValue(...)` (a task-local value, so that concurrent
/// tests do not see each other's choice).
///
/// `.automatic` runs the interior point and crossover (``LPInteriorPoint``,
/// ``LPCrossover``) when the problem GLPK would see (single-variable rows already moved to
/// column bounds, ``LPBoundRows``) is dense and not small, and every column has a finite
/// bound:
/// ```
/// nnz(K) >= 0.5 rows * columns,   rows * columns >= 5000,   40 <= rows <= columns
/// ```
/// and no iteration or time limit is set (those are the simplex's). Below that size
/// GLPK's simplex needs a few milliseconds at most and the interior point cannot win.
/// The normal equations have one row per constraint row (`rows^2 columns` work per
/// iteration), so problems with more rows than columns keep the simplex.
enum LPForwardMethod: Sendable, Equatable {
    /// The method of the solves in the current task.
    @TaskLocal static var current: LPForwardMethod = .automatic

    case automatic
    case simplex
    /// The interior point with this stopping tolerance, whatever the size.
    case interiorPoint(tolerance: Double)

    /// The interior point's stopping tolerance, or `nil` for the simplex alone.
    func interiorPointTolerance(for form: LPSolverForm, options: LPOptions) -> Double? {
        let m = form.rowCount, n = form.columnCount
        let bounded = (0..<n).allSatisfy { form.columnLower[$0].isFinite || form.columnUpper[$0].isFinite }
        guard m >= 1, bounded else { return nil }
        switch self {
        case .simplex: return nil
        case .interiorPoint(let tolerance): return tolerance
        case .automatic:
            guard options.iterationLimit == nil, options.timeLimit == nil else { return nil }
            let entries = m * n
            guard entries >= 5_000, min(m, n) >= 40, m <= n, 2 * form.matrix.values.count >= entries else { return nil }
            return 1e-8
        }
    }
}

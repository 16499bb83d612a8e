import ImplicitDiffCore

/// A quadratic program read from a QPS file (the format of the Maros-Meszaros test set:
/// MPS with a `QUADOBJ` or `QMATRIX` section), with its names and the map from the file's
/// parameters to the sparse QP it solves.
///
/// The file states
/// ```
/// optimise    c'z + 1/2 z'Q z + c0              (minimise, or maximise with OBJSENSE MAX)
/// subject to  l_i <= a_i'z <= u_i               (rows, sides from type, RHS and RANGES)
///             lb_j <= z_j <= ub_j               (BOUNDS; default 0 <= z_j < inf)
/// ```
/// and ``problem`` is the ``SparseQuadraticProgram`` `min 1/2 z'P z + q'z` with
/// `(P, q) = s (Q, c)`, `s = +1` (minimise) or `-1` (maximise), so that
/// `value(z) = s (1/2 z'P z + q'z) + c0`. Row sides follow MPS: with right-hand side `r`
/// (0 when absent) and range `R`,
/// ```
/// E: [r, r];  [r, r + |R|] if R > 0,  [r - |R|, r] if R < 0
/// L: (-inf, r];  [r - |R|, r]        G: [r, inf);  [r, r + |R|]
/// ```
/// The objective's constant is `c0 = -r` for a right-hand side `r` on the objective row.
/// A column with a negative `UP` bound and no explicit lower bound gets `lb = -inf` (the
/// MPS convention).
///
/// The file's differentiable parameters are `c` and `rhs` (one entry per constraint row,
/// free rows excluded, in file order): `q = s c`, and every finite side of row `i` moves
/// with `rhs_i` (a range keeps its width). ``dataTangent(c:rhs:)`` and
/// ``parameterGradient(_:)`` are this map and its adjoint, for composing with
/// ``SparseQPDerivative``.
public struct QPSModel: Sendable {
    /// The direction of optimisation.
    public enum Sense: Sendable, Equatable {
        case minimize
        case maximize
    }

    /// The `NAME` record.
    public let name: String
    /// The problem as a minimisation (see the type's discussion for the signs).
    public let problem: SparseQuadraticProgram
    /// `OBJSENSE` (default: minimise).
    public let sense: Sense
    /// The objective row's name.
    public let objectiveName: String
    /// `c0`: minus the right-hand side of the objective row (0 when none).
    public let objectiveConstant: Double
    /// Column names, in file order (the order of `z`).
    public let columnNames: [String]
    /// Constraint row names, in file order (the rows of ``SparseQuadraticProgram/A``); free
    /// rows (`N` rows other than the objective) are dropped.
    public let rowNames: [String]
    /// The linear objective as in the file (`c`, before the sense).
    public let c: Vector
    /// The right-hand sides as in the file (0 where absent; `|r| >= 1e20` is infinite).
    public let rhs: Vector
    /// Whether the lower side `l_i` (resp. upper `u_i`) is `rhs_i` plus a constant.
    let lowerFollowsRHS: [Bool]
    let upperFollowsRHS: [Bool]

    init(name: String, problem: SparseQuadraticProgram, sense: Sense, objectiveName: String,
         objectiveConstant: Double, columnNames: [String], rowNames: [String], c: Vector, rhs: Vector,
         lowerFollowsRHS: [Bool], upperFollowsRHS: [Bool]) {
        self.name = name
        self.problem = problem
        self.sense = sense
        self.objectiveName = objectiveName
        self.objectiveConstant = objectiveConstant
        self.columnNames = columnNames
        self.rowNames = rowNames
        self.c = c
        self.rhs = rhs
        self.lowerFollowsRHS = lowerFollowsRHS
        self.upperFollowsRHS = upperFollowsRHS
    }

    /// Reads a QPS file (free or fixed MPS with `QUADOBJ`/`QSECTION` or `QMATRIX`), line by
    /// line: memory is proportional to the number of names and non-zeros, not to the file.
    ///
    /// - Throws: ``QPSError/unreadable(path:reason:)`` (missing, not a regular file, I/O
    ///   error), ``QPSError/syntax(path:line:message:)`` naming the line, and
    ///   ``QPSError/invalidModel(path:message:)`` (no objective row, bounds or row sides that
    ///   admit no value, a non-symmetric `QMATRIX`).
    public init(contentsOfFile path: String) throws {
        self = try QPSReader.read(path: path)
    }

    /// Parses QPS text held in memory (`name` stands for the path in error messages).
    public init(parsing text: String, name: String = "<text>") throws {
        self = try QPSReader.read(text: text, name: name)
    }

    /// `+1` to minimise, `-1` to maximise: `(P, q) = s (Q, c)`.
    public var sign: Double { sense == .minimize ? 1 : -1 }

    /// The file's objective `c'z + 1/2 z'Q z + c0` at `z`.
    public func value(at z: Vector) -> Double { sign * problem.objective(at: z) + objectiveConstant }

    /// The row duals in the file's sense, `d value / d rhs = -s y` (with `y` the
    /// ``SparseQPSolution/y`` of ``problem``: the envelope theorem on its Lagrangian).
    public func rowDuals(_ y: Vector) -> Vector { Vector(y.scalars.map { -sign * $0 }) }
}

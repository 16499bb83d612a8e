/// One report of a running solver: which solver, its iteration, and the quantity its
/// stopping rule watches (a marginal error, a residual norm, a duality gap).
public struct SolverProgressEvent: Sendable, Equatable {
    /// The solver, e.g. `"sinkhorn"`, `"newton"`, `"proximal gradient"`.
    public var solver: String
    /// Iterations done so far.
    public var iteration: Int
    /// The stopping quantity at this iteration.
    public var residual: Double
    /// Where the solver is, when it has phases (e.g. `"eps 0.05"`); `nil` otherwise.
    public var stage: String?

    public init(solver: String, iteration: Int, residual: Double, stage: String? = nil) {
        self.solver = solver
        self.iteration = iteration
        self.residual = residual
        self.stage = stage
    }
}

/// Progress of long solves, for whoever watches (the command-line tool's `--progress`):
/// solvers call ``report(_:iteration:residual:stage:)`` as they iterate, and a watcher set
/// with ``observing(_:_:)`` for the duration of a piece of work receives the events.
/// Without a watcher a report costs one task-local read, so solvers report every
/// iteration and the watcher decides how often to show them.
///
/// ```swift
/// let solution = try SolverProgress.observing({ event in
///     print(event.solver, event.iteration, event.residual)
/// }) { try problem.solve() }
/// ```
/// The watcher is task-local: it sees the solves that run in the calling task or
/// thread (and in child tasks), not those of other workers.
public enum SolverProgress {
    @TaskLocal static var observer: (@Sendable (SolverProgressEvent) -> Void)?

    /// Reports an iteration to the watcher, if any.
    @inlinable
    public static func report(_ solver: String, iteration: Int, residual: Double, stage: @autoclosure () -> String? = nil) {
        guard let observer = currentObserver else { return }
        observer(SolverProgressEvent(solver: solver, iteration: iteration, residual: residual, stage: stage()))
    }

    /// The watcher of the current task or thread.
    @usableFromInline
    static var currentObserver: (@Sendable (SolverProgressEvent) -> Void)? { observer }

    /// Runs `body` with `watcher` receiving every report made during it.
    public static func observing<R>(_ watcher: @escaping @Sendable (SolverProgressEvent) -> Void,
                                    _ body: () throws -> R) rethrows -> R {
        try $observer.withValue(watcher) { try body() }
    }
}

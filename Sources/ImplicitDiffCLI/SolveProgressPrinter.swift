import Glibc
import ImplicitDiff
import Synchronization
import _ImplicitDiffKernels

/// `implicitdiff solve --progress`: the solver's iteration, stopping quantity and the
/// elapsed time on standard error, at most once per ``interval`` seconds (the first line
/// after one interval, so a fast solve prints nothing).
public final class SolveProgressPrinter: Sendable {
    /// Seconds between lines.
    public let interval: Double
    private let write: @Sendable (String) -> Void
    private let state: Mutex<(start: ContinuousClock.Instant, last: ContinuousClock.Instant)>

    /// A printer writing its lines with `write` (standard error in the tool).
    public init(interval: Double = 1, write: @escaping @Sendable (String) -> Void) {
        self.interval = interval
        self.write = write
        let now = ContinuousClock.now
        state = Mutex((now, now))
    }

    /// Runs `body` with this printer watching the solvers' reports.
    public func watching<R>(_ body: () throws -> R) rethrows -> R {
        try SolverProgress.observing({ self.observe($0) }, body)
    }

    /// The watcher to pass to `SolverProgress.observing`.
    public func observe(_ event: SolverProgressEvent) {
        let now = ContinuousClock.now
        let elapsed: Double? = state.withLock { s in
            guard Self.seconds(now - s.last) >= interval else { return nil }
            s.last = now
            return Self.seconds(now - s.start)
        }
        guard let elapsed else { return }
        write(Self.line(event, elapsed: elapsed))
    }

    /// `sinkhorn: iteration 1200, residual 3.2e-07 (eps 0.05), 4.1 s`.
    public static func line(_ event: SolverProgressEvent, elapsed: Double) -> String {
        let stage = event.stage.map { " (\($0))" } ?? ""
        return "\(event.solver): iteration \(event.iteration), residual \(cFormatted(event.residual, "%.3g"))\(stage), "
            + cFormatted(elapsed, "%.1f s")
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

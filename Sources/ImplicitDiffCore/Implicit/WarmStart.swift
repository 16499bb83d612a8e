import Synchronization

/// The last solution of a solver, offered to it as the initial guess of the next solve:
/// a training loop that calls an implicit layer at slowly changing parameters then
/// re-solves from where it left off instead of from scratch.
///
/// ```swift
/// let start = WarmStart()
/// let layer = ImplicitFunction(solver: { x, guess in fixedPoint(x, from: guess) },
///                              warmStart: start, conditions: { x, y, _ in y - g(x, y) })
/// for step in 0..<1000 { ... gradient(at: theta) { theta in loss(layer(theta)) } ... }
/// ```
///
/// The guess changes where the solver starts, not what it must satisfy: every answer is
/// still checked against the conditions before it is differentiated. It does make an
/// answer depend (to the solver's tolerance) on the calls before it, so give concurrent
/// batches (``ImplicitFunction/batched(_:jobs:)``) a function without a warm start when
/// results must not depend on the number of workers. Safe to share between threads.
public final class WarmStart: Sendable {
    private let last: Mutex<Vector?>

    /// A warm start with no solution yet, or with `initialGuess` for the first solve.
    public init(initialGuess: Vector? = nil) { last = Mutex(initialGuess) }

    /// The guess for the next solve: the last solution stored (`nil` before the first).
    public var guess: Vector? { last.withLock { $0 } }

    /// Keeps `y` as the next guess.
    public func store(_ y: Vector) { last.withLock { $0 = y } }

    /// Forgets the last solution (the next solve starts cold).
    public func reset() { last.withLock { $0 = nil } }
}

extension ImplicitFunction {
    /// An implicit function whose solver takes an initial guess: the last solution kept by
    /// `warmStart` (`nil` on the first call or after ``WarmStart/reset()``). Each successful
    /// solve stores its `y` there; the solver decides whether a guess fits (its length
    /// may differ when the parameters changed size).
    public init<C: ImplicitConditions>(solver: @escaping @Sendable (_ x: Vector, _ initialGuess: Vector?) throws -> (Vector, Byproduct),
                                       warmStart: WarmStart, conditions: C, options: ImplicitOptions = .init())
        where C.Byproduct == Byproduct {
        self.init(solver: Self.warmStarted(solver, warmStart), conditions: conditions, options: options)
    }

    /// An implicit function with differentiable-function conditions whose solver takes an
    /// initial guess kept by `warmStart` (see the other initialiser).
    public init(solver: @escaping @Sendable (_ x: Vector, _ initialGuess: Vector?) throws -> (Vector, Byproduct),
                warmStart: WarmStart, conditions: @escaping DifferentiableConditions<Byproduct>.Function,
                options: ImplicitOptions = .init()) {
        self.init(solver: Self.warmStarted(solver, warmStart), conditions: DifferentiableConditions(conditions), options: options)
    }

    private static func warmStarted(_ solver: @escaping @Sendable (Vector, Vector?) throws -> (Vector, Byproduct),
                                    _ warmStart: WarmStart) -> @Sendable (Vector) throws -> (Vector, Byproduct) {
        { x in
            let (y, byproduct) = try solver(x, warmStart.guess)
            warmStart.store(y)
            return (y, byproduct)
        }
    }
}

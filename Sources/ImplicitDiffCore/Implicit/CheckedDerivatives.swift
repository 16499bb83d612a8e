import Synchronization

/// Runs `body`, which may call implicit functions under Swift AD (`gradient(at:of:)`,
/// `valueWithPullback(at:of:)`), and throws the first failure any of them met.
///
/// Swift's AD cannot carry errors, so a failing implicit function inside `body` returns
/// NaN placeholders and records its error; this function then throws it, so the
/// NaNs never escape.
///
/// ```swift
/// let g = try withCheckedDerivatives { gradient(at: x) { x in f(x).sum() } }
/// ```
///
/// **Where the scope reaches.** The scope is a task-local value: it covers `body` on the
/// calling thread and, in the `async` form (``withCheckedDerivatives(isolation:_:)``),
/// every structured child task
/// `body` creates (`async let`, task groups), which inherit it. It does **not** reach
/// threads started by hand (`Thread`, `DispatchQueue.async`,
/// `DispatchQueue.concurrentPerform`) nor `Task.detached`: a failure there finds no scope
/// and stops the program with the error's description, as outside any scope; open a
/// scope inside such a worker instead. An unstructured `Task { }` inherits the scope, but
/// a failure it meets after the scope has returned stops the program too (the error
/// could no longer be thrown).
///
/// **Pullbacks that outlive the scope.** A pullback returned by `valueWithPullback(at:of:)`
/// for a call that failed keeps the failure: calling it later throws from the checked
/// scope active at that moment, or, with none, stops the program with the error's
/// description. It never returns NaN silently.
public func withCheckedDerivatives<R>(_ body: () throws -> R) throws -> R {
    let sink = DerivativeFailures.Sink()
    defer { sink.close() }
    let result = try DerivativeFailures.$current.withValue(sink) { try body() }
    if let error = sink.first { throw error }
    return result
}

/// The `async` form of ``withCheckedDerivatives(_:)``: the scope also covers
/// the structured child tasks of `body` (`async let`, `withTaskGroup`, ...), which inherit
/// it; the first failure met in any of them is thrown once `body` returns.
///
/// ```swift
/// let grads = try await withCheckedDerivatives {
///     try await withThrowingTaskGroup(of: Vector.self) { group in
///         for x in inputs { group.addTask { gradient(at: x) { x in f(x).sum() } } }
///         return try await group.reduce(into: []) { $0.append($1) }
///     }
/// }
/// ```
///
/// `isolation` is the caller's actor (the default, `#isolation`): `body` runs there, so it
/// need not be `Sendable`.
public func withCheckedDerivatives<R>(isolation: isolated (any Actor)? = #isolation,
                                      _ body: () async throws -> R) async throws -> R {
    let sink = DerivativeFailures.Sink()
    defer { sink.close() }
    let result = try await DerivativeFailures.$current.withValue(sink, operation: { try await body() }, isolation: isolation)
    if let error = sink.first { throw error }
    return result
}

/// Reports a failure inside a differentiable function that does not go through
/// ``ImplicitFunction`` (a module's `@differentiable` entry point with its own
/// `@derivative`): the error is recorded in the enclosing ``withCheckedDerivatives(_:)``
/// scope, which then throws it, and the caller returns NaN placeholders; without a
/// scope (or after it returned) the program stops with the error, exactly as for an
/// ``ImplicitFunction`` that fails under Swift AD. Never a silent NaN.
public func recordDerivativeFailure(_ error: any Error) {
    _ = DerivativeFailures.fail(error, placeholderCount: 0)
}

/// Where failures inside Swift AD go. Not API.
enum DerivativeFailures {
    final class Sink: Sendable {
        /// The errors recorded, and whether the scope has returned.
        private let state = Mutex((errors: [any Error](), closed: false))
        /// Records `e`; `false` when the scope has already returned (nobody would see it).
        func record(_ e: any Error) -> Bool {
            state.withLock { state in
                guard !state.closed else { return false }
                state.errors.append(e)
                return true
            }
        }
        func close() { state.withLock { $0.closed = true } }
        var first: (any Error)? { state.withLock { $0.errors.first } }
    }

    @TaskLocal static var current: Sink?

    /// Records `error` in the enclosing checked scope and returns NaNs, or stops the
    /// program with the error when there is no such scope (or it has already returned).
    static func fail(_ error: any Error, placeholderCount n: Int) -> Vector {
        guard let sink = current else {
            fatalError("ImplicitFunction failed under automatic differentiation: \(error). "
                       + "Wrap the call in `try withCheckedDerivatives { ... }` to handle it as an error "
                       + "(the scope is task-local: it does not reach threads started by hand or detached tasks).")
        }
        guard sink.record(error) else {
            fatalError("ImplicitFunction failed under automatic differentiation after its withCheckedDerivatives "
                       + "scope had returned (a task or pullback that outlived the scope): \(error)")
        }
        return Vector(repeating: .nan, count: n)
    }
}

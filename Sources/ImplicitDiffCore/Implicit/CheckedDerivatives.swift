import Foundation

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
public func withCheckedDerivatives<R>(_ body: () throws -> R) throws -> R {
    let sink = DerivativeFailures.Sink()
    let result = try DerivativeFailures.$current.withValue(sink) { try body() }
    if let error = sink.first { throw error }
    return result
}

/// Where failures inside Swift AD go. Not API.
enum DerivativeFailures {
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [any Error] = []
        func record(_ e: any Error) { lock.lock(); errors.append(e); lock.unlock() }
        var first: (any Error)? { lock.lock(); defer { lock.unlock() }; return errors.first }
    }

    @TaskLocal static var current: Sink?

    /// Records `error` in the enclosing checked scope and returns NaNs, or stops the
    /// program with the error when there is no such scope.
    static func fail(_ error: any Error, placeholderCount n: Int) -> Vector {
        guard let sink = current else {
            fatalError("ImplicitFunction failed under automatic differentiation: \(error). "
                       + "Wrap the call in `try withCheckedDerivatives { ... }` to handle it as an error.")
        }
        sink.record(error)
        return Vector(repeating: .nan, count: n)
    }
}

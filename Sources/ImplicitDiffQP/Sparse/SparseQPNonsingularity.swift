import Synchronization

/// What is known about the nonsingularity of a derivative's reduced KKT matrix: nothing
/// yet, nonsingular, or singular (with the refusal to throw). Decided once, by the first
/// solve that needs it (the null-space probe rides along with it), and shared by every
/// copy of the ``SparseQPDerivative``. Not API.
final class SparseQPNonsingularity: Sendable {
    enum State: Sendable {
        case unknown
        case nonsingular
        case singular(QPError)
    }

    private let state = Mutex(State.unknown)

    var current: State { state.withLock { $0 } }

    func record(_ s: State) { state.withLock { $0 = s } }
}

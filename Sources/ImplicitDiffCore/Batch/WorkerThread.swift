import Glibc

/// An OS thread running one closure, with a stack of a chosen size (a solver's recursion
/// or a C library's locals need more than a default secondary thread's). Not API.
struct WorkerThread {
    private let thread: pthread_t

    /// Starts `body` on a new thread; `nil` when the system refuses one (`EAGAIN`: too
    /// many threads, or no memory for the stack) or the stack size (`EINVAL`).
    init?(stackSize: Int, _ body: @escaping @Sendable () -> Void) {
        final class Work { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setstacksize(&attributes, stackSize) == 0 else { return nil }
        let context = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Work>.fromOpaque(context).release()
            return nil
        }
        self.thread = thread
    }

    /// Waits for the thread's closure to return.
    func join() { pthread_join(thread, nil) }
}

import Glibc
import Synchronization
import Testing
@testable import ImplicitDiffCore

/// The batch pipeline's threads and lock (POSIX threads).
@Suite struct WorkerThreadTests {
    /// A worker runs its closure on another thread, and `join` returns after it has
    /// finished.
    @Test func runsAndJoins() throws {
        let done = Mutex(0)
        let caller = pthread_self()
        let ranElsewhere = Mutex(false)
        let thread = try #require(WorkerThread(stackSize: 8 << 20) {
            let local = [UInt8](repeating: 1, count: 1 << 20)
            ranElsewhere.withLock { $0 = pthread_equal(pthread_self(), caller) == 0 }
            done.withLock { $0 = local.count }
        })
        thread.join()
        #expect(done.withLock { $0 } == 1 << 20)
        #expect(ranElsewhere.withLock { $0 })
    }

    /// A stack size the system refuses gives `nil`, not a thread with another stack.
    @Test func impossibleStackIsRefused() {
        #expect(WorkerThread(stackSize: 1) {} == nil)
    }

    /// The condition lock: a waiter wakes on `broadcast` and sees the change made under
    /// the lock.
    @Test func conditionLockWakesWaiters() throws {
        final class Box: @unchecked Sendable { var ready = false; var seen = false }
        let lock = ConditionLock(), box = Box()
        let waiter = try #require(WorkerThread(stackSize: 1 << 20) {
            lock.lock()
            while !box.ready { lock.wait() }
            box.seen = true
            lock.unlock()
        })
        lock.lock()
        box.ready = true
        lock.broadcast()
        lock.unlock()
        waiter.join()
        #expect(box.seen)
    }
}

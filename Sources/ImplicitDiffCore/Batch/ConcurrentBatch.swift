import FoundationEssentials
import Synchronization
import _ImplicitDiffKernels

/// Many independent problems at once on a bounded number of worker threads.
///
/// Every input is processed start to finish on one OS thread (so libraries with
/// per-thread state, such as GLPK, stay confined), at most `jobs` at a time. Results come
/// back in input order; a failing input gives its own `Result.failure` and the others go
/// on. While a batch runs, OpenBLAS uses one thread per call, so that `jobs` workers do
/// not oversubscribe the cores and every result is bit-identical whatever `jobs` is
/// (a multi-threaded BLAS may sum in another order); the previous BLAS thread count is
/// restored afterwards.
///
/// ```swift
/// let results = ConcurrentBatch.map(problems, jobs: 4) { try $0.solve() }
/// ```
///
/// The streaming form, ``forEach(jobs:window:next:body:emit:)``, reads inputs one at a
/// time and hands results to `emit` in input order as soon as a result and all before it
/// are done, holding at most `window` inputs and results in memory: a batch of any
/// length runs in bounded memory (the CLI's `implicitdiff batch`).
public enum ConcurrentBatch {
    /// The number of cores, the default number of workers.
    public static var defaultJobs: Int { max(ProcessInfo.processInfo.activeProcessorCount, 1) }

    /// `body` applied to every input, at most `jobs` at a time; results in input order.
    public static func map<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], jobs: Int = defaultJobs,
        _ body: @escaping @Sendable (Input) throws -> Output
    ) -> [Result<Output, any Error>] {
        var results: [Result<Output, any Error>] = []
        results.reserveCapacity(inputs.count)
        var iterator = inputs.makeIterator()
        forEach(jobs: jobs, window: max(2 * jobs, 1), next: { iterator.next() },
                body: { input in Result { try body(input) } },
                emit: { _, result in results.append(result) })
        return results
    }

    /// Streams inputs through `body` on `jobs` worker threads.
    ///
    /// - Parameters:
    ///   - jobs: worker threads (at least 1).
    ///   - window: at most this many inputs are read ahead of the next result to emit
    ///     (memory bound); at least `jobs`.
    ///   - next: the next input, or `nil` at the end; called on the calling thread only.
    ///   - body: the work, on a worker thread; it must not throw (encode failures in its
    ///     output).
    ///   - emit: called on the calling thread with `(index, output)` in input order.
    public static func forEach<Input: Sendable, Output: Sendable>(
        jobs: Int, window: Int,
        next: () -> Input?,
        body: @escaping @Sendable (Input) -> Output,
        emit: (Int, Output) -> Void
    ) {
        let workers = max(jobs, 1)
        let pipeline = OrderedPipeline<Input, Output>(window: max(window, workers))
        BLASThreads.withSingleThread {
            let threads = (0..<workers).compactMap { _ in WorkerThread(stackSize: 8 << 20) { pipeline.work(body) } }
            guard !threads.isEmpty else {
                // No thread to be had: the inputs run here, one after the other.
                var index = 0
                while let input = next() {
                    emit(index, body(input))
                    index += 1
                }
                return
            }
            while let input = next() {
                pipeline.push(input, emit: emit)
            }
            pipeline.finishInput(emit: emit)
            for thread in threads { thread.join() }
        }
    }
}

/// The shared state of one streaming batch: a FIFO of numbered inputs, the finished
/// outputs waiting for their turn, and one condition variable for both.
final class OrderedPipeline<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    private let condition = ConditionLock()
    private let window: Int
    private var queue: [(Int, Input)] = []
    private var queueHead = 0
    private var done: [Int: Output] = [:]
    private var pushed = 0
    private var emitted = 0
    private var inputFinished = false

    init(window: Int) { self.window = window }

    /// Worker loop: take the oldest input, run `body`, file the output; return at the end.
    func work(_ body: @Sendable (Input) -> Output) {
        while true {
            condition.lock()
            while queueHead == queue.count && !inputFinished { condition.wait() }
            if queueHead == queue.count {
                condition.unlock()
                return
            }
            let (index, input) = queue[queueHead]
            queueHead += 1
            if queueHead > 64 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            condition.unlock()
            let output = body(input)
            condition.lock()
            done[index] = output
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Adds an input once the window has room, emitting finished outputs meanwhile.
    func push(_ input: Input, emit: (Int, Output) -> Void) {
        condition.lock()
        while true {
            if emitNext(emit) { continue }
            if pushed - emitted < window { break }
            condition.wait()
        }
        queue.append((pushed, input))
        pushed += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Marks the end of the input and emits every remaining output in order.
    func finishInput(emit: (Int, Output) -> Void) {
        condition.lock()
        inputFinished = true
        condition.broadcast()
        while emitted < pushed {
            if !emitNext(emit) { condition.wait() }
        }
        condition.unlock()
    }

    /// With the lock held: emits the next output in order if it is done (releasing the
    /// lock while `emit` runs) and says whether it did.
    private func emitNext(_ emit: (Int, Output) -> Void) -> Bool {
        guard let output = done.removeValue(forKey: emitted) else { return false }
        let index = emitted
        emitted += 1
        condition.unlock()
        emit(index, output)
        condition.lock()
        return true
    }
}

/// OpenBLAS's thread count, limited while batches run (process-wide: OpenBLAS has one
/// setting). Nested and concurrent batches share one count of active batches.
enum BLASThreads {
    /// Batches running, and the thread count to restore when the last one ends.
    private static let state = Mutex((active: 0, saved: 1))

    static func withSingleThread<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { state in
            if state.active == 0 {
                state.saved = BLAS.threads
                BLAS.setThreads(1)
            }
            state.active += 1
        }
        defer {
            state.withLock { state in
                state.active -= 1
                if state.active == 0 { BLAS.setThreads(state.saved) }
            }
        }
        return try body()
    }
}

import Dispatch
import Foundation

/// A fixed set of persistent worker threads for data-parallel chunks.
///
/// libdispatch's `concurrentPerform` on Linux adds no thread while the machine looks busy, so on a loaded
/// machine it runs "parallel" work on one thread; these threads are our own and always run.
///
///     let pool = WorkerPool(threads: 2)
///     pool.run(2) { worker in print(worker) }     // worker 0 runs on the caller
final class WorkerPool: @unchecked Sendable {
    private final class Shared: @unchecked Sendable {
        var job: ((Int) -> Void)?
        var stopping = false
        let start: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        init(threads: Int) { start = (0..<threads).map { _ in DispatchSemaphore(value: 0) } }
    }

    /// Threads including the caller's.
    let threads: Int
    private let shared: Shared
    private var started = false
    private let lock = NSLock()

    init(threads: Int) {
        self.threads = Swift.max(1, threads)
        shared = Shared(threads: self.threads)
    }

    deinit {
        guard started else { return }
        shared.stopping = true
        for worker in 1..<threads { shared.start[worker].signal() }
    }

    private func startThreads() {
        guard !started else { return }
        started = true
        for worker in 1..<threads {
            let shared = self.shared
            let thread = Thread {
                while true {
                    shared.start[worker].wait()
                    if shared.stopping { return }
                    shared.job?(worker)
                    shared.done.signal()
                }
            }
            thread.name = "neuralcore-worker-\(worker)"
            thread.start()
        }
    }

    /// Runs `body(worker)` for worker in 0..<workers (at most `threads`), worker 0 on the calling thread, and
    /// returns when all are done. Calls must not overlap.
    func run(_ workers: Int, _ body: (Int) -> Void) {
        let workers = Swift.min(workers, threads)
        if workers <= 1 { body(0); return }
        lock.lock()
        defer { lock.unlock() }
        startThreads()
        withoutActuallyEscaping(body) { escapable in
            shared.job = escapable
            for worker in 1..<workers { shared.start[worker].signal() }
            escapable(0)
            for _ in 1..<workers { shared.done.wait() }
            shared.job = nil
        }
    }
}

import Foundation

/// Ends the kernel when the process that started it is gone, as ipykernel's ParentPollerUnix does: jupyter_client
/// sets `JPY_PARENT_PID`; once that process no longer exists, or this process is re-parented, the kernel exits
/// instead of running on as an orphan.
///
///     ParentWatch.start()   // no-op without JPY_PARENT_PID
public enum ParentWatch {
    /// Starts a thread that checks the parent once per `interval` and calls `onGone` (default: log and exit).
    /// - Returns: whether a watch was started (JPY_PARENT_PID is set to a process id other than 1).
    @discardableResult
    public static func start(environment: [String: String] = ProcessInfo.processInfo.environment,
                             interval: TimeInterval = 1,
                             onGone: @escaping @Sendable (String) -> Void = exitBecauseParentIsGone) -> Bool {
        guard let text = environment["JPY_PARENT_PID"], let pid = Int32(text), pid > 1 else { return false }
        let startParent = getppid()
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: interval)
                if let reason = check(parent: pid, startParent: startParent) {
                    onGone(reason)
                    return
                }
            }
        }
        thread.name = "rapideels-parent-watch"
        thread.start()
        return true
    }

    /// Why the parent counts as gone, or nil while it lives.
    static func check(parent pid: Int32, startParent: Int32) -> String? {
        if kill(pid, 0) != 0 && errno == ESRCH { return "the parent process \(pid) (JPY_PARENT_PID) is gone" }
        if getppid() != startParent { return "the kernel was re-parented (its manager \(startParent) exited)" }
        return nil
    }

    /// Logs `reason` and ends the process at once.
    public static func exitBecauseParentIsGone(_ reason: String) {
        KernelLog.write("\(reason); exiting")
        _exit(1)
    }
}

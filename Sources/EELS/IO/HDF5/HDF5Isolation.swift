#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// libhdf5 (1.10 on Debian) can crash on malformed files: a corrupt attribute table makes `H5Aiterate2`
/// dereference freed memory (found by `HSpyFuzzTests`). So every read of a file first runs in a forked child
/// process; only when the child finishes (with data or with an error) does the kernel's own process read it.
/// A child killed by a signal becomes an `EELSError.file`, and the kernel survives.
///
///     try HDF5Isolation.probe(path: "x.hspy") { _ = try HSpyFormat.signals(in: HDF5File(reading: "x.hspy")) }
public enum HDF5Isolation {
    /// Set false to read in-process only (the fuzz test measures both).
    nonisolated(unsafe) public static var enabled = true
    /// The longest a check may run before it is stopped and the file refused.
    nonisolated(unsafe) public static var timeout: TimeInterval = 120

    /// Runs `body` in a forked child and throws when the child dies of a signal or runs past `timeout`; returns
    /// when it exits (whatever `body` threw there is thrown again by the real read in this process).
    public static func probe(path: String, _ body: () throws -> Void) throws {
        guard enabled else { return }
        #if os(Linux)
        try HDF5Library.withLock {
            let pid = fork()
            if pid == 0 {
                // The child: only this thread exists. Never return into the caller, never flush stdio twice.
                HDF5Library.inCheckProcess = true
                // Quiet: a crash report on stderr would reach the notebook through the kernel's captured stderr.
                let null = open("/dev/null", O_WRONLY)
                if null >= 0 { _ = dup2(null, 1); _ = dup2(null, 2) }
                do { try body(); _exit(0) } catch { _exit(1) }
            }
            guard pid > 0 else { return }  // no fork (resource limits): read in-process as before
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(timeout)
            var delay: useconds_t = 200
            while true {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { break }
                if r < 0 { return }
                if Date() > deadline {
                    kill(pid, SIGKILL)
                    _ = waitpid(pid, &status, 0)
                    throw EELSError.file(path: path, detail: "reading it took more than \(Int(timeout)) s in a check "
                        + "process; refused")
                }
                usleep(delay)
                delay = Swift.min(delay * 2, 20_000)
            }
            let signal = status & 0x7f
            if signal != 0 && signal != 0x7f {
                throw EELSError.file(path: path, detail: "libhdf5 crashed (signal \(signal)) reading this file in a "
                    + "check process: the file is corrupt (a malformed HDF5 structure)")
            }
        }
        #endif  // Swift marks fork() unavailable on Darwin: there, files are read in-process only
    }
}

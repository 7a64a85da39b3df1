import EELS
import Foundation
import RapidEELS
import ScriptLanguage

/// A running acquisition simulator: `rapideels-kernel simulate-acquisition` as a child process writing into a
/// folder. The kernel watches that folder exactly as it would a microscope's.
///
///     let acq = startAcquisition("out/live", frames: 30, rate: 4)
///     acq.running      // true while it writes
///     acq.stop()
final class AcquisitionObject: ScriptObject {
    let folder: String
    let process: Process
    let logPath: String

    init(folder: String, process: Process, logPath: String) {
        self.folder = folder
        self.process = process
        self.logPath = logPath
    }

    deinit { if process.isRunning { process.terminate() } }

    /// The kernel's own executable (the simulator is one of its subcommands).
    static func kernelExecutable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["RAPIDEELS_KERNEL_EXE"], !path.isEmpty { return path }
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        if (own as NSString).lastPathComponent == "rapideels-kernel" { return own }
        let sibling = ((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent("rapideels-kernel")
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        throw ScriptError(kind: .file, message: "startAcquisition: cannot find the rapideels-kernel executable "
            + "(set RAPIDEELS_KERNEL_EXE)")
    }

    static func start(folder: String, options: [String], ctx: CallContext) throws -> AcquisitionObject {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ctx.error(.file, "startAcquisition: cannot create \(folder): \(error.localizedDescription)")
        }
        AcquisitionSimulator.clear(folder: folder)   // a rerun's frames must be new files to a watch
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try kernelExecutable())
        process.arguments = ["simulate-acquisition", folder] + options
        let logPath = (folder as NSString).appendingPathComponent(".acquisition.log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        if let log = FileHandle(forWritingAtPath: logPath) {
            process.standardOutput = log
            process.standardError = log
        }
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ctx.error(.file, "startAcquisition: cannot start the simulator: \(error.localizedDescription)")
        }
        return AcquisitionObject(folder: folder, process: process, logPath: logPath)
    }

    var typeName: String { "Acquisition" }
    var summary: String {
        let written = (try? AcquisitionTruth(folder: folder).frames.count) ?? 0
        return "Acquisition(\(folder): \(written) frames written, "
            + (process.isRunning ? "running" : "finished (exit \(process.terminationStatus))") + ")"
    }
    var memberNames: [String] { ["running", "folder", "written", "truth", "log"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "running": return .bool(process.isRunning)
        case "folder": return .string(folder)
        case "written": return .int((try? AcquisitionTruth(folder: folder).frames.count) ?? 0)
        case "truth":
            let truth = try AcquisitionTruth(folder: folder)
            return .array(truth.frames.map { .double($0.fraction) })
        case "log": return .string((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
        default: return nil
        }
    }
    var methodNames: [String] { ["stop", "wait"] }
    func method(_ name: String) -> Command? {
        switch name {
        case "stop":
            return Command(name: "stop", doc: "Stops the simulator (the frames written stay).",
                           example: "acq.stop()") { _, _ in
                if self.process.isRunning { self.process.terminate() }
                return .none
            }
        case "wait":
            return Command(name: "wait", doc: "Waits until the simulator has written every frame (an interrupt "
                            + "ends the wait, not the simulator).", example: "acq.wait()") { _, ctx in
                while self.process.isRunning {
                    try ctx.checkCancellation()
                    usleep(20_000)
                }
                if self.process.terminationStatus != 0 {
                    throw ctx.error(.value, "the simulator failed (exit \(self.process.terminationStatus)): "
                        + ((try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "").suffix(400))
                }
                return .none
            }
        default: return nil
        }
    }
}

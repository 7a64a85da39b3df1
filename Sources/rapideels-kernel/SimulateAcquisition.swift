import ArgumentParser
import EELS
import Foundation

/// `rapideels-kernel simulate-acquisition FOLDER`: an in-situ anneal written into a folder at a frame rate, as a
/// microscope's acquisition software would, for live mode (`watch`), its tests and `bench/live.sh`.
struct SimulateAcquisition: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-acquisition",
        abstract: "Write a simulated in-situ anneal into a folder at a given rate (one file per frame, or growing "
            + "files), with truth.csv.")

    @Argument(help: "The folder to write into (created if needed).")
    var folder: String

    @Option(help: "srfeo3 (the paper's O K edge, SrFeO3 -> SrFeO2.5) or mn (Mn L2,3, Mn2+ -> Mn3+).")
    var edge: String = "srfeo3"

    @Option(help: "Frames (files) to write.")
    var frames: Int = 20

    @Option(help: "Files per second (growing mode: row blocks per second).")
    var rate: Double = 5

    @Option(help: "Rows per frame.")
    var rows: Int = 10

    @Option(help: "Columns per frame (the scan direction; the converted region grows along it).")
    var columns: Int = 638

    @Option(name: .customLong("from"), help: "Converted fraction of the first frame.")
    var startFraction: Double = 0

    @Option(name: .customLong("to"), help: "Converted fraction of the last frame.")
    var endFraction: Double = 1

    @Option(help: "files (one complete file per frame, renamed into place) or growing (rows appended).")
    var mode: String = "files"

    @Option(help: "dm4 or npy.")
    var format: String = "dm4"

    @Option(help: "Growing mode: rows appended per write.")
    var rowsPerWrite: Int = 2

    @Option(help: "Noise realisations per state (frames cycle through them).")
    var pool: Int = 2

    @Option(help: "Keep only the newest N frame files (0 = all), for long runs.")
    var keep: Int = 0

    @Flag(help: "Write each frame straight into its final name in pieces (not atomically).")
    var direct = false

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Stop when this process id is gone (the kernel that started the simulator).")
    var parent: Int32 = 0

    @Flag(help: "Print one line per frame.")
    var verbose = false

    func run() throws {
        guard let edge = AcquisitionPlan.Edge(rawValue: edge) else {
            throw ValidationError("--edge must be srfeo3 or mn")
        }
        guard let mode = AcquisitionPlan.Mode(rawValue: mode) else { throw ValidationError("--mode: files or growing") }
        guard let format = AcquisitionPlan.Format(rawValue: format) else { throw ValidationError("--format: dm4 or npy") }
        var plan = AcquisitionPlan(edge: edge)
        plan.mode = mode
        plan.format = format
        plan.frames = frames
        plan.rate = rate
        plan.rows = rows
        plan.columns = columns
        plan.startFraction = startFraction
        plan.endFraction = endFraction
        plan.rowsPerWrite = rowsPerWrite
        plan.pool = pool
        plan.keep = keep
        plan.direct = direct
        plan.seed = seed
        let simulator = try AcquisitionSimulator(plan: plan)
        let parent = self.parent
        try simulator.run(into: folder, isCancelled: { parent > 0 && kill(parent, 0) != 0 }) { line in
            if verbose { print(line); fflush(stdout) }
        }
        print("wrote \(frames) frames (\(edge.rawValue), \(mode.rawValue), \(format.rawValue)) to \(folder)")
    }
}

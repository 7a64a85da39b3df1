import ArgumentParser
import EELS
import Foundation

/// `rapideels-kernel simulate-mn FOLDER`: writes the simulated Mn2+/Mn3+/Mn4+ L2,3 experiment (DM4 files named by
/// class, truth.json, truth.csv), the data for trying the workflow on a second edge with three classes.
struct SimulateMn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-mn",
        abstract: "Write a simulated Mn L2,3 experiment (Mn2+/Mn3+/Mn4+ DM4 spectrum images + truth) to a folder.")

    @Argument(help: "The folder to write (created if needed).")
    var folder: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Multiplies each SI's columns (1 = 12 SIs, about 6 MB in all).")
    var scale: Double = 1

    @Option(help: "Spectrum images per class.")
    var perClass: Int = 4

    @Option(help: "Dwell per pixel in 400 FPS frames (1 = 400 FPS, 16 = 25 FPS): multiplies all counts.")
    var dose: Double = 1

    @Option(help: "Mean dark signal per channel in counts (0 = none; > 0 also writes dark_reference.dm4).")
    var dark: Double = 0

    @Flag(help: "Also write each file as read back by our DM reader to <name>.npy (+ JSON sidecar), for checks.")
    var npy = false

    func run() throws {
        var options = MnExperimentOptions()
        options.filesPerClass = perClass
        options.darkLevel = dark
        options.dose = dose
        let truth = try writeMnExperiment(to: folder, seed: seed, scale: scale, options: options)
        if npy {
            for file in truth.files {
                let path = URL(fileURLWithPath: folder).appendingPathComponent(file.file).path
                guard let si = try EELS.load(path).spectrumImage else { throw ValidationError("\(path) is not an SI") }
                try NPYFormat.write(si, to: String(path.dropLast(4)) + ".npy")
            }
        }
        print("wrote \(truth.files.count) spectrum images (\(truth.classes.joined(separator: ", "))) to \(folder)")
    }
}

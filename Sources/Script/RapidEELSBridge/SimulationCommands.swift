import EELS
import Foundation
import RapidEELS
import ScriptLanguage

// Simulated experiments written to disk, to try the own-data workflow as a user would on measured files.

extension RapidEELSCommands {
    static func registerSimulations(_ r: CommandRegistry) {
        r.register(Command(name: "writeSimulatedMnExperiment", parameters: [
            .string("_ folder", doc: "the folder to write (created if needed)"),
            .seed(),
            .double("scale", default: 1, doc: "multiplies each SI's columns (0 < scale <= 20)"),
            .int("filesPerClass", default: MnExperimentOptions().filesPerClass,
                 doc: "SIs per valence, half thin, half thick"),
            .double("darkLevel", default: 0, doc: "mean dark counts per channel; > 0 also "
                + "writes dark_reference.dm4"),
        ], returns: "Table", doc: "Simulates a Mn L2,3 experiment (Mn2+ / Mn3+ / Mn4+, 590-692 eV at 0.2 eV, a "
            + "thickness wedge, a per-pixel energy drift of up to 1.5 eV, 400 FPS shot noise) and writes it the way "
            + "an acquisition session leaves it: one calibrated DM4 spectrum image per SI named by its class "
            + "(mn2_01.dm4 ... mn4_04.dm4), plus truth.json and truth.csv. Returns the truth, one row per file.",
           example: "writeSimulatedMnExperiment(\"/tmp/mn\", seed: 1)") { args, ctx in
            let folder = try args.string("folder")
            var options = MnExperimentOptions()
            options.filesPerClass = try args.int("filesPerClass")
            options.darkLevel = try args.double("darkLevel")
            let truth = try writeMnExperiment(to: folder, seed: try args.seed(ctx),
                                              scale: try args.double("scale"), options: options)
            let rows = truth.files.map { f in
                [f.file, f.valence, f.thicknessClass, String(format: "%.2f-%.2f", f.thicknessStart, f.thicknessEnd),
                 String(format: "%+.2f to %+.2f", f.driftStart, f.driftEnd), "\(f.rows) x \(f.columns)"]
            }
            return .object(TableObject(headers: ["file", "class", "thickness", "t/λ", "drift (eV)", "pixels"],
                                       rows: rows, caption: "Simulated Mn L2,3 experiment in \(folder) "
                                        + "(\(truth.files.count) SIs, seed \(truth.seed))"))
        })
    }
}

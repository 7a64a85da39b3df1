import EELS
import Foundation
import RapidEELS
import ScriptLanguage

// Simulated experiments written to disk, to try the own-data workflow as a user would on measured files.

extension RapidEELSCommands {
    static func registerSimulations(_ r: CommandRegistry) {
        r.register(Command(name: "writeSimulatedMnExperiment", parameters: [
            CommandParameter(nil, "String", doc: "the folder to write (created if needed)"),
            CommandParameter("seed", "Int", default: "%seed"),
            CommandParameter("scale", "Double", default: "1.0", doc: "multiplies each SI's columns (0 < scale <= 20)"),
            CommandParameter("filesPerClass", "Int", default: "4", doc: "SIs per valence, half thin, half thick"),
            CommandParameter("darkLevel", "Double", default: "0", doc: "mean dark counts per channel; > 0 also "
                + "writes dark_reference.dm4"),
        ], returns: "Table", doc: "Simulates a Mn L2,3 experiment (Mn2+ / Mn3+ / Mn4+, 590-692 eV at 0.2 eV, a "
            + "thickness wedge, a per-pixel energy drift of up to 1.5 eV, 400 FPS shot noise) and writes it the way "
            + "an acquisition session leaves it: one calibrated DM4 spectrum image per SI named by its class "
            + "(mn2_01.dm4 ... mn4_04.dm4), plus truth.json and truth.csv. Returns the truth, one row per file.",
           example: "writeSimulatedMnExperiment(\"/tmp/mn\", seed: 1)") { args, ctx in
            let folder = try args.string(0)
            var options = MnExperimentOptions()
            options.filesPerClass = try args.int(3, default: options.filesPerClass)
            options.darkLevel = try args.double(4, default: 0)
            let truth = try writeMnExperiment(to: folder, seed: UInt64(max(0, try args.int(1, default: Int(ctx.seed)))),
                                              scale: try args.double(2, default: 1), options: options)
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

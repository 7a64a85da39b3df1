import EELS
import Foundation
import RapidEELS
import ScriptLanguage

// The commands for measured data of any edge: datasets from files, the configurable method, confusion matrices.

extension RapidEELSCommands {
    /// The optional `method:` parameter, the paper's method when omitted (read with `methodArgument`).
    static func methodParameter(doc: String = "") -> CommandParameter {
        .object("method", MethodObject.self, "Method", dynamic: "paperMethod()", doc: doc)
    }

    /// The `method:` argument, or the paper's method when omitted.
    static func methodArgument(_ args: Arguments) throws -> PreprocessingMethod {
        guard try args.has("method") else { return .paper }
        return try args.object("method", as: MethodObject.self).method
    }

    /// Classifications from one value or an array of them.
    static func classifications(_ value: Value, _ ctx: CallContext) throws -> [Classification] {
        let values: [Value]
        if case .array(let a) = value { values = a } else { values = [value] }
        return try values.map {
            guard case .object(let c as ClassificationObject) = $0 else {
                throw ctx.error(.type, "expected classifications (from classify), found \($0.typeName)")
            }
            return c.result
        }
    }

    /// Label rules from a dictionary of glob or /regex/ -> class name, or one /regex/ whose group is the class.
    static func labelRules(_ value: Value, _ args: Arguments, _ name: String) throws -> DatasetLabels {
        func rule(_ pattern: String, _ name: String?) -> LabelRule {
            if pattern.count >= 2, pattern.hasPrefix("/"), pattern.hasSuffix("/") {
                return .regex(String(pattern.dropFirst().dropLast()), name: name)
            }
            return name.map { .glob(pattern, $0) } ?? .regex(pattern)
        }
        switch value {
        case .none: return .none
        case .string(let pattern): return .rules([rule(pattern, nil)])
        case .dictionary(let d):
            return .rules(try d.entries.map { entry in
                guard case .string(let pattern) = entry.key, case .string(let name) = entry.value else {
                    throw args.wrong(name, "[\"glob or /regex/\": \"class\"]", value)
                }
                return rule(pattern, name)
            })
        case .array(let a):
            return .explicit(try a.map {
                switch $0 {
                case .string(let s): return s
                case .none: return nil
                default: throw args.wrong(name, "one class name (or nil) per image", value)
                }
            })
        default: throw args.wrong(name, "a dictionary of file-name rules, a /regex/ or one class per image", value)
        }
    }

    static func registerDatasets(_ r: CommandRegistry) {
        r.register(Command(name: "dataset", parameters: [
            .value("_ source", "String, [String] or [SpectrumImage]", doc: "a folder (every .dm3/.dm4/.msa/.npy "
                + "file in it), a glob such as \"data/*.dm4\", a list of files, or spectrum images already loaded"),
            .value("labels", "[String: String], String or [String?]", dynamic: "none",
                             doc: "file-name rules, first match wins: [\"*a.dm4\": \"annealed\", \"*\": \"initial\"] "
                + "(globs; \"/regex/\" keys too); a \"/regex/\" whose first group is the class, e.g. "
                + "\"/^(Mn[234]\\\\+)_/\"; or one class name per image (nil = unlabelled)"),
            .value("classes", "[String]", dynamic: "from the labels",
                             doc: "the class names in order (class i = classes[i]); every label must be one"),
            .value("test", "[String] or Double", dynamic: "none",
                             doc: "test images by name, or a fraction held out per class (stratified, seeded)"),
            .seed(),
        ], returns: "Dataset", doc: "A dataset of measured spectrum images with their classes and a held-out test "
            + "set. Images may be unlabelled (the denoiser needs no labels; its targets are each image's own block "
            + "means). One dataset needs one dispersion. Images holding more than one state get per-region classes "
            + "with .labelRegion.",
           example: "let data = dataset(\"experiment/\", labels: [\"*a.dm4\": \"annealed\", \"*\": \"initial\"],\n"
            + "                   test: 0.25, seed: 1)") { args, ctx in
            let source = try args.value("source")
            let labels = try args.given("labels").map { try labelRules($0, args, "labels") } ?? DatasetLabels.none
            var classes: [String]?
            if let given = try args.given("classes") {
                guard case .array(let a) = given else { throw args.wrong("classes", "[String]", given) }
                classes = a.map { if case .string(let s) = $0 { return s }; return $0.description }
            }
            let dataset: Dataset
            var title = ""
            switch source {
            case .string(let pattern):
                dataset = try Dataset(loading: try Dataset.files(matching: pattern), labels: labels, classNames: classes,
                                      isCancelled: { ctx.cancellation.isCancelled })
                title = pattern
            case .array(let values) where values.allSatisfy({ if case .string = $0 { return true }; return false }):
                let paths = values.map { v -> String in if case .string(let s) = v { return s }; return "" }
                dataset = try Dataset(loading: paths, labels: labels, classNames: classes,
                                      isCancelled: { ctx.cancellation.isCancelled })
            default:
                let sis = try images(source)
                dataset = try Dataset(images: sis.map { ($0.name, $0.item.path, $0.image) }, labels: labels,
                                      classNames: classes)
            }
            var test: [Int] = []
            switch try args.given("test") {
            case nil: break
            case .some(.array(let names)):
                test = try dataset.indices(named: names.map { if case .string(let s) = $0 { return s }; return $0.description })
            case .some(let v):
                guard let fraction = v.asDouble else { throw args.wrong("test", "test image names or a fraction", v) }
                test = try dataset.stratifiedTestIndices(fraction: fraction, seed: try args.seed(ctx))
            }
            return .object(DatasetObject(dataset: dataset, testIndices: Set(test), title: title))
        })
        r.register(Command(name: "method", parameters: [
            .range("window", doc: "the network's energy window (eV)"),
            .double("bin", default: 0.25, doc: "channel width the network sees (eV); the "
                + "data's dispersion must divide it"),
            .range("background", dynamic: "nil", type: "ClosedRange<Double>?",
                             doc: "power-law fit window of the ground truth (eV), before the edge; nil = none"),
            .ints("block", default: [10, 40], doc: "ground-truth block, [rows, columns] of "
                + "pixels"),
            .symbol("drift", type: "DriftCorrection", allowed: ["none", "mean", "onset", "reference"],
                    default: "none", doc: ".none (the paper), .mean (each SI "
                + "to its own mean), .onset (each pixel's edge onset in `onset:` to the SI's mean onset; the power "
                + "law of `background:` removed first) or .reference (cross-correlation with `reference:`)"),
            .range("onset", dynamic: "nil", type: "ClosedRange<Double>?", doc: "eV window holding the edge "
                + "onset, for drift: .onset"),
            .object("reference", SpectrumObject.self, "Spectrum?", dynamic: "nil", doc: "the spectrum to align to, for "
                + "drift: .reference"),
            .double("target", dynamic: "nil", type: "Double?", doc: "for drift: .onset, the energy (eV) every "
                + "onset is moved to (absolute: chemical shifts go too, the shape stays); nil = each SI's mean onset"),
            .object("dark", SpectrumObject.self, "Spectrum?", dynamic: "nil", doc: "a dark reference (same channel count as the "
                + "data) subtracted from every pixel first"),
        ], returns: "Method", doc: "The preprocessing of the RapidEELS method for any edge, saved with every model "
            + "so that a loaded model prepares new data the same way: an optional dark reference and drift "
            + "correction, then the network window and bin width (bins start at the window's first channel); the "
            + "ground truth is each block's mean with the power law of the background window subtracted. "
            + "paperMethod() is the paper's preset.",
           example: "let m = method(window: 635...665, bin: 0.25, background: 610...635, block: [4, 8])\n"
            + "let aligned = method(window: 632...664, bin: 0.4, background: 600...630, block: [2, 8], drift: .onset, "
            + "onset: 636...648)") { args, ctx in
            var background: ClosedRange<Double>?
            if let v = try args.given("background") {
                switch v {
                case .none, .symbol("none"): background = nil
                default: background = try args.range("background")
                }
            }
            let block = try args.ints("block")
            guard block.count == 2 else { throw args.wrong("block", "[rows, columns]", try args.value("block")) }
            var method = try PreprocessingMethod(window: try args.range("window"),
                                                 binWidth: try args.double("bin"), background: background,
                                                 block: (block[0], block[1]))
            func spectrum(_ name: String) throws -> Spectrum? {
                guard let v = try args.given(name) else { return nil }
                if case .none = v { return nil }
                return try args.object(name, as: SpectrumObject.self).spectrum
            }
            method.darkReference = try spectrum("dark")
            switch try args.symbol("drift") {
            case "mean": method.drift = .mean
            case "onset":
                guard try args.has("onset"), let background else {
                    throw ctx.error(.value, "drift: .onset needs onset: (the eV window holding the edge onset) "
                        + "and background: (the power law removed before finding it)")
                }
                var target: Double?
                if let v = try args.given("target") { if case .none = v {} else { target = try args.double("target") } }
                method.drift = .onset(window: try args.range("onset"), background: background, fraction: 0.5,
                                      target: target)
            case "reference":
                guard let reference = try spectrum("reference") else {
                    throw ctx.error(.value, "drift: .reference needs reference: (a spectrum to align to)")
                }
                method.drift = .reference(reference)
            default: method.drift = .none
            }
            return .object(MethodObject(method))
        })
        r.register(Command(name: "driftMap", parameters: [
            .object("_ si", SpectrumImageObject.self, "SpectrumImage"), .object("method", MethodObject.self, "Method"),
        ], returns: "DriftMap", doc: "The energy drift the method's drift correction removes from every pixel "
            + "(eV): shown as a map, with .shifts (row-major) and .aligned (the corrected raw image).",
           example: "driftMap(data[0], method: m)") { args, ctx in
            let si = try image(args, "si")
            let method = try methodArgument(args)
            guard method.drift != .none else {
                throw ctx.error(.value, "the method corrects no drift; give it drift: .mean, .onset or .reference")
            }
            let corrected = try method.corrected(si.image)
            return .object(DriftMapObject(shifts: corrected.shifts!, aligned: si.derived(corrected.image),
                                          name: si.name))
        })
        r.register(Command(name: "loadClassification", parameters: [.string("_ path")],
                           returns: "Classification", doc: "Reads a classification saved with .save: its probability "
                            + "maps, class names and true labels (so accuracy and confusionMatrix work again).",
                           example: "let again = loadClassification(\"mn2_03-classes.npy\")") { args, _ in
            .object(ClassificationObject(try Classification.load(from: try args.string("path"))))
        })
        r.register(Command(name: "paperMethod", returns: "Method", doc: "The paper's preprocessing: 520-580 eV at "
            + "0.25 eV (240 channels), power-law background 498-528 eV, 10 x 40 blocks.",
           example: "let m = paperMethod()") { _, _ in .object(MethodObject(.paper)) })
        r.register(Command(name: "crossValidate", parameters: [
            .object("_ model", DenoiserObject.self, "Autoencoder", doc: "a trained autoencoder; its encoder stays frozen"),
            .object("on", DatasetObject.self, "Dataset", doc: "its training images are split into folds"),
            .int("folds", default: 5), .int("epochs", default: 200),
            .int("batchSize", default: 512), .seed(),
        ], returns: "Table", doc: "k-fold cross-validation of the classifier, as in the paper: the training images "
            + "of each class are dealt to the folds (seeded), and for each fold a fresh head trains on the others "
            + "and is scored on the held-out images' labelled pixels. One row per fold, then the mean and "
            + "standard deviation.",
           example: "crossValidate(model, on: data, folds: 5, epochs: 200)") { args, ctx in
            let model = try args.object("model", as: DenoiserObject.self)
            let data = try args.object("on", as: DatasetObject.self)
            let folds = try OxidationClassifier.crossValidate(
                denoiser: model.denoiser, on: data.trainSet, folds: try args.int("folds"),
                epochs: try args.int("epochs"), batchSize: try args.int("batchSize"),
                seed: try args.seed(ctx),
                isCancelled: { ctx.cancellation.isCancelled })
            var rows: [[String]] = folds.enumerated().map { i, f in
                ["\(i + 1)", f.heldOut.joined(separator: ", "), f.accuracy.map { String(format: "%.1f", $0 * 100) } ?? "-",
                 fmt(f.finalLoss)]
            }
            let scores = folds.compactMap(\.accuracy).map { $0 * 100 }
            if !scores.isEmpty {
                let mean = scores.reduce(0, +) / Double(scores.count)
                let sd = scores.count > 1 ? (scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
                    / Double(scores.count - 1)).squareRoot() : 0
                rows.append(["mean ± sd", "", String(format: "%.1f ± %.1f", mean, sd), ""])
            }
            return .object(TableObject(headers: ["fold", "held-out images", "accuracy (%)", "final loss"], rows: rows,
                                       caption: "\(folds.count)-fold cross-validation of the classifier"))
        })
        r.register(Command(name: "confusionMatrix", parameters: [
            .value("_ results", "Classification or [Classification]"),
        ], returns: "ConfusionMatrix", doc: "Labelled pixels counted by true class (rows) and predicted class "
            + "(columns), pooled over the classifications, with each class's accuracy (recall) and the overall "
            + "accuracy.", example: "confusionMatrix(data.test.map { classify($0, with: classifier) })") { args, ctx in
            let results = try classifications(try args.value("results"), ctx)
            let matrix = try ConfusionMatrix(pooling: results)
            guard matrix.total > 0 else {
                throw ctx.error(.value, "none of the classified pixels has a known class; classify images of a "
                    + "labelled dataset, or give classify(..., label:)")
            }
            return .object(ConfusionObject(matrix, classNames: results[0].classNames))
        })
    }
}

/// The preprocessing method.
final class MethodObject: ScriptObject {
    let method: PreprocessingMethod
    init(_ method: PreprocessingMethod) { self.method = method }
    var typeName: String { "Method" }
    var summary: String { "Method(\(method.summary))" }
    var memberNames: [String] { ["window", "bin", "channels", "background", "block"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "window": return .object(DoubleRange(method.window))
        case "bin": return .double(method.binWidth)
        case "channels": return .int(method.channels)
        case "background": return method.background.map { .object(DoubleRange($0)) } ?? .none
        case "block": return .array([.int(method.blockRows), .int(method.blockColumns)])
        default: return nil
        }
    }
}

/// A confusion matrix with per-class accuracy.
final class ConfusionObject: RichDisplayed {
    let matrix: ConfusionMatrix
    let classNames: [String]
    init(_ matrix: ConfusionMatrix, classNames: [String]) {
        self.matrix = matrix
        self.classNames = classNames
    }
    var accuracy: Double? { matrix.total == 0 ? nil : matrix.accuracy }
    var typeName: String { "ConfusionMatrix" }
    var summary: String {
        let overall = accuracy.map { String(format: "%.1f %%", $0 * 100) } ?? "-"
        return "Confusion matrix (\(matrix.total) labelled pixels; accuracy \(overall))\n"
            + HTMLTable.text(headers: headers, rows: rows)
    }
    var headers: [String] { ["true \\ predicted"] + classNames + ["accuracy (%)"] }
    static func percent(_ x: Double) -> String { x.isNaN ? "-" : String(format: "%.1f", x * 100) }
    var rows: [[String]] {
        var out: [[String]] = []
        let recall = matrix.recall
        for i in classNames.indices {
            let counts: [String] = matrix.counts[i].map { String($0) }
            out.append([classNames[i]] + counts + [Self.percent(recall[i])])
        }
        let blanks = [String](repeating: "", count: classNames.count)
        out.append(["overall"] + blanks + [Self.percent(accuracy ?? .nan)])
        return out
    }
    var memberNames: [String] { ["counts", "accuracy", "perClassAccuracy", "classes", "total"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "counts":
            return Value.array(matrix.counts.map { row in Value.array(row.map { Value.int($0) }) })
        case "accuracy": return accuracy.map { Value.double($0) } ?? Value.none
        case "perClassAccuracy": return Value.array(matrix.recall.map { $0.isNaN ? Value.none : Value.double($0) })
        case "classes": return Value.array(classNames.map { Value.string($0) })
        case "total": return Value.int(matrix.total)
        default: return nil
        }
    }
    var richDisplay: RichDisplayable {
        RichDisplay.table(headers: headers, rows: rows, caption: summary.components(separatedBy: "\n")[0], text: summary)
    }
}

/// The drift removed from every pixel of one spectrum image.
final class DriftMapObject: RichDisplayed {
    let shifts: Image2D
    let aligned: Value
    let name: String
    init(shifts: Image2D, aligned: Value, name: String) {
        self.shifts = shifts
        self.aligned = aligned
        self.name = name
    }
    var values: [Double] { shifts.data.map(Double.init) }
    var typeName: String { "DriftMap" }
    var summary: String {
        let v = values
        return String(format: "DriftMap(%d x %d px of %@: %.2f to %.2f eV)", shifts.rows, shifts.columns, name,
                      v.min() ?? 0, v.max() ?? 0)
    }
    var memberNames: [String] { ["shifts", "aligned", "range"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "shifts": return .array(values.map { .double($0) })
        case "aligned": return aligned
        case "range": return .double((values.max() ?? 0) - (values.min() ?? 0))
        default: return nil
        }
    }
    var richDisplay: RichDisplayable {
        RichDisplay.figure(summary) {
            try Figures.valueMap(values, rows: shifts.rows, columns: shifts.columns, title: "drift map \(name)",
                                 label: "shift (eV)")
        }
    }
}

import EELS
import Foundation
import NeuralCore
import RapidEELS
import SVGPlot
import ScriptLanguage

/// Training losses.
final class HistoryObject: RichDisplayed {
    let history: TrainingHistory
    let title: String
    init(_ history: TrainingHistory, title: String) { self.history = history; self.title = title }
    var typeName: String { "TrainingHistory" }
    var summary: String {
        "TrainingHistory(\(history.loss.count) epochs, final loss \(history.loss.last.map { fmt($0) } ?? "-")"
            + String(format: ", %.1f s", history.seconds) + (history.cancelled ? ", interrupted" : "") + ")"
    }
    var memberNames: [String] { ["loss", "validationLoss", "epochs", "seconds", "bestEpoch"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "loss": return .array(history.loss.map { .double($0) })
        case "validationLoss": return .array(history.validationLoss.map { .double($0) })
        case "epochs": return .int(history.loss.count)
        case "seconds": return .double(history.seconds)
        case "bestEpoch": return history.bestEpoch.map { .int($0) } ?? .none
        default: return nil
        }
    }
    var richDisplay: RichDisplayable { RichDisplay.figure(summary) { try Figures.loss(history, title: title) } }
}

func layerTable(_ rows: [LayerSummary], total: Int, caption: String) -> RichDisplay {
    RichDisplay.table(headers: ["layer", "type", "output shape", "parameters"],
                      rows: rows.map { [$0.name, $0.kind, "[" + $0.outputShape.map(String.init).joined(separator: ", ") + "]",
                                        String($0.parameterCount)] } + [["total", "", "", String(total)]],
                      caption: caption, text: caption)
}

/// The paper's autoencoder with its scaler.
final class DenoiserObject: RichDisplayed {
    let denoiser: Denoiser
    init(_ denoiser: Denoiser) { self.denoiser = denoiser }
    var typeName: String { "Autoencoder" }
    var summary: String {
        "Autoencoder(\(denoiser.autoencoder.parameterCount) parameters, latent \(denoiser.autoencoder.latentSize), "
            + "\(denoiser.method.summary), "
            + (!denoiser.isTrained ? "untrained" : denoiser.trainingSpectra > 0
                ? "trained on \(denoiser.trainingSpectra) spectra" : "loaded") + ")"
            + (denoiser.autoencoder.metadata["trained"].map { "\ntrained: " + $0 } ?? "")
    }
    var memberNames: [String] { ["parameterCount", "isTrained", "history", "method", "latent", "trained"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "trained": return denoiser.autoencoder.metadata["trained"].map { .string($0) } ?? .none
        case "method": return .object(MethodObject(denoiser.method))
        case "latent": return .int(denoiser.autoencoder.latentSize)
        case "parameterCount": return .int(denoiser.autoencoder.parameterCount)
        case "isTrained": return .bool(denoiser.isTrained)
        case "history": return denoiser.history.map { .object(HistoryObject($0, title: "autoencoder loss")) } ?? .none
        default: return nil
        }
    }
    var methodNames: [String] { ["save"] }
    func method(_ name: String) -> Command? {
        guard name == "save" else { return nil }
        return Command(name: "save", parameters: [.string("_ path")], doc: "Saves weights "
                        + "(safetensors) with the scaler and preprocessing as metadata.",
                       example: "model.save(\"aec.safetensors\")") { args, _ in
            try self.denoiser.save(to: URL(fileURLWithPath: try args.string("path")))
            return .none
        }
    }
    var richDisplay: RichDisplayable {
        layerTable(denoiser.autoencoder.parameterTable, total: denoiser.autoencoder.parameterCount, caption: summary)
    }
}

/// The oxidation-state classifier.
final class ClassifierObject: RichDisplayed {
    let classifier: OxidationClassifier
    init(_ classifier: OxidationClassifier) { self.classifier = classifier }
    var typeName: String { "Classifier" }
    var summary: String { "Classifier(frozen encoder -> latent \(classifier.network.latentSize) -> Dense "
        + "\(classifier.classNames.count) softmax; classes: " + classifier.classNames.joined(separator: ", ")
        + "; \(classifier.method.summary))"
        + (classifier.network.metadata["trained"].map { "\ntrained: " + $0 } ?? "") }
    var memberNames: [String] { ["classes", "history", "method", "trained"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "trained": return classifier.network.metadata["trained"].map { .string($0) } ?? .none
        case "method": return .object(MethodObject(classifier.method))
        case "classes": return .array(classifier.classNames.map { .string($0) })
        case "history": return classifier.history.map { .object(HistoryObject($0, title: "classifier loss")) } ?? .none
        default: return nil
        }
    }
    var methodNames: [String] { ["save"] }
    func method(_ name: String) -> Command? {
        guard name == "save" else { return nil }
        return Command(name: "save", parameters: [.string("_ path")], doc: "Saves encoder + head "
                        + "weights with the scaler, preprocessing and class names.",
                       example: "classifier.save(\"classifier.safetensors\")") { args, _ in
            try self.classifier.save(to: URL(fileURLWithPath: try args.string("path")))
            return .none
        }
    }
    var richDisplay: RichDisplayable {
        layerTable(classifier.network.parameterTable, total: classifier.network.parameterTable
            .reduce(0) { $0 + $1.parameterCount }, caption: summary)
    }
}

/// Per-pixel classes of one spectrum image: a class map, probability maps, and where the true classes are known the
/// accuracy and the confusion matrix.
final class ClassificationObject: RichDisplayed {
    let result: Classification
    init(_ result: Classification) { self.result = result }
    var typeName: String { "Classification" }
    var summary: String { result.displayText }
    var memberNames: [String] { ["accuracy", "counts", "labels", "trueLabel", "classes", "confusion",
                                 "perClassAccuracy", "probabilities", "classMap", "classImage", "probabilityImage"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "accuracy": return result.accuracy.map { .double($0) } ?? .none
        case "counts": return .array(result.counts.map { .int($0) })
        case "labels": return .array(result.labels.map { .int($0) })
        case "trueLabel": return result.trueLabel.map { .int($0) } ?? .none
        case "classes": return .array(result.classNames.map { .string($0) })
        case "confusion":
            return .object(ConfusionObject(try ConfusionMatrix(counts: result.confusion), classNames: result.classNames))
        case "perClassAccuracy":
            return .array(try ConfusionMatrix(counts: result.confusion).recall.map { $0.isNaN ? .none : .double($0) })
        case "probabilities":
            let svg = try Figures.probabilityMaps(result).svg()
            return .object(FigureObject(svg: svg, text: "Figure(class probabilities of \(result.title))"))
        case "classMap":
            let svg = try Figures.classMap(result).svg()
            return .object(FigureObject(svg: svg, text: "Figure(class map of \(result.title))"))
        case "classImage": return .object(ImageObject(result.classImage))
        case "probabilityImage": return .object(ImageObject(result.probabilityImage(result.classNames.count > 1 ? 1 : 0)))
        default: return nil
        }
    }
    var methodNames: [String] { ["save"] }
    func method(_ name: String) -> Command? {
        guard name == "save" else { return nil }
        return Command(name: "save", parameters: [.string("_ path")], doc: "Writes the class "
                        + "probabilities as a rows x columns x k .npy with a .json sidecar keeping the class names and "
                        + "true labels; loadClassification reads it back. A path ending in .hspy writes the probability and "
                        + "class maps for HyperSpy instead.",
                       example: "result.save(\"mn2_03-classes.npy\")") { args, ctx in
            let path = try args.string("path")
            if path.lowercased().hasSuffix(".hspy"), let hspy = self.hyperSpyMethod("save") {
                return try hspy.implementation(args, ctx)
            }
            try self.result.save(to: path)
            return .none
        }
    }
    var richDisplay: RichDisplayable { result }
}

/// A PCA model of one spectrum image.
final class PCAObject: RichDisplayed {
    let result: PCAResult
    let source: SpectrumImageObject
    init(_ result: PCAResult, source: SpectrumImageObject) { self.result = result; self.source = source }
    var typeName: String { "PCA" }
    var summary: String {
        "PCA(\(result.componentCount) components of \(result.sampleCount) spectra x \(result.featureCount) channels; "
            + "explained variance ratio " + result.explainedVarianceRatio.map { fmt($0, 3) }.joined(separator: ", ") + ")"
    }
    var memberNames: [String] { ["explainedVarianceRatio", "components"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "explainedVarianceRatio": return .array(result.explainedVarianceRatio.map { .double($0) })
        case "components": return .int(result.componentCount)
        default: return nil
        }
    }
    var methodNames: [String] { ["reconstruct"] }
    func method(_ name: String) -> Command? {
        guard name == "reconstruct" else { return nil }
        return Command(name: "reconstruct", parameters: [.int("components", dynamic: "all")],
                       returns: "SpectrumImage", doc: "The spectrum image rebuilt from the first k components.",
                       example: "model.reconstruct(components: 3)") { args, _ in
            let k = try args.int("components", dynamic: self.result.componentCount)
            return self.source.derived(try self.result.reconstructedImage(like: self.source.image, components: k))
        }
    }
    var richDisplay: RichDisplayable {
        RichDisplay.figure(summary) {
            try Figures.pca(ratios: result.explainedVarianceRatio, energies: source.image.energy.values,
                            loadings: (0..<result.componentCount).map { result.component($0).map { Double($0) } },
                            title: "principal components")
        }
    }
}

/// One Gaussian fit.
final class PeakFitObject: RichDisplayed {
    let result: PeakFitResult
    let spectrum: Spectrum
    init(_ result: PeakFitResult, spectrum: Spectrum) { self.result = result; self.spectrum = spectrum }
    var typeName: String { "PeakFit" }
    var summary: String {
        (result.success ? "PeakFit(" : "PeakFit(FAILED: \(result.message); ") + result.peaks.enumerated().map {
            "peak \($0.offset + 1): \(fmt($0.element.position, 5)) eV, height \(fmt($0.element.height)), σ "
                + fmt($0.element.sigma, 3)
        }.joined(separator: "; ") + "; χ²ᵣ \(fmt(result.reducedChiSquare, 3)))"
    }
    var memberNames: [String] { ["positions", "heights", "sigmas", "parameters", "uncertainties", "success",
                                 "reducedChiSquare"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "positions": return .array(result.peaks.map { .double($0.position) })
        case "heights": return .array(result.peaks.map { .double($0.height) })
        case "sigmas": return .array(result.peaks.map { .double($0.sigma) })
        case "parameters", "uncertainties":
            var d = OrderedDictionary()
            let values = name == "parameters" ? result.parameters : result.uncertainties
            for (n, v) in zip(result.parameterNames, values) { try d.set(.string(n), .double(v)) }
            return .dictionary(d)
        case "success": return .bool(result.success)
        case "reducedChiSquare": return .double(result.reducedChiSquare)
        default: return nil
        }
    }
    var richDisplay: RichDisplayable {
        RichDisplay.figure(summary) { try Figures.fit(spectrum, result) }
            .table(headers: ["parameter", "value", "± 1σ"],
                   rows: zip(result.parameterNames, zip(result.parameters, result.uncertainties))
                    .map { [$0, fmt($1.0, 6), fmt($1.1, 3)] }, caption: summary)
    }
}

/// Gaussian fits of every pixel.
final class PeakFitMapObject: RichDisplayed {
    let map: PeakFitMap
    init(_ map: PeakFitMap) { self.map = map }
    var typeName: String { "PeakFitMap" }
    var summary: String {
        "PeakFitMap(\(map.rows) x \(map.columns) px, \(map.parameterNames.count) parameters, "
            + String(format: "%.1f %% converged)", map.successRate * 100)
    }
    var memberNames: [String] { ["parameterNames", "successRate"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "parameterNames": return .array(map.parameterNames.map { .string($0) })
        case "successRate": return .double(map.successRate)
        default: return nil
        }
    }
    var methodNames: [String] { ["values", "mean", "map", "save"] }
    func method(_ name: String) -> Command? {
        switch name {
        case "values":
            return Command(name: "values", parameters: [.string("_ parameter")], returns: "[Double]",
                           doc: "One parameter's value at every pixel (row-major).",
                           example: "fits.values(\"p1_position\")") { args, _ in
                .array(try self.map.values(try args.string("parameter")).map { .double($0) })
            }
        case "mean":
            return Command(name: "mean", parameters: [.string("_ parameter")], returns: "Double",
                           doc: "One parameter's mean over the pixels whose fit converged.",
                           example: "fits.mean(\"p1_position\")") { args, _ in
                let v = try self.map.values(try args.string("parameter"))
                let ok = v.indices.filter { self.map.success[$0] && v[$0].isFinite }
                return .double(ok.isEmpty ? .nan : ok.map { v[$0] }.reduce(0, +) / Double(ok.count))
            }
        default: return hyperSpyMethod(name)  // map, save: HyperSpyFiles.swift
        }
    }
    var richDisplay: RichDisplayable {
        let rows = map.parameterNames.map { n -> [String] in
            let v = (try? map.values(n)) ?? []
            let ok = v.indices.filter { map.success[$0] && v[$0].isFinite }.map { v[$0] }
            let mean = ok.isEmpty ? Double.nan : ok.reduce(0, +) / Double(ok.count)
            let sd = ok.count > 1 ? (ok.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(ok.count - 1)).squareRoot() : 0
            return [n, fmt(mean, 5), fmt(sd, 3)]
        }
        return RichDisplay.figure(summary) { try figure() }
            .table(headers: ["parameter", "mean", "std"], rows: rows, caption: summary)
    }
}

/// A t-SNE embedding (paper Fig. 8).
final class EmbeddingObject: RichDisplayed {
    let result: TSNEResult
    let labels: [Int]
    let thick: [Bool]
    let title: String
    let classNames: [String]?
    init(_ result: TSNEResult, labels: [Int], thick: [Bool], title: String, classNames: [String]? = nil) {
        self.result = result
        self.labels = labels
        self.thick = thick
        self.title = title
        self.classNames = classNames
    }
    var typeName: String { "Embedding" }
    var summary: String { "Embedding(\(result.n) points in 2-D, KL \(fmt(result.kl, 4)), \(result.iterations) iterations)" }
    var memberNames: [String] { ["kl", "x", "y", "count"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "kl": return .double(result.kl)
        case "count": return .int(result.n)
        case "x": return .array(stride(from: 0, to: result.embedding.count, by: 2).map { .double(result.embedding[$0]) })
        case "y": return .array(stride(from: 1, to: result.embedding.count, by: 2).map { .double(result.embedding[$0]) })
        default: return nil
        }
    }
    var richDisplay: RichDisplayable {
        RichDisplay.figure(summary) {
            try Figures.embedding(result.embedding, labels: labels, thick: thick, title: title,
                                  classNames: classNames)
        }
    }
}

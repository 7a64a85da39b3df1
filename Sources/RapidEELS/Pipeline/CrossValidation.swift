import EELS
import Foundation
import NeuralCore

/// One fold of a k-fold cross-validation of the classifier head.
public struct CrossValidationFold: Sendable {
    /// Names of the images held out in this fold.
    public var heldOut: [String]
    /// Labelled pixels of the held-out images classified correctly / all of them (nil when they have none).
    public var accuracy: Double?
    /// Counts of the held-out pixels, [true][predicted].
    public var confusion: ConfusionMatrix
    /// The head's final training loss.
    public var finalLoss: Double
}

extension OxidationClassifier {
    /// k-fold cross-validation of the classifier (the paper's 5-fold), by image: the images of each class are
    /// shuffled (seeded) and dealt to the folds in turn, so pixels of one image never sit on both sides. For each
    /// fold a fresh head on `denoiser`'s frozen encoder trains on the other folds and is scored on this one.
    ///
    ///     let folds = try OxidationClassifier.crossValidate(denoiser: d, on: train, folds: 5, epochs: 200)
    ///     folds.compactMap(\.accuracy)   // one accuracy per fold
    /// - Throws: `RapidEELSError.value` for fewer than 2 folds or more folds than labelled images, and as `train`.
    public static func crossValidate(denoiser: Denoiser, on dataset: Dataset, folds: Int, epochs: Int,
                                     batchSize: Int = 512, seed: UInt64 = 0,
                                     isCancelled: @escaping () -> Bool = { false }) throws -> [CrossValidationFold] {
        let labelled = dataset.items.indices.filter { dataset.items[$0].isLabelled }
        guard folds >= 2, folds <= labelled.count else {
            throw RapidEELSError.value("\(folds)-fold cross-validation needs 2 to \(labelled.count) folds (one per "
                + "labelled image at most)")
        }
        var rng = SeededGenerator(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for i in labelled { byClass[dataset.items[i].label ?? -1, default: []].append(i) }
        var foldOf = [Int: Int]()
        var next = 0
        for key in byClass.keys.sorted() {
            for i in byClass[key]!.shuffled(using: &rng) {
                foldOf[i] = next % folds
                next += 1
            }
        }
        var out: [CrossValidationFold] = []
        for fold in 0..<folds {
            if isCancelled() { throw CancellationError() }
            let test = labelled.filter { foldOf[$0] == fold }
            let train = labelled.filter { foldOf[$0] != fold }
            let classifier = try OxidationClassifier(denoiser: denoiser, classNames: dataset.classNames,
                                                     seed: seed &+ UInt64(fold))
            let history = try classifier.train(on: dataset.subset(train), epochs: epochs, batchSize: batchSize,
                                               seed: seed &+ UInt64(fold), isCancelled: isCancelled)
            let results = try test.map { try classifier.classify(dataset.items[$0]) }
            let matrix = try ConfusionMatrix(pooling: results)
            out.append(CrossValidationFold(heldOut: test.map { dataset.items[$0].name },
                                           accuracy: matrix.total == 0 ? nil : matrix.accuracy,
                                           confusion: matrix, finalLoss: history.loss.last ?? .nan))
        }
        return out
    }
}

import EELS
import Foundation
import NeuralCore
import RapidEELS
import XCTest

/// The configurable method: the paper's preset reproduces `PaperMethod` bit for bit; other windows, dispersions,
/// latent sizes and class counts work; errors say what to change; a saved model applies its own preprocessing.
final class GeneralMethodTests: XCTestCase {
    /// A spectrum image with a power-law background and a class-dependent peak, Poisson noise; `axis` any.
    static func edgeImage(rows: Int = 6, columns: Int = 12, axis: UniformAxis, peak: Double, seed: UInt64,
                          title: String = "") -> SpectrumImage {
        var rng = SeededGenerator(seed: seed)
        var data: [Float] = []
        for _ in 0..<(rows * columns) {
            for k in 0..<axis.size {
                let e = axis.value(at: k)
                let background = 4e7 * pow(e, -2.5)
                let edge = e > 640 ? 20 * exp(-(e - peak) * (e - peak) / 4) + 5 : 0
                data.append(Float(rng.nextPoisson(mean: background + edge)))
            }
        }
        return SpectrumImage(rows: rows, columns: columns, energy: axis, data: data, metadata: ["title": title])
    }

    func testPaperPresetGivesPaperMethodsArraysExactly() throws {
        let data = try simulatePaperDataset(seed: 5, scale: 0.07)
        for item in [data.items[0], data.items[13]] {
            let si = item.image
            let old = PaperMethod(), new = PreprocessingMethod.paper
            let (x0, x1) = (try old.inputs(si), try new.inputs(si))
            XCTAssertEqual(x0.energy, x1.energy)
            XCTAssertEqual(x0.data, x1.data, "inputs of \(item.name)")
            let (y0, y1) = (try old.targets(si), try new.targets(si))
            XCTAssertEqual(y0.energy, y1.energy)
            XCTAssertEqual(y0.data, y1.data, "targets of \(item.name)")
            XCTAssertEqual(try old.targets(si, assignment: .rowMajor).data,
                           try new.targets(si, assignment: .rowMajor).data)
        }
        let json = try JSONEncoder().encode(PaperMethod())
        XCTAssertEqual(try JSONDecoder().decode(PreprocessingMethod.self, from: json), .paper,
                       "models saved with the paper's method load with the general one")
    }

    func testAnyWindowAndDispersionBinsFromTheWindowStart() throws {
        // 0.1 eV channels from 600.05 eV; window 630-654 eV at 0.3 eV = 80 channels of 3 raw channels each.
        let axis = UniformAxis(offset: 600.05, scale: 0.1, size: 700)
        let si = Self.edgeImage(rows: 2, columns: 3, axis: axis, peak: 642, seed: 1)
        let method = try PreprocessingMethod(window: 630...654, binWidth: 0.3, background: nil, block: (1, 1))
        XCTAssertEqual(method.channels, 80)
        let x = try method.inputs(si)
        XCTAssertEqual(x.energy, UniformAxis(offset: 630, scale: 0.3, size: 80))
        let first = Int(((630 - 600.05) / 0.1).rounded())   // raw channel 300 (629.05 + ... snapped to 630.05)
        for p in [0, 5] {
            for k in [0, 41, 79] {
                let raw = (0..<3).map { si.data[p * 700 + first + 3 * k + $0] }.reduce(0, +)
                XCTAssertEqual(x.data[p * 80 + k], raw, "pixel \(p) channel \(k)")
            }
        }
        // A 1 x 1 block without background: the target is the input itself.
        XCTAssertEqual(try method.targets(si).data, x.data)
    }

    /// `inputs` bins only the window's channels in one pass; it must be `windowed(binned(si))` bit for bit, for
    /// every bin factor and wherever the window starts relative to the data's first channel.
    func testInputsInOnePassAreBinnedThenWindowedBitForBit() throws {
        for (scale, binWidth) in [(0.25, 0.25), (0.125, 0.25), (0.1, 0.3), (0.05, 0.2)] {
            for shift in [0.0, 0.02, 0.37, 1.11] {
                let axis = UniformAxis(offset: 600 + shift, scale: scale, size: Int(80 / scale))
                let si = Self.edgeImage(rows: 2, columns: 3, axis: axis, peak: 642, seed: 3)
                let method = try PreprocessingMethod(window: 630...654, binWidth: binWidth, background: nil,
                                                     block: (1, 1))
                let fused = try method.inputs(si)
                let stepwise = try method.windowed(try method.binned(si))
                XCTAssertEqual(fused.energy, stepwise.energy, "scale \(scale) shift \(shift)")
                XCTAssertEqual(fused.data, stepwise.data, "scale \(scale) shift \(shift)")
                XCTAssertEqual(fused.rows, 2)
                XCTAssertEqual(fused.columns, 3)
            }
        }
        // Data that end inside the window: the same error as the stepwise path.
        let short = Self.edgeImage(rows: 1, columns: 1, axis: UniformAxis(offset: 600, scale: 0.1, size: 450),
                                   peak: 642, seed: 4)
        let method = try PreprocessingMethod(window: 630...654, binWidth: 0.3, background: nil, block: (1, 1))
        var fusedError = "", stepwiseError = ""
        XCTAssertThrowsError(try method.inputs(short)) { fusedError = "\($0)" }
        XCTAssertThrowsError(try method.windowed(try method.binned(short))) { stepwiseError = "\($0)" }
        XCTAssertEqual(fusedError, stepwiseError)
    }

    func testTargetsAreBlockMeansMinusAPowerLaw() throws {
        let axis = UniformAxis(offset: 590, scale: 0.2, size: 500)
        let si = Self.edgeImage(rows: 4, columns: 8, axis: axis, peak: 645, seed: 2)
        let method = try PreprocessingMethod(window: 636...668, binWidth: 0.4, background: 600...634,
                                             block: (2, 4))
        let y = try method.targets(si)
        XCTAssertEqual(y.channels, 80)
        XCTAssertEqual(Array(y.data[0..<80]), Array(y.data[80..<160]), "pixels of one block share the target")
        XCTAssertNotEqual(Array(y.data[0..<80]), Array(y.data[4 * 80..<5 * 80]), "another block differs")
        // Background subtracted: the pre-edge part of the window is near zero, the edge stays.
        let mean = (0..<80).map { k in (0..<32).map { Double(y.data[$0 * 80 + k]) }.reduce(0, +) / 32 }
        XCTAssertLessThan(abs(mean[0..<10].reduce(0, +) / 10), 3, "\(mean[0..<10])")
        XCTAssertGreaterThan(mean[20...30].max()!, 20)
    }

    func testErrorsSayWhatToChange() throws {
        let axis = UniformAxis(offset: 600, scale: 0.3, size: 200)
        let si = Self.edgeImage(rows: 3, columns: 5, axis: axis, peak: 642, seed: 3)
        let quarter = try PreprocessingMethod(window: 620...650, binWidth: 0.25, background: nil, block: (1, 1))
        XCTAssertThrowsError(try quarter.inputs(si)) {
            XCTAssertTrue("\($0)".contains("dispersion is 0.3 eV/channel, which does not divide the bin width 0.25 eV"),
                          "\($0)")
        }
        let outside = try PreprocessingMethod(window: 640...700, binWidth: 0.3, background: nil, block: (1, 1))
        XCTAssertThrowsError(try outside.inputs(si)) {
            XCTAssertTrue("\($0)".contains("the data cover 600.00-660.00 eV; the window needs 640.00-700.00 eV"), "\($0)")
        }
        let big = try PreprocessingMethod(window: 620...650, binWidth: 0.3, background: nil, block: (10, 40))
        XCTAssertThrowsError(try big.targets(si)) {
            XCTAssertTrue("\($0)".contains("is 3 x 5 pixels, smaller than one 10 x 40 ground-truth block"), "\($0)")
        }
        let bg = try PreprocessingMethod(window: 620...650, binWidth: 0.3, background: 550...600, block: (1, 1))
        XCTAssertThrowsError(try bg.targets(si)) {
            XCTAssertTrue("\($0)".contains("background window 550.00-600.00 eV is outside the data"), "\($0)")
        }
        XCTAssertThrowsError(try PreprocessingMethod(window: 620...622, binWidth: 0.3, background: nil, block: (1, 1))) {
            XCTAssertTrue("\($0)".contains("the network needs at least 16"), "\($0)")
        }
    }

    func testTheArchitectureTakesAnyLengthWithoutPadding() throws {
        XCTAssertEqual(PaperArchitecture.encoderLengths(for: 240), [240, 120, 60, 30, 15, 8])
        XCTAssertEqual(PaperAutoencoder(seed: 0).parameterCount, 44_678)
        for (length, latent) in [(16, 2), (17, 3), (80, 5), (133, 8), (301, 12)] {
            let model = try PaperAutoencoder.make(seed: 1, length: length, latent: latent)
            XCTAssertEqual(model.parameterTable.last?.outputShape, [length, 1])
            let out = try model.predict(inputs: [Float](repeating: 0.5, count: 2 * length), count: 2)
            XCTAssertEqual(out.count, 2 * length)
            XCTAssertEqual(try model.latent(inputs: [Float](repeating: 0.5, count: length)).count, latent)
        }
        XCTAssertThrowsError(try PaperAutoencoder.make(length: 15, latent: 5))
        XCTAssertThrowsError(try PaperAutoencoder.make(length: 100, latent: 0))
    }

    /// Three classes of 0.25 eV Mn-like data, 4 images each.
    func threeClassDataset(seed: UInt64) -> Dataset {
        let axis = UniformAxis(offset: 590, scale: 0.25, size: 360)
        var items: [DatasetItem] = []
        for c in 0..<3 {
            for i in 0..<4 {
                let si = Self.edgeImage(rows: 4, columns: 8, axis: axis, peak: 642 + 2 * Double(c),
                                        seed: seed &+ UInt64(10 * c + i))
                items.append(DatasetItem(image: si, label: c, name: "c\(c)_\(i)"))
            }
        }
        return Dataset(items, classNames: ["A", "B", "C"])
    }

    func testThreeClassTrainingLowersTheLossAndScoresPerClass() throws {
        let data = threeClassDataset(seed: 11)
        let method = try PreprocessingMethod(window: 630...670, binWidth: 0.5, background: 600...630,
                                             block: (2, 4))
        let denoiser = try Denoiser(seed: 2, method: method, latent: 6, backend: CPUBackend(threads: 2))
        let history = try denoiser.train(on: data, epochs: 40, batchSize: 32, seed: 1, validationSplit: 0.25)
        XCTAssertEqual(history.validationLoss.count, 40)
        XCTAssertLessThan(history.loss.last!, history.loss.first!)
        let classifier = try OxidationClassifier(denoiser: denoiser, classNames: data.classNames, seed: 3)
        let h = try classifier.train(on: data, epochs: 150, batchSize: 64, seed: 4)
        XCTAssertLessThan(h.loss.last!, h.loss.first! * 0.9, "categorical cross-entropy falls: \(h.loss.first!) -> "
            + "\(h.loss.last!)")
        XCTAssertEqual(classifier.network.classCount, 3)
        let results = try data.items.map { try classifier.classify($0) }
        let matrix = try ConfusionMatrix(pooling: results)
        XCTAssertEqual(matrix.total, 12 * 32)
        XCTAssertEqual(matrix.counts.map { $0.reduce(0, +) }, [128, 128, 128])
        XCTAssertGreaterThan(matrix.accuracy, 0.5, "\(matrix.counts)")
        var unlabelled = data
        unlabelled.items[4].label = nil
        unlabelled.items[5].label = nil
        unlabelled.items[6].label = nil
        unlabelled.items[7].label = nil
        XCTAssertThrowsError(try OxidationClassifier(denoiser: denoiser, classNames: data.classNames)
            .train(on: unlabelled, epochs: 1)) {
            XCTAssertTrue("\($0)".contains("class 'B' has no labelled pixel"), "\($0)")
        }
        var outOfRange = data
        outOfRange.items[0].label = 5
        XCTAssertThrowsError(try classifier.train(on: outOfRange, epochs: 1)) {
            XCTAssertTrue("\($0)".contains("has class label 5; the classifier has 3 classes"), "\($0)")
        }
    }

    func testSavedModelsApplyTheirOwnPreprocessing() throws {
        let data = threeClassDataset(seed: 21)
        let method = try PreprocessingMethod(window: 632...664, binWidth: 0.5, background: nil, block: (2, 2))
        let denoiser = try Denoiser(seed: 5, method: method, latent: 4)
        try denoiser.train(on: data, epochs: 2, batchSize: 64, seed: 1)
        let classifier = try OxidationClassifier(denoiser: denoiser, classNames: data.classNames, seed: 1)
        try classifier.train(on: data, epochs: 5, batchSize: 64)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try denoiser.save(to: folder.appendingPathComponent("ae.safetensors"))
        try classifier.save(to: folder.appendingPathComponent("clf.safetensors"))
        let ae = try Denoiser.load(from: folder.appendingPathComponent("ae.safetensors"))
        let clf = try OxidationClassifier.load(from: folder.appendingPathComponent("clf.safetensors"))
        XCTAssertEqual(ae.method, method)
        XCTAssertEqual(clf.method, method)
        XCTAssertEqual(clf.classNames, ["A", "B", "C"])
        XCTAssertEqual(ae.autoencoder.latentSize, 4)
        // New data of another dispersion (0.125 eV) and offset: the loaded models bin and window it themselves.
        let fine = Self.edgeImage(rows: 3, columns: 4, axis: UniformAxis(offset: 600, scale: 0.125, size: 600),
                                  peak: 644, seed: 99)
        XCTAssertEqual(try ae.denoise(fine).data, try denoiser.denoise(fine).data)
        XCTAssertEqual(try ae.denoise(fine).energy, method.axis)
        XCTAssertEqual(try clf.classify(fine).probabilities, try classifier.classify(fine).probabilities)
        // Data of another edge are refused with the window they would need.
        let oxygen = Self.edgeImage(rows: 2, columns: 2, axis: UniformAxis(offset: 440, scale: 0.25, size: 560),
                                    peak: 530, seed: 1)
        XCTAssertThrowsError(try ae.denoise(oxygen)) {
            XCTAssertTrue("\($0)".contains("the data cover 440.00-580.00 eV; the window needs 632.00-664.00 eV"),
                          "\($0)")
        }
    }

    func testDarkReferenceAndDriftCorrectionTravelWithTheMethod() throws {
        let axis = UniformAxis(offset: 590, scale: 0.2, size: 400)
        let clean = Self.edgeImage(rows: 4, columns: 10, axis: axis, peak: 644, seed: 8)
        // Drift: 0 to 1.2 eV along the scan; a dark level of 7 counts on every channel.
        let applied = (0..<40).map { 1.2 * Double($0) / 39 }
        var drifted = clean.shifted(by: applied.map { -$0 })
        drifted.data = drifted.data.map { $0 + 7 }
        var method = try PreprocessingMethod(window: 632...664, binWidth: 0.4, background: 600...630, block: (2, 5))
        method.darkReference = Spectrum(values: [Float](repeating: 7, count: 400), energy: axis)
        method.drift = .onset(window: 636...650, background: 600...630, fraction: 0.5, target: nil)
        let corrected = try method.corrected(drifted)
        let shifts = try XCTUnwrap(corrected.shifts).data.map(Double.init)
        let measured = shifts.last! - shifts.first!
        XCTAssertEqual(measured, 1.2, accuracy: 0.5, "the drift map follows the applied drift: \(shifts)")
        let spread = zip(shifts, applied).map { $0 - $1 }
        let mean = spread.reduce(0, +) / 40
        XCTAssertLessThan(spread.map { abs($0 - mean) }.max()!, 0.6, "per-pixel shifts up to a constant")
        // Saved and loaded, the method applies the same corrections.
        let json = try JSONEncoder().encode(method)
        let back = try JSONDecoder().decode(PreprocessingMethod.self, from: json)
        XCTAssertEqual(back, method)
        XCTAssertEqual(try back.inputs(drifted).data, try method.inputs(drifted).data)
        XCTAssertNotEqual(try PreprocessingMethod(window: 632...664, binWidth: 0.4, background: 600...630,
                                                  block: (2, 5)).inputs(drifted).data,
                          try method.inputs(drifted).data, "the corrections change the inputs")
        var wrongDark = method
        wrongDark.darkReference = Spectrum(values: [1, 2, 3], energy: UniformAxis(offset: 0, scale: 1, size: 3))
        XCTAssertThrowsError(try wrongDark.inputs(drifted)) {
            XCTAssertTrue("\($0)".contains("dark reference has 3 channels; the data have 400"), "\($0)")
        }
    }
}

import EELS
import Foundation

/// What one frame (or one row block of a growing file) became: per-pixel classes and probabilities, the mean
/// denoised spectrum, and per-class sums of denoised spectra (for running class references).
public struct LiveFrameResult: Sendable {
    public var rows: Int
    public var columns: Int
    /// Most probable class per pixel, row-major (empty without a classifier).
    public var labels: [UInt8]
    /// [pixels x classes] softmax probabilities (empty without a classifier).
    public var probabilities: [Float]
    /// Mean denoised spectrum over the frame's denoised pixels on the method's axis (empty without a denoiser).
    public var meanDenoised: [Float]
    /// Per class: the sum of the denoised spectra of the denoised pixels classified into it.
    public var classSums: [[Double]]
    /// Per class: how many of the frame's pixels were classified into it (all pixels; the fractions).
    public var classCounts: [Int]
    /// Per class: how many denoised pixels `classSums` adds up (the sample's class counts; `classCounts` when every
    /// pixel was denoised).
    public var denoisedClassCounts: [Int] = []
    /// How many pixels were denoised (0 without a denoiser).
    public var denoisedPixels = 0

    /// The fraction of pixels in each class.
    public var fractions: [Double] {
        let total = classCounts.reduce(0, +)
        return classCounts.map { total == 0 ? 0 : Double($0) / Double(total) }
    }
}

/// The per-frame work of live mode: the model's own preprocessing, classification of every pixel, and denoising
/// of every pixel or of an evenly spread sample of them (`denoisedPerFrame`). Takes a trained denoiser, a trained
/// classifier, or both (then their preprocessing must agree).
///
/// What the live display shows of the denoised data is the frame's mean spectrum and each class's mean: with
/// `denoisedPerFrame: 1024` these are means over 1,024 pixels spread over the frame instead of all 6,380, and the
/// decoder (three quarters of the network's arithmetic) runs on a sixth of the pixels. Classes, probabilities and
/// fractions always cover every pixel.
///
///     let pipeline = try LivePipeline(denoiser: denoiser, classifier: classifier, denoisedPerFrame: 1024)
///     let result = try pipeline.process(try load("frame_00001.dm4").spectrumImage!)
///     result.fractions      // [0.82, 0.18]
public final class LivePipeline {
    public let denoiser: Denoiser?
    public let classifier: OxidationClassifier?
    public let method: PreprocessingMethod
    /// The classifier's class names (empty without one).
    public let classNames: [String]
    /// Whether the denoiser and the classifier share the scaler, so the scaled inputs are computed once.
    private let sharedScaler: Bool
    /// Whether the classifier's encoder is the denoiser's (a classifier trained on this denoiser): then the latent
    /// vectors are computed once and fed to both the decoder and the head.
    public let sharedEncoder: Bool
    /// How many pixels of each frame (or row block) are denoised, evenly spread; nil: every pixel.
    public let denoisedPerFrame: Int?

    /// - Parameter denoisedPerFrame: pixels denoised per frame (nil: all); at least 1.
    /// - Throws: `RapidEELSError.value` without any model, `.model` for an untrained denoiser or models whose
    ///   preprocessing differs.
    public init(denoiser: Denoiser?, classifier: OxidationClassifier?, denoisedPerFrame: Int? = nil) throws {
        if let m = denoisedPerFrame, m < 1 {
            throw RapidEELSError.value("the number of pixels denoised per frame must be at least 1, not \(m)")
        }
        self.denoisedPerFrame = denoisedPerFrame
        guard denoiser != nil || classifier != nil else {
            throw RapidEELSError.value("live mode needs a trained denoiser, a classifier, or both")
        }
        if let denoiser, !denoiser.isTrained {
            throw RapidEELSError.model("the denoiser is not trained yet: train it (or load a saved one) first")
        }
        if let denoiser, let classifier, denoiser.method != classifier.method {
            throw RapidEELSError.model("the denoiser's preprocessing (\(denoiser.method.summary)) is not the "
                + "classifier's (\(classifier.method.summary)); use models trained together")
        }
        self.denoiser = denoiser
        self.classifier = classifier
        method = classifier?.method ?? denoiser!.method
        classNames = classifier?.classNames ?? []
        sharedScaler = denoiser != nil && classifier != nil && denoiser!.scaler == classifier!.scaler
        sharedEncoder = sharedScaler && Self.sameEncoder(denoiser!, classifier!)
    }

    /// Whether both encoders give bit-identical latent vectors on a probe batch.
    private static func sameEncoder(_ denoiser: Denoiser, _ classifier: OxidationClassifier) -> Bool {
        let length = denoiser.autoencoder.inputLength
        guard classifier.network.inputLength == length,
              classifier.network.latentSize == denoiser.autoencoder.latentSize else { return false }
        let probe = (0..<(8 * length)).map { Float(sin(Double($0) * 0.37)) * 2 }
        guard let a = try? denoiser.autoencoder.latent(inputs: probe, count: 8),
              let b = try? classifier.network.latent(inputs: probe, count: 8) else { return false }
        return a == b
    }

    /// The pixels denoised out of `n`: all of them, or `denoisedPerFrame` evenly spread (pixel i * n / m).
    public func denoisedPixels(of n: Int) -> [Int]? {
        guard let m = denoisedPerFrame, m < n else { return nil }
        return (0..<m).map { $0 * n / m }
    }

    /// The rows `pixels` of a [count x width] array.
    private static func rows(_ pixels: [Int], of data: [Float], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: pixels.count * width)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (i, p) in pixels.enumerated() {
                    (dst.baseAddress! + i * width).update(from: src.baseAddress! + p * width, count: width)
                }
            }
        }
        return out
    }

    /// A frame brought onto the model's axis: its network inputs, and the classifier's scaled inputs. The part of
    /// the work that needs no network, so the watch can prepare the next frame while the networks run on this one.
    public struct PreparedFrame: Sendable {
        public var rows: Int
        public var columns: Int
        /// [pixels x method.channels] network inputs before scaling.
        public var inputs: [Float]
        /// The classifier's scaled inputs (nil without a classifier).
        public var classifierInputs: [Float]?
        public var pixelCount: Int { rows * columns }
    }

    /// The preprocessing of `si` (no network).
    /// - Throws: `RapidEELSError.incompatible` for data the method cannot prepare (another edge, window or a
    ///   dispersion that does not divide its bin width).
    public func prepare(_ si: SpectrumImage) throws -> PreparedFrame {
        let inputs = try method.inputs(si).data   // reads only the window's channels
        return PreparedFrame(rows: si.rows, columns: si.columns, inputs: inputs,
                             classifierInputs: try classifier.map { try $0.scaler.transform(spectra: inputs) })
    }

    /// A DigitalMicrograph frame prepared straight from the file: the window's channels binned from the file's
    /// channel-major data (`DMImage.binnedChannelsLast`), the same numbers as `prepare(load(path))` without an
    /// image of the raw channels. Nil when that does not apply (not a 3D spectrum image, a correction that needs
    /// the whole spectrum, data that do not cover the window): then load the file and call `prepare(_:)`, which
    /// says what is wrong.
    /// - Throws: `RapidEELSError.incompatible` for a dispersion that does not divide the bin width.
    public func prepare(_ file: DMFile) throws -> PreparedFrame? {
        guard case .none = method.drift, method.darkReference == nil, let image = file.images.first,
              image.dimensions.count == 3, image.axes.count == 3,
              let (first, factor) = try method.inputChannels(on: image.axes[0]) else { return nil }
        let inputs = try image.binnedChannelsLast(in: file.tree.bytes, first: first, factor: factor,
                                                  bins: method.channels)
        return PreparedFrame(rows: image.axes[1].size, columns: image.axes[2].size, inputs: inputs,
                             classifierInputs: try classifier.map { try $0.scaler.transform(spectra: inputs) })
    }

    /// Classifies every pixel of `si` and denoises all of them or the `denoisedPerFrame` sample.
    /// - Throws: as `prepare(_:)`.
    public func process(_ si: SpectrumImage) throws -> LiveFrameResult { try process(prepare(si)) }

    /// Classifies every pixel of a prepared frame and denoises all of them or the `denoisedPerFrame` sample.
    public func process(_ frame: PreparedFrame) throws -> LiveFrameResult {
        let n = frame.pixelCount
        let inputs = frame.inputs
        let channels = method.channels
        let sample = denoisedPixels(of: n)
        let m = sample?.count ?? n
        var labels: [UInt8] = [], probabilities: [Float] = []
        let k = max(classNames.count, 1)
        var scaled: [Float]?
        var denoised: [Float]?
        if let classifier, let x = frame.classifierInputs {
            if sharedScaler { scaled = x }
            if sharedEncoder, let denoiser {
                let z = try denoiser.autoencoder.latent(inputs: x, count: n)
                let head = classifier.network
                probabilities = try head.network.predict(z, count: n, layers: head.headIndex..<head.network.layers.count)
                let width = z.count / max(n, 1)
                denoised = try denoiser.autoencoder.decode(latent: sample.map { Self.rows($0, of: z, width: width) } ?? z,
                                                           count: m)
            } else {
                probabilities = try classifier.network.probabilities(inputs: x, count: n)
            }
            labels = [UInt8](repeating: 0, count: n)
            probabilities.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    var best = 0
                    for c in 1..<k where p[i * k + c] > p[i * k + best] { best = c }
                    labels[i] = UInt8(best)
                }
            }
        }
        var counts = [Int](repeating: 0, count: k)
        for l in labels { counts[Int(l)] += 1 }
        if labels.isEmpty { counts[0] = n }
        var mean: [Float] = []
        var sums = [[Double]](repeating: [], count: k)
        var denoisedCounts = [Int](repeating: 0, count: k)
        if let denoiser, let scaler = denoiser.scaler {
            let y: [Float]
            if let denoised {
                y = denoised
            } else if let scaled {
                y = try denoiser.autoencoder.predict(inputs: sample.map { Self.rows($0, of: scaled, width: channels) }
                                                         ?? scaled, count: m)
            } else {
                let x = sample.map { Self.rows($0, of: inputs, width: channels) } ?? inputs
                y = try denoiser.autoencoder.predict(inputs: scaler.transform(spectra: x), count: m)
            }
            sums = [[Double]](repeating: [Double](repeating: 0, count: channels), count: k)
            y.withUnsafeBufferPointer { y in
                for i in 0..<m {
                    let p = sample?[i] ?? i
                    let c = labels.isEmpty ? 0 : Int(labels[p])
                    denoisedCounts[c] += 1
                    let base = i * channels
                    sums[c].withUnsafeMutableBufferPointer { s in
                        for j in 0..<channels { s[j] += Double(y[base + j]) }
                    }
                }
            }
            mean = (0..<channels).map { j in Float(sums.reduce(0) { $0 + ($1.isEmpty ? 0 : $1[j]) } / Double(max(m, 1))) }
        }
        var result = LiveFrameResult(rows: frame.rows, columns: frame.columns, labels: labels, probabilities: probabilities,
                                     meanDenoised: mean, classSums: sums, classCounts: counts)
        result.denoisedClassCounts = denoiser == nil ? [] : denoisedCounts
        result.denoisedPixels = denoiser == nil ? 0 : m
        return result
    }
}

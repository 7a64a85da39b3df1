import Foundation

/// Options of the simulated Mn L2,3 experiment (`simulateMnExperiment`, `writeMnExperiment`).
///
///     var options = MnExperimentOptions()
///     options.axis = UniformAxis(offset: 600, scale: 0.1, size: 1000)   // 0.1 eV/channel
///     options.darkLevel = 3                                            // add a dark signal + dark_reference.dm4
public struct MnExperimentOptions: Sendable, Equatable {
    /// The detector's energy axis: 590-692.2 eV at 0.2 eV/channel by default (512 channels).
    public var axis: UniformAxis = MnValence.defaultAxis
    public var physics: CoreLossPhysics = .manganeseOxide
    /// The L3 continuum step, counts per eV per pixel at t/λ = 0.5 (sets the dose; see `MnValence.template`).
    public var stepHeight: Double = 20
    /// Dwell per pixel in 400 FPS frames (2.5 ms each): multiplies every count (edge and background), so 4 is
    /// 100 FPS and 16 is 25 FPS. The files' `Exposure (s)` tag is 0.0025 x dose.
    public var dose: Double = 1
    /// SIs per class; half thin, half thick (the odd one thin). 4 gives 12 files.
    public var filesPerClass: Int = 4
    /// t/λ ranges of the two thickness categories (a wedge along each SI's columns) [A].
    public var thinRange: ClosedRange<Double> = 0.3...0.5
    public var thickRange: ClosedRange<Double> = 0.7...1.0
    /// Largest energy drift across one SI, eV; each SI draws |drift| in [0.5, 1] x this, with a random sign [A]
    /// (the paper's 1.5 eV across its scan [P]).
    public var maximumDrift: Double = 1.5
    /// SI-to-SI energy offset of the first pixel, ± eV (calibration between acquisitions) [A].
    public var offsetSpread: Double = 0.3
    /// Pixel size of both spatial axes, nm.
    public var pixelSize: Double = 2
    /// Mean dark signal per channel, counts (0 = none). When > 0 every SI gets the same fixed per-channel dark
    /// pattern added and the folder gets `dark_reference.dm4` (a spectrum) to subtract.
    public var darkLevel: Double = 0
    /// Base SI sizes (rows, columns) used in turn; `scale` multiplies the columns.
    public var sizes: [(rows: Int, columns: Int)] = [(10, 24), (12, 20), (16, 16), (8, 30)]
    /// DM file version written.
    public var version: Int = 4

    public init() {}

    public static func == (a: MnExperimentOptions, b: MnExperimentOptions) -> Bool {
        a.axis == b.axis && a.physics == b.physics && a.stepHeight == b.stepHeight
            && a.filesPerClass == b.filesPerClass && a.thinRange == b.thinRange && a.thickRange == b.thickRange
            && a.maximumDrift == b.maximumDrift && a.offsetSpread == b.offsetSpread && a.pixelSize == b.pixelSize
            && a.darkLevel == b.darkLevel && a.version == b.version && a.dose == b.dose
            && a.sizes.map { [$0.rows, $0.columns] } == b.sizes.map { [$0.rows, $0.columns] }
    }

    func validate(scale: Double) throws {
        guard scale > 0, scale <= 20 else { throw EELSError.value("Mn experiment: scale \(scale) must be in (0, 20]") }
        guard filesPerClass >= 1, filesPerClass <= 100 else {
            throw EELSError.value("Mn experiment: filesPerClass \(filesPerClass) must be 1-100")
        }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0.rows > 0 && $0.columns > 0 }) else {
            throw EELSError.value("Mn experiment: sizes must be a non-empty list of positive (rows, columns)")
        }
        guard maximumDrift >= 0, maximumDrift <= 20, offsetSpread >= 0, offsetSpread <= 20 else {
            throw EELSError.value("Mn experiment: maximumDrift \(maximumDrift) and offsetSpread \(offsetSpread) eV "
                + "must be in 0-20 eV")
        }
        guard dose > 0, dose <= 10_000 else {
            throw EELSError.value("Mn experiment: dose \(dose) frames per pixel must be in (0, 10000]")
        }
        guard darkLevel >= 0, darkLevel.isFinite else {
            throw EELSError.value("Mn experiment: darkLevel \(darkLevel) must be >= 0")
        }
        try DMWriter.checkVersion(version)
    }

    /// The fixed per-channel dark pattern of `darkLevel` (a smooth ±10 % ripple, as a CCD/CMOS read-out) [A].
    public var darkPattern: [Float] {
        (0..<axis.size).map { k in
            Float(darkLevel * (1 + 0.08 * sin(2 * Double.pi * Double(k) / 37) + 0.04 * cos(2 * Double.pi * Double(k) / 11)))
        }
    }
}

/// The ground truth of one simulated file, as written to truth.json / truth.csv.
public struct MnExperimentFile: Sendable, Equatable, Codable {
    /// The file name, e.g. "mn3_02.dm4": the prefix carries the class.
    public var file: String
    /// "Mn2+", "Mn3+" or "Mn4+", and its class index 0 / 1 / 2.
    public var valence: String
    public var classIndex: Int
    /// "thin" or "thick".
    public var thicknessClass: String
    /// t/λ at the first and last column (linear along the columns).
    public var thicknessStart: Double
    public var thicknessEnd: Double
    /// Energy drift of the first and last pixel in scan order, eV (linear in scan order in between).
    public var driftStart: Double
    public var driftEnd: Double
    public var rows: Int
    public var columns: Int
    /// The shot-noise seed of this SI.
    public var seed: UInt64
}

/// The whole experiment's truth: files, axis, drift model.
public struct MnExperimentTruth: Sendable, Equatable, Codable {
    public var classes: [String] = MnValence.allCases.map(\.label)
    public var files: [MnExperimentFile]
    public var energyOffset: Double
    public var energyScale: Double
    public var channels: Int
    public var pixelSize: Double
    /// How the per-pixel drift follows from driftStart/driftEnd.
    public var driftModel = "drift(r, c) = driftStart + (driftEnd - driftStart) * (r * columns + c) / (rows * columns - 1) eV"
    /// "dark_reference.dm4" when a dark signal was added, else nil.
    public var darkReference: String?
    public var seed: UInt64
    public var scale: Double
}

/// One simulated SI of the experiment with its truth.
public struct MnExperimentItem: Sendable {
    public var truth: MnExperimentFile
    public var simulated: SimulatedCoreLossImage
    public var valence: MnValence { MnValence(rawValue: truth.classIndex + 2)! }
}

/// A simulated Mn L2,3 experiment in memory.
///
///     let experiment = try simulateMnExperiment(seed: 1)
///     experiment.items.count            // 12
///     experiment.items[0].truth.file    // "mn2_01.dm4"
public struct MnExperiment: Sendable {
    public var items: [MnExperimentItem]
    public var truth: MnExperimentTruth
    public var options: MnExperimentOptions
    /// The dark reference spectrum (nil when `options.darkLevel` is 0).
    public var darkReference: Spectrum?
}

/// Simulates the Mn2+ / Mn3+ / Mn4+ experiment: `filesPerClass` SIs per class (thin and thick), SI sizes taken in
/// turn from `options.sizes` (columns x `scale`), a thickness wedge, a per-pixel energy drift linear in scan order
/// up to `maximumDrift`, a per-SI energy offset, Poisson noise at a 400 FPS dose. Deterministic for a seed.
/// - Throws: `EELSError.value` for options out of range.
public func simulateMnExperiment(seed: UInt64 = 0, scale: Double = 1,
                                 options: MnExperimentOptions = MnExperimentOptions()) throws -> MnExperiment {
    try options.validate(scale: scale)
    var physics = options.physics
    physics.backgroundCountsPerEV *= options.dose
    let simulator = try CoreLossSimulator.manganese(physics: physics, axis: options.axis,
                                                    stepHeight: options.stepHeight * options.dose)
    let dark = options.darkLevel > 0 ? options.darkPattern : nil
    var specs: [(CoreLossImageSpec, MnExperimentFile)] = []
    for valence in MnValence.allCases {
        for n in 0..<options.filesPerClass {
            let index = specs.count
            var rng = SeededGenerator(seed: mixSeed(seed, 7_000 + UInt64(index)))
            let thick = n >= (options.filesPerClass + 1) / 2
            let range = thick ? options.thickRange : options.thinRange
            // A wedge inside the category's range: one end in each half, in random order.
            let middle = (range.lowerBound + range.upperBound) / 2
            var ends = (rng.uniform(range.lowerBound, middle), rng.uniform(middle, range.upperBound))
            if rng.nextUniform() < 0.5 { ends = (ends.1, ends.0) }
            let size = options.sizes[(index + valence.classIndex) % options.sizes.count]
            var spec = CoreLossImageSpec(classIndex: valence.classIndex, classCount: 3,
                                         thickness: ends.0...ends.0, seed: mixSeed(seed, 9_000 + UInt64(index)))
            spec.thicknessEnd = ends.1
            spec.rows = size.rows
            spec.columns = Swift.max(4, Int((Double(size.columns) * scale).rounded()))
            spec.pixelSize = options.pixelSize
            spec.driftStart = options.offsetSpread * rng.uniform(-1, 1)
            spec.driftAcrossScan = (rng.nextUniform() < 0.5 ? -1 : 1) * options.maximumDrift * rng.uniform(0.5, 1)
            spec.dark = dark
            let name = valence.filePrefix + String(format: "_%02d.dm4", n + 1)
            specs.append((spec, MnExperimentFile(
                file: name, valence: valence.label, classIndex: valence.classIndex,
                thicknessClass: thick ? "thick" : "thin", thicknessStart: spec.thicknessStart,
                thicknessEnd: spec.thicknessEnd, driftStart: spec.driftStart,
                driftEnd: spec.driftStart + spec.driftAcrossScan, rows: spec.rows, columns: spec.columns,
                seed: spec.seed)))
        }
    }
    var results = [Result<SimulatedCoreLossImage, Error>?](repeating: nil, count: specs.count)
    let lock = NSLock()
    let planned = specs
    DispatchQueue.concurrentPerform(iterations: planned.count) { i in
        let result = Result { try simulateCoreLossImage(planned[i].0, with: simulator) }
        lock.lock()
        results[i] = result
        lock.unlock()
    }
    let items = try specs.indices.map { i -> MnExperimentItem in
        var simulated = try results[i]!.get()
        let truth = specs[i].1
        simulated.image.metadata["title"] = String(truth.file.dropLast(4))
        simulated.image.metadata["class"] = truth.valence
        return MnExperimentItem(truth: truth, simulated: simulated)
    }
    let truth = MnExperimentTruth(files: items.map(\.truth), energyOffset: options.axis.offset,
                                  energyScale: options.axis.scale, channels: options.axis.size,
                                  pixelSize: options.pixelSize, darkReference: dark == nil ? nil : "dark_reference.dm4",
                                  seed: seed, scale: scale)
    let darkSpectrum = dark.map { Spectrum(values: $0, energy: options.axis, metadata: ["title": "dark reference"]) }
    return MnExperiment(items: items, truth: truth, options: options, darkReference: darkSpectrum)
}

/// Simulates the Mn experiment and writes it to `folder` (created if needed) the way an acquisition session
/// would leave it: one DM4 spectrum image per SI named by its class (`mn2_01.dm4` ... `mn4_04.dm4`), calibrated
/// energy (eV) and spatial (nm) axes, EELS acquisition tags; `dark_reference.dm4` when `darkLevel` > 0; and the
/// truth as `truth.json` (`MnExperimentTruth`) and `truth.csv` (one line per file). At the default options and
/// scale: 12 SIs of about 250 pixels x 512 channels, about 6 MB.
///
///     let truth = try writeMnExperiment(to: "/tmp/mn", seed: 1)
///     let si = try load("/tmp/mn/" + truth.files[0].file).spectrumImage!
///
/// - Returns: the truth that was written.
/// - Throws: `EELSError.value` for options out of range, `EELSError.file` when the folder cannot be written.
@discardableResult
public func writeMnExperiment(to folder: String, seed: UInt64 = 0, scale: Double = 1,
                              options: MnExperimentOptions = MnExperimentOptions()) throws -> MnExperimentTruth {
    let experiment = try simulateMnExperiment(seed: seed, scale: scale, options: options)
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        throw EELSError.file(path: folder, detail: "cannot create the experiment folder: \(error.localizedDescription)")
    }
    let base = URL(fileURLWithPath: folder)
    for item in experiment.items {
        var tags = DMAcquisitionTags()
        tags.exposure = 0.0025 * options.dose
        tags.extra = ["Simulated class": item.truth.valence,
                      "Simulated thickness (t/lambda)": String(format: "%.3f-%.3f", item.truth.thicknessStart,
                                                               item.truth.thicknessEnd),
                      "Simulated drift (eV)": String(format: "%.3f to %.3f", item.truth.driftStart, item.truth.driftEnd)]
        try DMWriter.write(item.simulated.image, to: base.appendingPathComponent(item.truth.file).path,
                           version: options.version, title: String(item.truth.file.dropLast(4)), tags: tags)
    }
    if let dark = experiment.darkReference {
        try DMWriter.write(dark, to: base.appendingPathComponent("dark_reference.dm4").path, version: options.version,
                           title: "dark reference")
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    var csv = "file,valence,class_index,thickness_class,thickness_start,thickness_end,drift_start_eV,drift_end_eV,"
        + "rows,columns\n"
    for f in experiment.truth.files {
        csv += "\(f.file),\(f.valence),\(f.classIndex),\(f.thicknessClass),"
            + String(format: "%.4f,%.4f,%.4f,%.4f", f.thicknessStart, f.thicknessEnd, f.driftStart, f.driftEnd)
            + ",\(f.rows),\(f.columns)\n"
    }
    do {
        try encoder.encode(experiment.truth).write(to: base.appendingPathComponent("truth.json"), options: .atomic)
        try Data(csv.utf8).write(to: base.appendingPathComponent("truth.csv"), options: .atomic)
    } catch {
        throw EELSError.file(path: folder, detail: "cannot write the truth files: \(error.localizedDescription)")
    }
    return experiment.truth
}

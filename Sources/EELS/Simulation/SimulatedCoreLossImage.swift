import Foundation

/// What to simulate for one core-loss spectrum image of a k-class experiment: geometry and pixel size, the class
/// mixture, a thickness wedge along the columns, the energy drift per pixel, an optional dark signal, and the seed.
///
/// Drift: pixel (r, c) is acquired at scan index p = r x columns + c, and its spectrum is moved up by
/// `driftStart + driftAcrossScan x p / (pixels - 1) + descanAcrossColumns x c / (columns - 1)` eV: a spectrometer /
/// high-tension drift linear in acquisition time plus an optional descan shift along x (the paper's 1.5 eV).
///
///     var spec = CoreLossImageSpec(classIndex: 1, classCount: 3, thickness: 0.3...0.5, seed: 7)
///     spec.rows = 16; spec.columns = 24
///     spec.driftAcrossScan = 1.2
///     let sim = try simulateCoreLossImage(spec, with: simulator)
public struct CoreLossImageSpec: Sendable, Equatable {
    public var rows: Int = 16
    public var columns: Int = 16
    /// Weight of each class (normalised when simulated); a pure class is a one-hot vector.
    public var classWeights: [Double]
    /// t/λ at the first and last column (linear wedge).
    public var thicknessStart: Double
    public var thicknessEnd: Double
    /// Energy drift of the first pixel, and its growth over the whole scan (time order), eV.
    public var driftStart: Double = 0
    public var driftAcrossScan: Double = 0
    /// Extra shift growing linearly along the columns, eV (descan).
    public var descanAcrossColumns: Double = 0
    /// Pixel size, nm (both spatial axes).
    public var pixelSize: Double = 1
    /// A per-channel dark signal added to every pixel's counts after the noise (nil: none), counts per channel.
    public var dark: [Float]?
    /// Seed of the shot noise.
    public var seed: UInt64

    /// A spec of the pure class `classIndex` of `classCount`, thickness running over `thickness` along the columns.
    public init(classIndex: Int, classCount: Int, thickness: ClosedRange<Double>, seed: UInt64) {
        classWeights = (0..<Swift.max(classCount, 1)).map { $0 == classIndex ? 1 : 0 }
        thicknessStart = thickness.lowerBound
        thicknessEnd = thickness.upperBound
        self.seed = seed
    }

    /// The drift of pixel (row, column), eV.
    public func drift(row: Int, column: Int) -> Double {
        let pixels = rows * columns
        let time = pixels > 1 ? Double(row * columns + column) / Double(pixels - 1) : 0
        let along = columns > 1 ? Double(column) / Double(columns - 1) : 0
        return driftStart + driftAcrossScan * time + descanAcrossColumns * along
    }

    /// t/λ at `column`.
    public func thickness(column: Int) -> Double {
        columns > 1 ? thicknessStart + (thicknessEnd - thicknessStart) * Double(column) / Double(columns - 1)
            : thicknessStart
    }

    func validate(classCount: Int, channels: Int) throws {
        guard rows > 0, columns > 0, rows * columns <= 10_000_000 else {
            throw EELSError.value("CoreLossImageSpec: \(rows) x \(columns) pixels; need 1 to 10 million")
        }
        guard classWeights.count == classCount else {
            throw EELSError.value("CoreLossImageSpec: \(classWeights.count) class weights for a simulator of "
                + "\(classCount) classes; give one weight per class")
        }
        guard classWeights.allSatisfy({ $0 >= 0 && $0.isFinite }), classWeights.reduce(0, +) > 0 else {
            throw EELSError.value("CoreLossImageSpec: class weights \(classWeights) must be >= 0 with a positive sum")
        }
        try OKEdgeSimulator.checkThickness(thicknessStart)
        try OKEdgeSimulator.checkThickness(thicknessEnd)
        for (r, c) in [(0, 0), (rows - 1, columns - 1), (rows - 1, 0), (0, columns - 1)] {
            try OKEdgeSimulator.checkShift(drift(row: r, column: c))
        }
        guard pixelSize > 0, pixelSize.isFinite else {
            throw EELSError.value("CoreLossImageSpec: pixelSize \(pixelSize) nm must be > 0")
        }
        if let dark, dark.count != channels {
            throw EELSError.shape("CoreLossImageSpec: the dark signal has \(dark.count) channels; the simulator's "
                + "axis has \(channels)")
        }
    }
}

/// A simulated core-loss SI with its per-pixel ground truth.
///
///     let sim = try simulateCoreLossImage(spec, with: simulator)
///     sim.drift[0]             // eV, pixel (0, 0)
///     sim.expectedSpectrum(row: 2, column: 3)   // noise-free counts
public struct SimulatedCoreLossImage: Sendable {
    /// Counts per channel, rows x columns x channels, with calibrated spatial axes (nm).
    public var image: SpectrumImage
    public var spec: CoreLossImageSpec
    /// t/λ per pixel, row-major (rows x columns).
    public var thickness: [Double]
    /// Energy drift per pixel, eV, row-major (rows x columns): the truth that drift alignment should recover.
    public var drift: [Double]
    /// The noise-free expected counts (without the dark signal), same layout as `image.data`.
    public var expected: [Float]

    /// The drift map as an image (rows x columns, eV).
    public var driftMap: Image2D {
        Image2D(rows: image.rows, columns: image.columns, data: drift.map(Float.init), rowAxis: image.rowAxis,
                columnAxis: image.columnAxis, metadata: ["quantity": "energy drift", "units": "eV"])
    }

    /// The noise-free spectrum of one pixel.
    public func expectedSpectrum(row: Int, column: Int) -> Spectrum {
        let start = (row * image.columns + column) * image.channels
        return Spectrum(values: Array(expected[start..<start + image.channels]), energy: image.energy)
    }

    /// The noise-free SI (same axes and metadata as `image`).
    public var expectedImage: SpectrumImage { image.withData(expected, energy: image.energy) }
}

/// Grid spectra of every needed class at thickness levels 0.02 MFP apart, interpolated linearly in τ.
struct CoreLossThicknessTable {
    let range: ClosedRange<Double>
    let count: Int
    let levels: [[[Double]]?]  // [class][level][grid]

    init(simulator: CoreLossSimulator, range: ClosedRange<Double>, classes: [Bool]) {
        self.range = range
        let width = range.upperBound - range.lowerBound
        count = width < 1e-9 ? 1 : Swift.max(2, Int((width / 0.02).rounded(.up)) + 1)
        let taus = (0..<count).map { [count] in
            count == 1 ? range.lowerBound : range.lowerBound + width * Double($0) / Double(count - 1)
        }
        levels = classes.indices.map { k in
            guard classes[k] else { return nil }
            return taus.map { tau in
                let parts = simulator.gridComponents(classIndex: k, thickness: tau)
                return zip(parts.edge, parts.background).map { $0 + $1 }
            }
        }
    }

    func accumulate(classIndex k: Int, thickness tau: Double, weight: Double, into sum: inout [Double]) {
        guard weight != 0, let table = levels[k] else { return }
        let width = range.upperBound - range.lowerBound
        let position = count == 1 ? 0 : (tau - range.lowerBound) / width * Double(count - 1)
        let lower = Swift.min(Swift.max(Int(position), 0), Swift.max(count - 2, 0))
        let w = count == 1 ? 0 : Swift.min(Swift.max(position - Double(lower), 0), 1)
        let a = table[lower], b = table[Swift.min(lower + 1, count - 1)]
        for i in sum.indices { sum[i] += weight * (a[i] * (1 - w) + b[i] * w) }
    }
}

/// Simulates one spectrum image: per column the expected grid spectrum (class mixture at the column's thickness),
/// per pixel moved by its drift and resampled onto the simulator's axis, then independent Poisson counts
/// (`SeededGenerator`, so the same seed gives the same SI everywhere), plus read noise and the dark signal.
/// - Throws: `EELSError.value` / `.shape` for a spec that does not fit the simulator.
public func simulateCoreLossImage(_ spec: CoreLossImageSpec, with simulator: CoreLossSimulator) throws
    -> SimulatedCoreLossImage {
    let channels = simulator.outputAxis.size
    try spec.validate(classCount: simulator.classCount, channels: channels)
    let total = spec.classWeights.reduce(0, +)
    let weights = spec.classWeights.map { $0 / total }
    let lowTau = Swift.min(spec.thicknessStart, spec.thicknessEnd)
    let highTau = Swift.max(spec.thicknessStart, spec.thicknessEnd)
    let table = CoreLossThicknessTable(simulator: simulator, range: lowTau...highTau, classes: weights.map { $0 > 0 })
    let rows = spec.rows, columns = spec.columns
    var expected = [Float](repeating: 0, count: rows * columns * channels)
    var drift = [Double](repeating: 0, count: rows * columns)
    var thickness = drift
    var grid = [Double](repeating: 0, count: simulator.gridCount)
    expected.withUnsafeMutableBufferPointer { out in
        for c in 0..<columns {
            let tau = spec.thickness(column: c)
            for i in grid.indices { grid[i] = 0 }
            for k in weights.indices { table.accumulate(classIndex: k, thickness: tau, weight: weights[k], into: &grid) }
            for r in 0..<rows {
                let p = r * columns + c
                drift[p] = spec.drift(row: r, column: c)
                thickness[p] = tau
                simulator.resample(grid, shift: drift[p], into: out, start: p * channels)
            }
        }
    }
    var generator = SeededGenerator(seed: spec.seed)
    let readNoise = simulator.physics.readNoise
    let dark = spec.dark
    let data = [Float](filling: expected.count) { out in
        for i in 0..<expected.count {
            var count = generator.nextPoisson(mean: Double(expected[i]))
            if readNoise > 0 { count += readNoise * generator.nextGaussian() }
            if let dark { count += Double(dark[i % channels]) }
            out[i] = Float(count)
        }
    }
    let pure = weights.firstIndex(of: 1)
    var image = SpectrumImage(rows: rows, columns: columns, energy: simulator.outputAxis, data: data,
                              metadata: ["source": "RapidEELS simulator", "class": pure.map(String.init) ?? "mixture"])
    image.rowAxis = UniformAxis(offset: 0, scale: spec.pixelSize, size: rows, units: "nm", name: "y")
    image.columnAxis = UniformAxis(offset: 0, scale: spec.pixelSize, size: columns, units: "nm", name: "x")
    return SimulatedCoreLossImage(image: image, spec: spec, thickness: thickness, drift: drift, expected: expected)
}

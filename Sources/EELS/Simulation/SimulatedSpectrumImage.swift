import Foundation

/// What to simulate for one spectrum image: geometry, thickness and annealed-fraction profiles along the scan,
/// the descan energy shift, the physics and the noise seed.
///
/// The scan runs along the columns (638 pixels over 600 nm, [P], [R]); the 10 rows sample across the film at the
/// same position along the interface, so thickness, shift and state vary with the column only.
///
///     var spec = SpectrumImageSpec(state: .initial, thickness: 0.65...0.75, seed: 7)
///     spec.columns = 80
///     let si = try simulateSpectrumImage(spec)
public struct SpectrumImageSpec: Sendable, Equatable {
    /// Rows (across the film): 10 [P].
    public var rows: Int = 10
    /// Columns (the scan direction): 638 [P].
    public var columns: Int = 638
    /// The nominal state (the label).
    public var state: OxidationState
    /// t/λ at the first and last column; thickness varies linearly along the scan (a FIB wedge) [P], [A].
    public var thicknessStart: Double
    public var thicknessEnd: Double
    /// Fraction of SrFeO2.5 at the first and last column (linear); by default 0 for initial, 1 for annealed [A].
    public var annealedFractionStart: Double
    public var annealedFractionEnd: Double
    /// Energy shift across the whole scan, eV: δ(x) = offset + slope·x/(columns-1); 1.5 eV [P].
    public var shiftAcrossScan: Double = 1.5
    /// Energy offset of the first column, eV (SI-to-SI calibration difference) [A].
    public var shiftOffset: Double = 0
    public var physics = SimulationPhysics()
    /// Seed of the shot noise.
    public var seed: UInt64

    /// A spec with thickness running from `thickness.lowerBound` to `thickness.upperBound` along the scan.
    public init(state: OxidationState, thickness: ClosedRange<Double>, seed: UInt64) {
        self.state = state
        thicknessStart = thickness.lowerBound
        thicknessEnd = thickness.upperBound
        let f = state == .initial ? 0.0 : 1.0
        annealedFractionStart = f
        annealedFractionEnd = f
        self.seed = seed
    }

    /// The value of a linear profile at `column`.
    func along(_ start: Double, _ end: Double, column: Int) -> Double {
        columns > 1 ? start + (end - start) * Double(column) / Double(columns - 1) : start
    }

    func validate() throws {
        guard rows > 0, columns > 0, rows * columns <= 10_000_000 else {
            throw EELSError.value("SpectrumImageSpec: \(rows) x \(columns) pixels; need 1 to 10 million")
        }
        for (name, value) in [("annealedFractionStart", annealedFractionStart),
                              ("annealedFractionEnd", annealedFractionEnd)] where !(0...1).contains(value) {
            throw EELSError.value("SpectrumImageSpec: \(name) \(value) is outside [0, 1]")
        }
        try OKEdgeSimulator.checkThickness(thicknessStart)
        try OKEdgeSimulator.checkThickness(thicknessEnd)
        try OKEdgeSimulator.checkShift(shiftOffset)
        try OKEdgeSimulator.checkShift(shiftOffset + shiftAcrossScan)
    }
}

/// A simulated spectrum image with its ground truth per column.
///
///     let sim = try simulateSpectrumImage(SpectrumImageSpec(state: .annealed, thickness: 0.9...1.2, seed: 1))
///     sim.image.rows          // 10
///     sim.thickness[637]      // 1.2 (t/λ at the last column)
public struct SimulatedSpectrumImage: Sendable {
    /// Counts per 0.125 eV channel, 440-580 eV, rows x columns x 1120.
    public var image: SpectrumImage
    public var spec: SpectrumImageSpec
    /// t/λ per column.
    public var thickness: [Double]
    /// Energy shift per column, eV.
    public var shift: [Double]
    /// SrFeO2.5 fraction per column.
    public var annealedFraction: [Double]
    /// The noise-free expected counts per column, columns x channels (Float32, channel fastest).
    public var expected: [Float]
}

/// Simulates one spectrum image: per column the expected counts (thickness and state interpolated between 24
/// precomputed levels, then shifted), per pixel independent Poisson counts.
/// - Throws: `EELSError.value` for a spec or physics out of range.
public func simulateSpectrumImage(_ spec: SpectrumImageSpec) throws -> SimulatedSpectrumImage {
    try spec.validate()
    let simulator = try OKEdgeSimulator(physics: spec.physics)
    return try simulateSpectrumImage(spec, with: simulator)
}

/// Expected grid spectra of both states at evenly spaced thickness levels over `range`; spectra are smooth in τ,
/// so linear interpolation between levels 0.02 MFP apart is exact to far below the shot noise.
struct ThicknessTable: Sendable {
    let range: ClosedRange<Double>
    /// levels[state] = one grid spectrum per level (nil when the state is not needed).
    let levels: [OxidationState: [[Double]]]
    let count: Int

    /// - Throws: `CancellationError` when `isCancelled` (polled before each level) returns true.
    init(simulator: OKEdgeSimulator, range: ClosedRange<Double>, states: Set<OxidationState>,
         isCancelled: () -> Bool = { false }) throws {
        self.range = range
        let width = range.upperBound - range.lowerBound
        let count = width < 1e-9 ? 1 : Swift.max(2, Int((width / 0.02).rounded(.up)) + 1)
        self.count = count
        let taus = (0..<count).map { count == 1 ? range.lowerBound : range.lowerBound + width * Double($0)
            / Double(count - 1) }
        var levels: [OxidationState: [[Double]]] = [:]
        for state in states {
            levels[state] = try taus.map { tau in
                if isCancelled() { throw CancellationError() }
                let parts = simulator.gridComponents(state: state, thickness: tau)
                return zip(parts.edge, parts.background).map { $0 + $1 }
            }
        }
        self.levels = levels
    }

    /// Adds weight x (grid spectrum of `state` at τ) into `sum`.
    func accumulate(state: OxidationState, thickness tau: Double, weight: Double, into sum: inout [Double]) {
        guard weight != 0, let table = levels[state] else { return }
        let width = range.upperBound - range.lowerBound
        let position = count == 1 ? 0 : (tau - range.lowerBound) / width * Double(count - 1)
        let lower = Swift.min(Swift.max(Int(position), 0), Swift.max(count - 2, 0))
        let w = count == 1 ? 0 : Swift.min(Swift.max(position - Double(lower), 0), 1)
        let a = table[lower], b = table[Swift.min(lower + 1, count - 1)]
        for i in sum.indices { sum[i] += weight * (a[i] * (1 - w) + b[i] * w) }
    }
}

/// The states a spec's annealed-fraction profile needs.
func neededStates(_ spec: SpectrumImageSpec) -> Set<OxidationState> {
    var states: Set<OxidationState> = []
    if Swift.min(spec.annealedFractionStart, spec.annealedFractionEnd) < 1 { states.insert(.initial) }
    if Swift.max(spec.annealedFractionStart, spec.annealedFractionEnd) > 0 { states.insert(.annealed) }
    return states
}

func thicknessRange(_ spec: SpectrumImageSpec) -> ClosedRange<Double> {
    Swift.min(spec.thicknessStart, spec.thicknessEnd)...Swift.max(spec.thicknessStart, spec.thicknessEnd)
}

/// `isCancelled` is polled before each thickness level and each column (twice per column); when it returns true
/// the work stops with `CancellationError`.
func simulateSpectrumImage(_ spec: SpectrumImageSpec, with simulator: OKEdgeSimulator,
                           table given: ThicknessTable? = nil, isCancelled: () -> Bool = { false }) throws
    -> SimulatedSpectrumImage {
    try spec.validate()
    let table = try given ?? ThicknessTable(simulator: simulator, range: thicknessRange(spec),
                                            states: neededStates(spec), isCancelled: isCancelled)
    let columns = spec.columns, channels = simulator.outputAxis.size
    let thickness = (0..<columns).map { spec.along(spec.thicknessStart, spec.thicknessEnd, column: $0) }
    let shift = (0..<columns).map { spec.along(spec.shiftOffset, spec.shiftOffset + spec.shiftAcrossScan, column: $0) }
    let fraction = (0..<columns).map {
        spec.along(spec.annealedFractionStart, spec.annealedFractionEnd, column: $0)
    }
    var expected = [Float](repeating: 0, count: columns * channels)
    var gridMean = [Double](repeating: 0, count: OKEdgeSimulator.gridCount)
    var means = [[Double]](repeating: [Double](repeating: 0, count: channels), count: columns)
    for c in 0..<columns {
        if isCancelled() { throw CancellationError() }
        for i in gridMean.indices { gridMean[i] = 0 }
        table.accumulate(state: .initial, thickness: thickness[c], weight: 1 - fraction[c], into: &gridMean)
        table.accumulate(state: .annealed, thickness: thickness[c], weight: fraction[c], into: &gridMean)
        simulator.resample(gridMean, shift: shift[c], into: &means[c])
        for k in 0..<channels { expected[c * channels + k] = Float(means[c][k]) }
    }
    var data = [Float](repeating: 0, count: spec.rows * columns * channels)
    var generator = SeededGenerator(seed: spec.seed)
    // Column by column, channel by channel: the rows share each channel's Poisson set-up.
    let readNoise = spec.physics.readNoise
    try data.withUnsafeMutableBufferPointer { output in
        for c in 0..<columns {
            if isCancelled() { throw CancellationError() }
            let samplers = means[c].map { PoissonInversion(mean: $0) }
            for r in 0..<spec.rows {
                let start = (r * columns + c) * channels
                for k in 0..<channels {
                    var count = samplers[k].sample(using: &generator)
                    if readNoise > 0 { count += readNoise * generator.nextGaussian() }
                    output[start + k] = Float(count)
                }
            }
        }
    }
    let image = SpectrumImage(rows: spec.rows, columns: columns, energy: simulator.outputAxis, data: data,
                              metadata: ["source": "RapidEELS simulator", "state": spec.state.rawValue])
    return SimulatedSpectrumImage(image: image, spec: spec, thickness: thickness, shift: shift,
                                  annealedFraction: fraction, expected: expected)
}

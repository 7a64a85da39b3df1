/// One spectrum: counts on a calibrated energy axis.
///
///     let s = Spectrum(values: [1, 2, 3], energy: UniformAxis(offset: 500, scale: 0.25, size: 3))
///     s.values.count   // 3
public struct Spectrum: Sendable {
    /// Intensities, one per channel (Float32, as the detector's data and the network use).
    public var values: [Float]
    /// The energy axis (eV).
    public var energy: UniformAxis
    /// Free-form metadata (title, source file, tags).
    public var metadata: [String: String]

    public init(values: [Float], energy: UniformAxis, metadata: [String: String] = [:]) {
        precondition(values.count == energy.size, "Spectrum: \(values.count) values but the axis has \(energy.size)")
        self.values = values
        self.energy = energy
        self.metadata = metadata
    }
}

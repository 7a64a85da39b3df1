/// A spectrum image: rows x columns x channels, Float32, row-major with the channel fastest.
///
/// Element (r, c, k) is at `data[(r * columns + c) * channels + k]`.
///
///     var si = SpectrumImage(rows: 2, columns: 3, energy: UniformAxis(offset: 500, scale: 1, size: 4))
///     si[1, 2] = Spectrum(values: [1, 2, 3, 4], energy: si.energy)
public struct SpectrumImage: Sendable {
    public var rows: Int
    public var columns: Int
    /// The energy axis (eV); its size is the channel count.
    public var energy: UniformAxis
    /// Spatial axes (y for rows, x for columns), in their own units (nm, or pixels when uncalibrated).
    public var rowAxis: UniformAxis
    public var columnAxis: UniformAxis
    /// rows * columns * channels values, channel fastest.
    public var data: [Float]
    /// Free-form metadata: title, source, and for DM files the flattened tag tree ("ImageList.1.ImageData...").
    public var metadata: [String: String]

    public var channels: Int { energy.size }
    public var pixelCount: Int { rows * columns }

    /// A zero-filled spectrum image.
    public init(rows: Int, columns: Int, energy: UniformAxis, metadata: [String: String] = [:]) {
        self.init(rows: rows, columns: columns, energy: energy,
                  data: [Float](repeating: 0, count: rows * columns * energy.size), metadata: metadata)
    }

    /// A spectrum image over existing data (rows * columns * energy.size values, channel fastest).
    public init(rows: Int, columns: Int, energy: UniformAxis, data: [Float], metadata: [String: String] = [:]) {
        precondition(data.count == rows * columns * energy.size,
                     "SpectrumImage: \(data.count) values for \(rows) x \(columns) x \(energy.size)")
        self.rows = rows
        self.columns = columns
        self.energy = energy
        self.rowAxis = UniformAxis(offset: 0, scale: 1, size: rows, units: "px", name: "y")
        self.columnAxis = UniformAxis(offset: 0, scale: 1, size: columns, units: "px", name: "x")
        self.data = data
        self.metadata = metadata
    }

    /// The spectrum at (row, column).
    public subscript(row: Int, column: Int) -> Spectrum {
        get {
            let start = (row * columns + column) * channels
            return Spectrum(values: Array(data[start..<start + channels]), energy: energy)
        }
        set {
            precondition(newValue.values.count == channels)
            let start = (row * columns + column) * channels
            data.replaceSubrange(start..<start + channels, with: newValue.values)
        }
    }
}

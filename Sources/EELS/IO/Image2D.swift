/// A 2D image (rows x columns, Float32, row-major): what a DM file's 2D non-spectral data load as
/// (HAADF survey images, diffraction patterns).
///
///     let image = Image2D(rows: 2, columns: 3, data: [1, 2, 3, 4, 5, 6])
///     image[1, 0]   // 4
public struct Image2D: Sendable {
    public var rows: Int
    public var columns: Int
    /// rows * columns values, row-major (the column index fastest).
    public var data: [Float]
    /// Calibrated axes: y for rows, x for columns (nm, µm, or pixels when uncalibrated).
    public var rowAxis: UniformAxis
    public var columnAxis: UniformAxis
    /// Free-form metadata (title, flattened DM tags).
    public var metadata: [String: String]

    /// An image over existing data; `data.count` must equal rows * columns.
    public init(rows: Int, columns: Int, data: [Float], rowAxis: UniformAxis? = nil, columnAxis: UniformAxis? = nil,
                metadata: [String: String] = [:]) {
        precondition(data.count == rows * columns, "Image2D: \(data.count) values for \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.data = data
        self.rowAxis = rowAxis ?? UniformAxis(offset: 0, scale: 1, size: rows, units: "px", name: "y")
        self.columnAxis = columnAxis ?? UniformAxis(offset: 0, scale: 1, size: columns, units: "px", name: "x")
        self.metadata = metadata
    }

    /// The value at (row, column).
    public subscript(row: Int, column: Int) -> Float { data[row * columns + column] }
}

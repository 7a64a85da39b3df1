/// An n-dimensional array exactly as a file stores it: shape in C order (slowest first), the value family,
/// and every value as Double, with complex values interleaved (re, im) and RGBA pixels as four channels.
///
/// Readers return this for data that are not real-valued counts (complex FFTs, RGB images) and for
/// NPY arrays of more than three dimensions; `load` never silently drops an imaginary part or a colour.
///
///     let raw = RawArray(shape: [2], dtype: "complex64", family: .complex, values: [1, 0, 2, 0])
///     raw.components    // 2
///     raw.elementCount  // 2
public struct RawArray: Sendable, Equatable {
    /// Shape in C order, slowest axis first.
    public var shape: [Int]
    /// NumPy's dtype name ("int16", "float32", "complex64", "rgba", "bool", ...).
    public var dtype: String
    /// The value family.
    public var family: DMValueFamily
    /// elementCount * components values.
    public var values: [Double]
    /// Calibrated axes in C order, when the file has them.
    public var axes: [UniformAxis]
    /// Free-form metadata (title, flattened tags).
    public var metadata: [String: String]

    /// Values per element: 2 for complex, 4 for RGBA, else 1.
    public var components: Int {
        switch family {
        case .complex: return 2
        case .rgba: return 4
        default: return 1
        }
    }

    /// The product of the shape.
    public var elementCount: Int { shape.reduce(1, *) }

    /// An array; `values.count` must be `elementCount * components`.
    public init(shape: [Int], dtype: String, family: DMValueFamily, values: [Double], axes: [UniformAxis] = [],
                metadata: [String: String] = [:]) {
        self.shape = shape
        self.dtype = dtype
        self.family = family
        self.values = values
        self.axes = axes
        self.metadata = metadata
    }
}

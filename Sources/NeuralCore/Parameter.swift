/// A trainable tensor of a layer (a kernel or a bias), stored as Float32 in row-major Keras layout.
///
/// The storage is a fixed heap block so that worker threads can read it without copies.
///
///     let kernel = Parameter(name: "encoder.conv0.kernel", shape: [7, 1, 8])
///     kernel.values = Array(repeating: 0.1, count: 56)
public final class Parameter {
    /// The name used in weight files, e.g. "encoder.conv0.kernel".
    public let name: String
    /// The shape, e.g. [kernel, in, out] for Conv1D.
    public let shape: [Int]
    /// Number of elements (product of `shape`).
    public let count: Int
    /// The raw storage (`count` floats).
    public let pointer: UnsafeMutablePointer<Float>

    /// Creates a zero-filled parameter.
    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
        count = shape.reduce(1, *)
        pointer = .allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// The values as an array (a copy); setting copies in and requires `count` values.
    public var values: [Float] {
        get { Array(UnsafeBufferPointer(start: pointer, count: count)) }
        set {
            precondition(newValue.count == count, "Parameter \(name) needs \(count) values, got \(newValue.count)")
            newValue.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
        }
    }

    /// A mutable view of the storage.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

/// Unaligned loads and stores of eight Float lanes: the one definition that the vector kernels here
/// (`WindowProduct`, `DropoutMask`) and NeuralCore's element-wise loops (`Vectorized`) share.
///
///     enum MyKernels: EightLanes {}
///     MyKernels.store(MyKernels.load(source) * 2, destination)   // destination[0..<8] = 2 * source[0..<8]
public protocol EightLanes {}

extension EightLanes {
    /// Eight Float lanes.
    public typealias Lanes = SIMD8<Float>

    /// pointer[0..<8], any alignment.
    @inlinable @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    /// pointer[0..<8] = value, any alignment.
    @inlinable @inline(__always)
    public static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }
}

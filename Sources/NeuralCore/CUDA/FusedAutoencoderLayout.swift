/// The weight layout of `re_fused_autoencoder`: the paper autoencoder's 26 tensors in one flat Float32 buffer.
///
/// Order is the model's (encoder.conv0 ... decoder.output), each kernel followed by its bias. Conv1D and Dense
/// kernels keep their Keras layout ([k, in, out], [in, out]); Conv1DTranspose kernels, stored by Keras as
/// [k, out, in], are transposed to [k, in, out] so that neighbouring threads read neighbouring weights.
///
///     let flat = try FusedAutoencoderLayout.pack { name in tensors[name] }   // 44,678 floats
public enum FusedAutoencoderLayout {
    /// One tensor of the layout: its safetensors name, Keras shape, and whether it is a transposed-conv kernel.
    public struct Tensor: Sendable {
        public let name: String
        public let shape: [Int]
        public let transposedKernel: Bool
        public var count: Int { shape.reduce(1, *) }
    }

    /// The tensors in layout order.
    public static let tensors: [Tensor] = {
        let layers = PaperArchitecture.encoderLayers() + PaperArchitecture.decoderLayers()
        return layers.flatMap { layer in
            layer.parameters.map { parameter in
                Tensor(name: parameter.name, shape: parameter.shape,
                       transposedKernel: layer is Conv1DTranspose && parameter === layer.parameters.first)
            }
        }
    }()

    /// 44,678: the number of floats in the buffer.
    public static var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// Packs the tensors that `lookup` returns by name (Keras layouts) into the fused layout.
    ///
    /// - Throws: `CUDAError.invalidArgument` naming a missing tensor or one with the wrong element count.
    public static func pack(_ lookup: (String) -> [Float]?) throws -> [Float] {
        var flat: [Float] = []
        flat.reserveCapacity(parameterCount)
        for tensor in tensors {
            guard let values = lookup(tensor.name) else {
                throw CUDAError.invalidArgument("fused autoencoder: tensor \(tensor.name) is missing")
            }
            guard values.count == tensor.count else {
                throw CUDAError.invalidArgument(
                    "fused autoencoder: \(tensor.name) has \(values.count) values, expected \(tensor.count) "
                        + "(shape \(tensor.shape))")
            }
            if tensor.transposedKernel {
                let (k, outC, inC) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
                for j in 0..<k {
                    for ci in 0..<inC {
                        for co in 0..<outC { flat.append(values[(j * outC + co) * inC + ci]) }
                    }
                }
            } else {
                flat.append(contentsOf: values)
            }
        }
        return flat
    }
}

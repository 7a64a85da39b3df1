import NeuralCore

/// What the RapidEELS models need beside the layer table (`PaperArchitecture` in NeuralCore): the dimensions of
/// a saved model and the sample count of a flat input array.
extension PaperArchitecture {
    /// The input length and latent size of a saved model: from its metadata ("input_length", "latent"), else from
    /// the "latent" kernel's shape, else the paper's 240 and 5 (the released weights carry no metadata).
    static func dimensions(metadata: [String: String], tensors: [String: NamedTensor]) -> (length: Int, latent: Int) {
        let length = metadata["input_length"].flatMap(Int.init) ?? spectrumLength
        let latent = metadata["latent"].flatMap(Int.init) ?? tensors["latent.kernel"]?.shape.last ?? latentSize
        return (length, latent)
    }

    /// Throws a shape error unless `values` holds whole samples of `size` values; returns the sample count.
    static func sampleCount(_ values: [Float], size: Int, what: String, count: Int?) throws -> Int {
        if let count {
            guard count >= 0, values.count == count * size else {
                throw NeuralError.shapeMismatch("\(what) hold \(values.count) values; expected \(count) x \(size) "
                    + "= \(count * size)")
            }
            return count
        }
        guard values.count % size == 0 else {
            throw NeuralError.shapeMismatch("\(what) hold \(values.count) values, not a whole number of \(size)-value rows")
        }
        return values.count / size
    }
}

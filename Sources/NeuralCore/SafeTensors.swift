import Foundation

/// A float32 tensor read from or written to a safetensors file.
public struct NamedTensor: Equatable, Sendable {
    /// Tensor name, e.g. "encoder.conv0.kernel".
    public var name: String
    /// Shape, e.g. [7, 1, 8].
    public var shape: [Int]
    /// Row-major values (product of `shape` elements).
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// The safetensors format (an 8-byte little-endian header length, a JSON header, then raw data), float32 only,
/// with the optional `__metadata__` string map.
///
///     try SafeTensors.write([NamedTensor(name: "w", shape: [2], values: [1, 2])], metadata: ["k": "v"], to: url)
///     let (tensors, metadata) = try SafeTensors.read(url)
public enum SafeTensors {
    /// Writes `tensors` (sorted by name) and `metadata` to `url`.
    /// - Throws: `NeuralError.shapeMismatch` when a tensor's values do not fill its shape; file errors.
    public static func write(_ tensors: [NamedTensor], metadata: [String: String], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let sorted = tensors.sorted { $0.name < $1.name }
        for tensor in sorted {
            guard tensor.shape.reduce(1, *) == tensor.values.count else {
                throw NeuralError.shapeMismatch("tensor \(tensor.name) has \(tensor.values.count) values for shape \(tensor.shape)")
            }
            let bytes = tensor.values.count * 4
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for tensor in sorted {
            tensor.values.withUnsafeBufferPointer { values in
                for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
        }
        try data.write(to: url, options: .atomic)
    }

    /// Reads every tensor (keyed by name) and the metadata of a safetensors file.
    /// - Throws: `NeuralError.weightFile` naming the problem (not safetensors, a non-F32 tensor, bad offsets).
    public static func read(_ url: URL) throws -> (tensors: [String: NamedTensor], metadata: [String: String]) {
        var info = stat()
        if stat(url.path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {   // a FIFO would block for good
            throw NeuralError.weightFile("cannot read \(url.path): it is not a regular file")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NeuralError.weightFile("cannot read \(url.path): \(error.localizedDescription)")
        }
        let name = url.lastPathComponent
        guard data.count >= 8 else { throw NeuralError.weightFile("\(name) is too short to be a safetensors file") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw NeuralError.weightFile("\(name): header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let header = (try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd))) as? [String: Any]
        else { throw NeuralError.weightFile("\(name): the header is not a JSON object (not a safetensors file?)") }
        var metadata: [String: String] = [:]
        var tensors: [String: NamedTensor] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                for (field, text) in value as? [String: Any] ?? [:] { metadata[field] = text as? String ?? "\(text)" }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw NeuralError.weightFile("\(name): tensor \(key) has a malformed header entry") }
            guard dtype == "F32" else { throw NeuralError.weightFile("\(name): tensor \(key) is \(dtype); only F32 is supported") }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] - offsets[0] == count * 4,
                  headerEnd + offsets[1] <= data.count else {
                throw NeuralError.weightFile("\(name): tensor \(key) with shape \(shape) has data offsets \(offsets) "
                    + "that do not match its size or lie outside the file")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { target in
                data.copyBytes(to: target, from: (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
            }
            #if _endian(big)
            values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
            #endif
            tensors[key] = NamedTensor(name: key, shape: shape, values: values)
        }
        return (tensors, metadata)
    }
}

extension Sequential {
    /// Saves every parameter under its name, with `metadata` in the `__metadata__` block.
    ///
    ///     try net.save(to: URL(fileURLWithPath: "model.safetensors"), metadata: ["labels": "[\"a\",\"b\"]"])
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        engine.synchronizeParameters()
        try SafeTensors.write(parameters.map { NamedTensor(name: $0.name, shape: $0.shape, values: $0.values) },
                              metadata: metadata, to: url)
    }

    /// Loads every parameter by name from `tensors`; extra tensors are ignored.
    /// - Throws: `NeuralError.weightFile` naming a missing tensor or one with the wrong shape (nothing is changed).
    public func load(_ tensors: [String: NamedTensor], source: String = "the weight file") throws {
        for parameter in parameters {
            guard let tensor = tensors[parameter.name] else {
                throw NeuralError.weightFile("\(source) has no tensor \(parameter.name) (expected shape \(parameter.shape))")
            }
            guard tensor.shape == parameter.shape else {
                throw NeuralError.weightFile("tensor \(parameter.name) in \(source) has shape \(tensor.shape); "
                    + "expected \(parameter.shape)")
            }
        }
        for parameter in parameters { parameter.values = tensors[parameter.name]!.values }
        parametersDidChange()
    }

    /// Loads parameters from a safetensors file and returns its metadata.
    /// - Throws: `NeuralError.weightFile` (see `load(_:source:)`).
    @discardableResult
    public func load(from url: URL) throws -> [String: String] {
        let (tensors, metadata) = try SafeTensors.read(url)
        try load(tensors, source: url.lastPathComponent)
        return metadata
    }
}

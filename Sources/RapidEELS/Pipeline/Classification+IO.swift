import EELS
import Foundation

extension Classification {
    /// Writes the probabilities as a rows x columns x k float32 .npy (NumPy reads it directly) with a JSON sidecar
    /// that keeps the class names, the true labels and the title, so `load(from:)` gives the same classification.
    ///
    ///     try result.save(to: "mn2_03-classes.npy")
    /// - Throws: `RapidEELSError.value` for a path that does not end in .npy, `EELSError.file` when it cannot be
    ///   written.
    public func save(to path: String) throws {
        guard path.lowercased().hasSuffix(".npy") else {
            throw RapidEELSError.value("save a classification as .npy (probabilities) with its .json sidecar, not "
                + "'\(path)'")
        }
        let axis = UniformAxis(offset: 0, scale: 1, size: classNames.count, units: "class", name: "class")
        var metadata = ["title": title, "kind": "classification",
                        "classes": String(decoding: try JSONEncoder().encode(classNames), as: UTF8.self)]
        if let trueLabels {
            metadata["trueLabels"] = String(decoding: try JSONEncoder().encode(trueLabels), as: UTF8.self)
        }
        let image = SpectrumImage(rows: rows, columns: columns, energy: axis, data: probabilities, metadata: metadata)
        try NPYFormat.write(image, to: path)
    }

    /// Reads a classification written by `save(to:)`.
    /// - Throws: `RapidEELSError.value` when the file is not a saved classification.
    public static func load(from path: String) throws -> Classification {
        guard case .spectrumImage(let image) = try EELS.load(path), image.metadata["kind"] == "classification",
              let names = image.metadata["classes"].flatMap({ try? JSONDecoder().decode([String].self,
                                                                                          from: Data($0.utf8)) }),
              names.count == image.channels else {
            throw RapidEELSError.value("\(path) is not a classification saved with .save (probabilities plus a "
                + "sidecar naming the classes)")
        }
        let truth = image.metadata["trueLabels"].flatMap { try? JSONDecoder().decode([Int?].self, from: Data($0.utf8)) }
        return Classification(rows: image.rows, columns: image.columns, probabilities: image.data, classNames: names,
                              trueLabels: truth?.count == image.pixelCount ? truth : nil,
                              title: image.metadata["title"] ?? "")
    }
}

/// The file formats `load(_:)` understands.
public enum FileFormat: String, Sendable, CaseIterable {
    case dm3, dm4, msa, npy, text
    /// HyperSpy's HDF5 format (any HDF5 file is detected as this; the reader checks it is HyperSpy's).
    case hspy

    /// Detects the format from the first bytes, falling back to the extension for text formats.
    ///
    ///     FileFormat.detect(bytes: [0, 0, 0, 4] + rest, path: "x.bin")   // .dm4
    /// Only the first 512 bytes matter.
    public static func detect(bytes: [UInt8], path: String) -> FileFormat? {
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0, bytes[3] == 3 || bytes[3] == 4 {
            return bytes[3] == 3 ? .dm3 : .dm4
        }
        if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) { return .npy }
        if HDF5File.hasSignature(bytes) { return .hspy }
        let head = bytes.prefix(512)
        let text = String(decoding: head, as: UTF8.self)
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if trimmed.uppercased().hasPrefix("#FORMAT") { return .msa }
        let binary = head.contains { $0 < 9 || ($0 > 13 && $0 < 32) }
        if !binary && !head.isEmpty { return .text }
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "dm3": return .dm3
        case "dm4": return .dm4
        case "msa", "emsa": return .msa
        case "npy": return .npy
        case "hspy", "h5", "hdf5": return .hspy
        default: return nil
        }
    }
}

/// Loads a DM3/DM4, EMSA/MSA, NPY, HyperSpy .hspy or two-column text file, choosing the reader by the file's
/// content (magic bytes), not only its extension. A .hspy file with several experiments gives the first; `loadAll`
/// gives every one.
///
///     let si = try load("EELS_SI.dm4").spectrumImage      // 2 x 2 x 2048
///     let s = try load("coreloss_spectrum.msa").spectrum   // 2048 channels from 360 eV
///     let map = try load("fit.hspy").image                 // the first parameter map
///
/// `column` picks the value column of a multi-column text table (1 = the first after the energy).
/// - Throws: `EELSError.file(path:detail:)` saying where parsing failed.
public func load(_ path: String, column: Int = 1) throws -> LoadedData {
    let bytes = try FileBytes(mapping: path)
    guard !bytes.isEmpty else { throw EELSError.file(path: path, detail: "the file is empty") }
    let head = Array(bytes.prefix(512))
    guard let format = FileFormat.detect(bytes: head, path: path) else {
        throw EELSError.file(path: path, detail: "unrecognised format: not DM3/DM4, NPY, HDF5 (.hspy), EMSA/MSA or text "
            + "(first bytes \(head.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")))")
    }
    if column != 1 && format != .text {
        throw EELSError.file(path: path, detail: "column \(column) was asked for, but this is a \(format) file; "
            + "columns apply to text tables")
    }
    switch format {
    case .dm3, .dm4: return try DMFile(bytes: bytes, path: path).load()  // decoded from the mapping
    case .hspy: return try HSpyFormat.read(path: path)[0]
    default: return try load(bytes: bytes.array, format: format, path: path, column: column)
    }
}

/// Parses bytes already in memory in the given format; `path` names the source in errors.
public func load(bytes: [UInt8], format: FileFormat, path: String, column: Int = 1) throws -> LoadedData {
    switch format {
    case .dm3, .dm4: return try DMFile(bytes: bytes, path: path).load()
    case .msa: return .spectrum(try MSAFormat.read(bytes: bytes, path: path))
    case .text: return .spectrum(try TwoColumnText.read(bytes: bytes, path: path, column: column))
    case .npy: return try NPYFormat.read(bytes: bytes, path: path, sidecar: NPYFormat.sidecar(for: path))
    case .hspy: return try HSpyFormat.read(bytes: bytes, path: path)[0]
    }
}

/// Every item a file holds: the experiments of a .hspy file, or the one item `load` gives for other formats.
///
///     let maps = try loadAll("fit.hspy")   // one Image2D per fit parameter
/// - Throws: as `load(_:column:)`.
public func loadAll(_ path: String) throws -> [LoadedData] {
    let head = try FileBytes(mapping: path).prefix(8)
    if HDF5File.hasSignature(Array(head)) { return try HSpyFormat.read(path: path) }
    return [try load(path)]
}

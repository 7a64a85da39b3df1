import Foundation

/// EMSA/MSA spectral data files (ISO 22029): a `#KEYWORD : value` header, then `#SPECTRUM`, then data as
/// one value per channel (DATATYPE Y) or `energy, value` pairs (DATATYPE XY), ending with `#ENDOFDATA`.
///
///     let s = try MSAFormat.read(path: "coreloss_spectrum.msa")   // 2048 channels, 360 eV + 0.2 eV/channel
///     try MSAFormat.write(s, to: "/tmp/copy.msa")
public enum MSAFormat {
    /// Reads a spectrum from a file.
    public static func read(path: String) throws -> Spectrum {
        try read(bytes: readFileBytes(path), path: path)
    }

    /// Reads a spectrum from bytes; `path` names the source in errors.
    ///
    /// - Throws: `EELSError.file` naming the line that failed.
    public static func read(bytes: [UInt8], path: String) throws -> Spectrum {
        let text = String(decoding: bytes, as: UTF8.self)
        var header: [String: String] = [:]
        var values: [Double] = []
        var energies: [Double] = []
        var inData = false
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.dropFirst().split(separator: ":", maxSplits: 1)
                let key = parts.first.map { $0.trimmingCharacters(in: .whitespaces).uppercased() } ?? ""
                let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                if key == "SPECTRUM" { inData = true; continue }
                if key == "ENDOFDATA" { break }
                if !inData { header[key] = value }
                continue
            }
            guard inData else {
                throw EELSError.file(path: path, detail: "line \(lineNumber): data before the #SPECTRUM keyword")
            }
            let fields = line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == ";" })
            let numbers = fields.compactMap { Double($0) }
            guard numbers.count == fields.count, !numbers.isEmpty else {
                throw EELSError.file(path: path, detail: "line \(lineNumber): '\(line.prefix(40))' is not numeric")
            }
            if (header["DATATYPE"] ?? "Y").uppercased().hasPrefix("XY") {
                guard numbers.count >= 2 else {
                    throw EELSError.file(path: path, detail: "line \(lineNumber): XY data needs an energy and a value")
                }
                energies.append(numbers[0])
                values.append(numbers[1])
            } else {
                values += numbers
            }
        }
        guard header["FORMAT"] != nil else {
            throw EELSError.file(path: path, detail: "no #FORMAT keyword: not an EMSA/MSA file")
        }
        guard !values.isEmpty else { throw EELSError.file(path: path, detail: "no data after #SPECTRUM") }
        if let declared = header["NPOINTS"].flatMap(Double.init), Int(declared) != values.count {
            throw EELSError.file(path: path, detail: "#NPOINTS says \(Int(declared)) but \(values.count) values follow")
        }
        var offset = header["OFFSET"].flatMap(Double.init) ?? 0
        var scale = header["XPERCHAN"].flatMap(Double.init) ?? 1
        if energies.count >= 2 {
            offset = energies[0]
            scale = (energies[energies.count - 1] - energies[0]) / Double(energies.count - 1)
        }
        guard offset.isFinite, scale.isFinite, scale != 0 else {
            throw EELSError.file(path: path, detail: "#OFFSET/#XPERCHAN give no usable energy axis")
        }
        var metadata = header.reduce(into: [String: String]()) { $0["msa.\($1.key)"] = $1.value }
        metadata["title"] = header["TITLE"] ?? ""
        metadata["source"] = path
        metadata["format"] = "MSA"
        metadata["dtype"] = "float64"
        let axis = UniformAxis(offset: offset, scale: scale, size: values.count, units: header["XUNITS"] ?? "eV")
        return Spectrum(values: values.map { Float($0) }, energy: axis, metadata: metadata)
    }

    /// The file text for a spectrum (DATATYPE Y, one value per line).
    public static func text(of spectrum: Spectrum, title: String? = nil) -> String {
        let axis = spectrum.energy
        var out = """
        #FORMAT      : EMSA/MAS Spectral Data File
        #VERSION     : 1.0
        #TITLE       : \(headerValue(title ?? spectrum.metadata["title"] ?? ""))
        #OWNER       : RapidEELS
        #NPOINTS     : \(spectrum.values.count)
        #NCOLUMNS    : 1
        #XUNITS      : \(headerValue(axis.units))
        #YUNITS      : Counts
        #DATATYPE    : Y
        #XPERCHAN    : \(axis.scale)
        #OFFSET      : \(axis.offset)
        #SIGNALTYPE  : ELS
        #SPECTRUM    : Spectral Data Starts Here

        """
        for v in spectrum.values { out += "\(v)\n" }
        out += "#ENDOFDATA   : End Of Data and File\n"
        return out
    }

    /// A header value on one line without the `": "` separator that readers such as rosettasciio split on
    /// (a second one would make them drop the keyword).
    static func headerValue(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: ": ", with: " - ")
    }

    /// Writes a spectrum as an EMSA/MSA file that HyperSpy and other tools read.
    public static func write(_ spectrum: Spectrum, to path: String, title: String? = nil) throws {
        do {
            try text(of: spectrum, title: title).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw EELSError.file(path: path, detail: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// Two-column text (energy, counts) as exported by EELSDB and many programs: whitespace-, tab- or
/// comma-separated; lines starting with `#` or a non-number are skipped as headers. The energy column must
/// be uniform (it becomes an `UniformAxis`).
///
///     let s = try TwoColumnText.read(path: "La2NiO4_eels.txt")   // 424 eV + 0.25 eV/channel
public enum TwoColumnText {
    /// Reads a spectrum from a file.
    public static func read(path: String, column: Int = 1) throws -> Spectrum {
        try read(bytes: readFileBytes(path), path: path, column: column)
    }

    /// Reads a spectrum from bytes; `path` names the source in errors. `column` picks the value column of a
    /// multi-column table (1 = the first after the energy); a header line names the spectrum.
    /// - Throws: `EELSError.file` naming the line that failed, or a column the table does not have.
    public static func read(bytes: [UInt8], path: String, column: Int = 1) throws -> Spectrum {
        guard column >= 1 else {
            throw EELSError.file(path: path, detail: "column \(column): value columns are numbered from 1")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var energies: [Double] = [], values: [Double] = []
        var title = ""
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let fields = rawLine.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == ";" || $0 == "\r" })
            if fields.isEmpty || fields[0].hasPrefix("#") { continue }
            let numbers = fields.prefix(column + 1).compactMap { Double($0) }
            if numbers.count < column + 1 {
                if energies.isEmpty {  // a header line
                    if fields.count > column, Double(fields[0]) == nil { title = String(fields[column]) }
                    if fields.count > column || Double(fields[0]) == nil { continue }
                }
                throw EELSError.file(path: path, detail: "line \(lineNumber): expected \(column + 1) numbers "
                    + "(energy and value column \(column)), found '\(rawLine.prefix(40))'")
            }
            energies.append(numbers[0])
            values.append(numbers[column])
        }
        guard energies.count >= 2 else {
            throw EELSError.file(path: path, detail: "fewer than two (energy, value) rows")
        }
        let scale = (energies[energies.count - 1] - energies[0]) / Double(energies.count - 1)
        guard scale.isFinite, scale != 0 else {
            throw EELSError.file(path: path, detail: "the energy column does not increase")
        }
        for (i, e) in energies.enumerated() where Swift.abs(e - (energies[0] + Double(i) * scale)) > 1e-3 * Swift.abs(scale) {
            throw EELSError.file(path: path, detail: "row \(i + 1): energy \(e) breaks the uniform step of \(scale) eV")
        }
        let axis = UniformAxis(offset: energies[0], scale: scale, size: values.count)
        return Spectrum(values: values.map { Float($0) }, energy: axis,
                        metadata: ["source": path, "format": "text", "dtype": "float64", "title": title])
    }
}

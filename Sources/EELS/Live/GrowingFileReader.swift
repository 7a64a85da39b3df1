import Foundation

/// Reads the rows of a spectrum image that an acquisition is still writing, block by block as they land.
///
/// - NPY (`rows x columns x channels` float32, as `NPYFormat.write` lays it out): the writer puts the header with the
///   final shape first and appends whole rows; the complete rows are those the file's size covers, and only their
///   bytes are read.
/// - DM3/DM4: DigitalMicrograph allocates the whole spectrum image and fills it as the scan proceeds (the file is
///   rewritten, atomically, as rows land); the acquired rows are the leading rows that are not all zero.
///
///     var reader = GrowingFileReader(path: "/data/si_0001.npy")
///     while let block = try reader.nextRows() { process(block.image, firstRow: block.firstRow) }
///     reader.isFinished   // every row of the final shape has been handed out
public struct GrowingFileReader: Sendable {
    public let path: String
    /// Rows handed out so far.
    public private(set) var rowsRead = 0
    /// The spectrum image's final number of rows (known after the first read).
    public private(set) var totalRows: Int?

    public init(path: String) { self.path = path }

    /// Whether every row has been read.
    public var isFinished: Bool { totalRows.map { rowsRead >= $0 } ?? false }

    /// A block of newly complete rows.
    public struct Block: Sendable {
        /// The rows `firstRow..<firstRow + image.rows` of the spectrum image (axes as in the file).
        public var image: SpectrumImage
        public var firstRow: Int
        public var totalRows: Int
    }

    /// The rows completed since the last call, or nil when none are.
    /// - Throws: `EELSError.file` for a file that is not a spectrum image, or whose header changed.
    public mutating func nextRows() throws -> Block? {
        let isNPY = path.lowercased().hasSuffix(".npy")
        let block = isNPY ? try nextNPYRows() : try nextDMRows()
        if let block { rowsRead = block.firstRow + block.image.rows }
        return block
    }

    private mutating func nextNPYRows() throws -> Block? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EELSError.file(path: path, detail: "the file vanished before it was read")
        }
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 4096))
        let header = try NPYFormat.parseHeader(head, path: path)
        guard header.descr == "<f4", !header.fortranOrder, header.shape.count == 3 else {
            throw EELSError.file(path: path, detail: "a growing NPY must be rows x columns x channels little-endian "
                + "float32 in C order; this one is \(header.descr) \(header.shape)")
        }
        let (rows, columns, channels) = (header.shape[0], header.shape[1], header.shape[2])
        if let totalRows, totalRows != rows {
            throw EELSError.file(path: path, detail: "the header changed from \(totalRows) to \(rows) rows while growing")
        }
        totalRows = rows
        let rowBytes = columns * channels * 4
        guard rowBytes > 0 else { throw EELSError.file(path: path, detail: "an NPY spectrum image with no data") }
        let size = Int(handle.seekToEndOfFile())
        let complete = min(rows, max(0, size - header.dataOffset) / rowBytes)
        guard complete > rowsRead else { return nil }
        handle.seek(toFileOffset: UInt64(header.dataOffset + rowsRead * rowBytes))
        let bytes = handle.readData(ofLength: (complete - rowsRead) * rowBytes)
        guard bytes.count == (complete - rowsRead) * rowBytes else {
            throw EELSError.file(path: path, detail: "truncated while reading rows \(rowsRead)..<\(complete)")
        }
        var values = [Float](repeating: 0, count: bytes.count / 4)
        values.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
        let sidecar = NPYFormat.sidecar(for: path)
        let axes = sidecar?.axes.count == 3 ? sidecar!.axes.map {
            UniformAxis(offset: $0.offset, scale: $0.scale, size: $0.size, units: $0.units, name: $0.name)
        } : nil
        var si = SpectrumImage(rows: complete - rowsRead, columns: columns,
                               energy: axes?[2] ?? UniformAxis(offset: 0, scale: 1, size: channels, units: "", name: ""),
                               data: values, metadata: (sidecar?.metadata ?? [:]).merging(["source": path]) { $1 })
        if let axes {
            var y = axes[0]
            y.offset += Double(rowsRead) * y.scale
            y.size = si.rows
            si.rowAxis = y
            si.columnAxis = axes[1]
        }
        return Block(image: si, firstRow: rowsRead, totalRows: rows)
    }

    private mutating func nextDMRows() throws -> Block? {
        guard let si = try load(path).spectrumImage else {
            throw EELSError.file(path: path, detail: "not a spectrum image")
        }
        if let totalRows, totalRows != si.rows {
            throw EELSError.file(path: path, detail: "the image changed from \(totalRows) to \(si.rows) rows while growing")
        }
        totalRows = si.rows
        let rowLength = si.columns * si.channels
        var acquired = rowsRead
        si.data.withUnsafeBufferPointer { data in
            while acquired < si.rows {
                let row = data[acquired * rowLength..<(acquired + 1) * rowLength]
                if !row.contains(where: { $0 != 0 }) { break }
                acquired += 1
            }
        }
        guard acquired > rowsRead else { return nil }
        return Block(image: try si.rowBlock(rowsRead..<acquired), firstRow: rowsRead, totalRows: si.rows)
    }
}

extension SpectrumImage {
    /// Rows `range` of the image, every column and channel, with the row axis shifted to match.
    /// - Throws: `EELSError.value` for rows outside the image.
    public func rowBlock(_ range: Range<Int>) throws -> SpectrumImage {
        guard range.lowerBound >= 0, range.upperBound <= rows, !range.isEmpty else {
            throw EELSError.value("rows \(range) are outside the image's \(rows) rows")
        }
        let length = columns * channels
        var out = SpectrumImage(rows: range.count, columns: columns, energy: energy,
                                data: Array(data[range.lowerBound * length..<range.upperBound * length]),
                                metadata: metadata)
        var y = rowAxis
        y.offset += Double(range.lowerBound) * y.scale
        y.size = range.count
        out.rowAxis = y
        out.columnAxis = columnAxis
        return out
    }
}

/// Layer 1 of the DigitalMicrograph reader: the file header and the tag tree, with DM3 (4-byte) and DM4
/// (8-byte) widths. Tag headers are big-endian; tag data use the byte order named in the file header.
///
/// Data tags keep their encoding (the info array) and where their payload lies, so large arrays such as
/// `ImageData.Data` are never decoded here; `DMTagData.value` decodes small ones on demand.
///
///     let tree = try DMTagTree.parse(bytes: try FileBytes(mapping: path), path: path)
///     tree.version                                       // 3 or 4
///     tree.root["ImageList"]?.group?.entries.count       // images, thumbnail first
public struct DMTagTree {
    /// 3 or 4.
    public let version: Int
    /// True when tag data are little-endian (the header's byte-order flag is 1).
    public let littleEndian: Bool
    /// The root tag group.
    public let root: DMTagGroup
    /// The file's bytes (payloads are slices of these), mapped or in memory.
    public let bytes: FileBytes
    /// The file's path, for error messages.
    public let path: String

    /// The deepest group nesting accepted; deeper files are refused rather than overflowing the stack.
    public static let maximumDepth = 64

    /// Parses a whole DM3 or DM4 file held in memory.
    ///
    /// - Throws: `EELSError.file` naming the byte offset and the tag path where parsing failed.
    public static func parse(bytes: [UInt8], path: String) throws -> DMTagTree {
        try parse(bytes: FileBytes(bytes), path: path)
    }

    /// Parses a whole DM3 or DM4 file, mapped or in memory; the tree keeps `bytes` alive.
    ///
    /// - Throws: `EELSError.file` naming the byte offset and the tag path where parsing failed.
    public static func parse(bytes: FileBytes, path: String) throws -> DMTagTree {
        var reader = ByteReader(bytes: bytes, path: path)
        let version = Int(try reader.readUInt32(bigEndian: true, what: "DM version"))
        guard version == 3 || version == 4 else {
            throw reader.error("not a DigitalMicrograph 3 or 4 file: version field is \(version)")
        }
        let width = version == 4 ? 8 : 4
        _ = try reader.readUInt(width: width, bigEndian: true, what: "root tag length")
        let order = try reader.readUInt32(bigEndian: true, what: "byte order flag")
        guard order <= 1 else { throw reader.error("byte order flag is \(order), expected 0 or 1") }
        var parser = Parser(reader: reader, width: width, littleEndian: order == 1)
        let root = try parser.parseGroupBody(path: "root", depth: 0, isRoot: true)
        return DMTagTree(version: version, littleEndian: order == 1, root: root, bytes: bytes, path: path)
    }

    /// A copy of `parse`'s parser state; kept private so the public surface is the tree.
    private struct Parser {
        var reader: ByteReader<FileBytes>
        let width: Int
        let littleEndian: Bool

        mutating func readCount(_ what: @autoclosure () -> String) throws -> Int {
            let raw = try reader.readUInt(width: width, bigEndian: true, what: what())
            guard raw <= UInt64(Int32.max) else { throw reader.error("\(what()) \(raw) is implausibly large") }
            return Int(raw)
        }

        mutating func parseGroupBody(path: String, depth: Int, isRoot: Bool) throws -> DMTagGroup {
            guard depth <= DMTagTree.maximumDepth else {
                throw reader.error("tag groups nested deeper than \(DMTagTree.maximumDepth) at \(path)")
            }
            let sorted = try reader.readUInt8(what: "\(path): sorted flag")
            let open = try reader.readUInt8(what: "\(path): open flag")
            let count = try readCount("\(path): tag count")
            // Each tag needs at least 3 bytes (kind + name length), so a larger count cannot be honest.
            guard count <= reader.remaining / 3 else {
                throw reader.error("\(path): tag count \(count) exceeds what the remaining bytes can hold")
            }
            var entries: [DMTagEntry] = []
            entries.reserveCapacity(count)
            for index in 0..<count {
                entries.append(try parseEntry(parentPath: path, index: index, depth: depth))
            }
            return DMTagGroup(isSorted: sorted != 0, isOpen: open != 0, entries: entries)
        }

        mutating func parseEntry(parentPath: String, index: Int, depth: Int) throws -> DMTagEntry {
            let kind = try reader.readUInt8(what: "\(parentPath)[\(index)]: tag kind")
            let nameLength = Int(try reader.readUInt16(bigEndian: true, what: "\(parentPath)[\(index)]: name length"))
            let nameBytes = try reader.readBytes(nameLength, what: "\(parentPath)[\(index)]: tag name")
            let name = String(decoding: nameBytes, as: UTF8.self)
            let label = name.isEmpty ? "\(index)" : name
            let path = "\(parentPath).\(label)"
            if width == 8 { _ = try reader.readUInt64(bigEndian: true, what: "\(path): tag length") }
            switch kind {
            case 20:
                return DMTagEntry(name: name, tag: .group(try parseGroupBody(path: path, depth: depth + 1,
                                                                             isRoot: false)))
            case 21:
                return DMTagEntry(name: name, tag: .data(try parseData(path: path)))
            default:
                throw reader.error("\(path): unknown tag kind \(kind) (expected 20 = group or 21 = data)")
            }
        }

        mutating func parseData(path: String) throws -> DMTagData {
            let delimiter = try reader.readBytes(4, what: "\(path): %%%% delimiter")
            guard delimiter.elementsEqual("%%%%".utf8) else {
                throw reader.error("\(path): data tag lacks its %%%% delimiter")
            }
            let infoCount = try readCount("\(path): info array length")
            guard infoCount >= 1, infoCount <= reader.remaining / width else {
                throw reader.error("\(path): info array length \(infoCount) is invalid")
            }
            var info: [Int] = []
            info.reserveCapacity(infoCount)
            for _ in 0..<infoCount { info.append(try readCount("\(path): info array entry")) }
            let encoding: DMEncoding
            do {
                encoding = try DMEncoding(info: info)
            } catch let DMEncoding.Invalid.reason(reason) {
                throw reader.error("\(path): \(reason)")
            }
            let length = encoding.byteCount
            guard length <= reader.remaining else {
                throw reader.error("truncated: \(path) needs \(length) bytes of data but only \(reader.remaining) remain")
            }
            let data = DMTagData(encoding: encoding, info: info, payloadOffset: reader.offset,
                                 littleEndian: littleEndian)
            reader.offset += length
            return data
        }
    }
}

/// A tag group: an ordered list of named (or unnamed) entries.
public struct DMTagGroup: Sendable {
    public var isSorted: Bool
    public var isOpen: Bool
    public var entries: [DMTagEntry]

    /// The first entry named `name`.
    public subscript(name: String) -> DMTag? {
        entries.first { $0.name == name }?.tag
    }

    /// The tag at a dotted path such as "ImageData.Calibrations.Dimension"; unnamed entries by position ("0").
    public func tag(at path: String) -> DMTag? {
        var current: DMTag = .group(self)
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let group = current.group else { return nil }
            if let named = group[String(part)] {
                current = named
            } else if let index = Int(part), index >= 0, index < group.entries.count {
                current = group.entries[index].tag
            } else {
                return nil
            }
        }
        return current
    }
}

/// One entry of a tag group.
public struct DMTagEntry: Sendable {
    /// The tag's name; empty for list items (ImageList entries, Dimensions).
    public var name: String
    public var tag: DMTag
}

/// A tag: a group or a data value.
public indirect enum DMTag: Sendable {
    case group(DMTagGroup)
    case data(DMTagData)

    /// The group, when this is a group.
    public var group: DMTagGroup? {
        if case .group(let g) = self { return g }
        return nil
    }

    /// The data tag, when this is data.
    public var data: DMTagData? {
        if case .data(let d) = self { return d }
        return nil
    }
}

/// Builds a DigitalMicrograph tag tree from values (not from a parsed file), for `DMTagTree.serialized()` to
/// write: data tags are appended to one little-endian payload buffer that the finished tree points into.
///
///     var b = DMTreeBuilder()
///     let scale = b.float32(0.2)
///     let units = b.text("eV")
///     let tree = b.tree(version: 4, root: [("Scale", scale), ("Units", units)])
///     let bytes = tree.serialized()
struct DMTreeBuilder {
    private(set) var payload: [UInt8] = []

    /// A data tag with this info array and little-endian payload.
    mutating func data(info: [Int], bytes: [UInt8]) -> DMTag {
        let offset = payload.count
        payload += bytes
        // The info arrays built here are always valid encodings.
        let encoding = (try? DMEncoding(info: info)) ?? .simple(.int8)
        return .data(DMTagData(encoding: encoding, info: info, payloadOffset: offset, littleEndian: true))
    }

    private static func littleEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0) }
    }

    mutating func int32(_ v: Int32) -> DMTag { data(info: [DMSimpleType.int32.rawValue], bytes: Self.littleEndian(v)) }
    mutating func uint32(_ v: UInt32) -> DMTag { data(info: [DMSimpleType.uint32.rawValue], bytes: Self.littleEndian(v)) }
    mutating func uint16(_ v: UInt16) -> DMTag { data(info: [DMSimpleType.uint16.rawValue], bytes: Self.littleEndian(v)) }
    mutating func float32(_ v: Float) -> DMTag {
        data(info: [DMSimpleType.float32.rawValue], bytes: Self.littleEndian(v.bitPattern))
    }
    mutating func float64(_ v: Double) -> DMTag {
        data(info: [DMSimpleType.float64.rawValue], bytes: Self.littleEndian(v.bitPattern))
    }
    mutating func bool(_ v: Bool) -> DMTag { data(info: [DMSimpleType.bool.rawValue], bytes: [v ? 1 : 0]) }

    /// Text as DigitalMicrograph stores it: an array of UTF-16 code units (info [20, 4, n]).
    mutating func text(_ s: String) -> DMTag {
        let units = Array(s.utf16)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 * units.count)
        for u in units { bytes += Self.littleEndian(u) }
        return data(info: [20, DMSimpleType.uint16.rawValue, units.count], bytes: bytes)
    }

    /// A float32 array (info [20, 6, n]), copied with one memcpy.
    mutating func floats(_ values: [Float]) -> DMTag {
        let bytes: [UInt8] = values.withUnsafeBytes { raw in
            if 1.littleEndian == 1 { return Array(raw) }
            return values.flatMap { Self.littleEndian($0.bitPattern) }
        }
        return data(info: [20, DMSimpleType.float32.rawValue, values.count], bytes: bytes)
    }

    /// A group of named entries ("" for list items).
    func group(_ entries: [(String, DMTag)], sorted: Bool = false, open: Bool = true) -> DMTag {
        .group(DMTagGroup(isSorted: sorted, isOpen: open, entries: entries.map { DMTagEntry(name: $0.0, tag: $0.1) }))
    }

    /// The finished tree (DM3 or DM4, little-endian data) over this builder's payload.
    func tree(version: Int, root: [(String, DMTag)], path: String = "<built in memory>") -> DMTagTree {
        DMTagTree(version: version, littleEndian: true,
                  root: DMTagGroup(isSorted: false, isOpen: true, entries: root.map { DMTagEntry(name: $0.0, tag: $0.1) }),
                  bytes: FileBytes(payload), path: path)
    }
}

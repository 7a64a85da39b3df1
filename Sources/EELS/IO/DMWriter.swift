/// Writes a DM3/DM4 tag tree back to bytes, optionally replacing data tags: used to make test and benchmark
/// files with a real file's tag structure but other data (e.g. a 10 x 638 x 2048 SI shaped like EELS_SI.dm4).
///
///     let tree = try DMTagTree.parse(bytes: bytes, path: path)
///     let big = tree.serialized(replacing: [
///         "ImageList.1.ImageData.Data": .floats(values),             // float32 array
///         "ImageList.1.ImageData.Dimensions.0": .int32(638),
///     ])
extension DMTagTree {
    /// A new payload for a data tag.
    public enum Replacement: Sendable {
        /// A little-endian float32 array (info [20, 6, count]).
        case floats([Float])
        /// A little-endian int32 scalar (info [3]).
        case int32(Int32)
    }

    /// The file's bytes with `replacements` (dotted tag paths as in `DMTagGroup.tag(at:)`) applied.
    public func serialized(replacing replacements: [String: Replacement] = [:]) -> [UInt8] {
        let width = version == 4 ? 8 : 4
        var out: [UInt8] = []
        func put(_ value: Int, _ n: Int) {
            for k in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
        }
        func groupBody(_ group: DMTagGroup, _ path: String) {
            out.append(group.isSorted ? 1 : 0)
            out.append(group.isOpen ? 1 : 0)
            put(group.entries.count, width)
            for (index, entry) in group.entries.enumerated() {
                let key = (path.isEmpty ? "" : path + ".") + (entry.name.isEmpty ? String(index) : entry.name)
                out.append(entry.tag.group != nil ? 20 : 21)
                let name = Array(entry.name.utf8)
                put(name.count, 2)
                out += name
                var lengthAt = -1
                if width == 8 {
                    lengthAt = out.count
                    put(0, 8)
                }
                let start = out.count
                switch entry.tag {
                case .group(let g): groupBody(g, key)
                case .data(let d): dataBody(d, replacements[key])
                }
                if lengthAt >= 0 {
                    let length = out.count - start
                    for k in 0..<8 { out[lengthAt + k] = UInt8(truncatingIfNeeded: length >> (8 * (7 - k))) }
                }
            }
        }
        func dataBody(_ data: DMTagData, _ replacement: Replacement?) {
            out += Array("%%%%".utf8)
            let info: [Int]
            var payload: [UInt8]
            switch replacement {
            case .floats(let values)?:
                info = [20, 6, values.count]
                payload = values.withUnsafeBytes { Array($0) }
            case .int32(let v)?:
                info = [3]
                payload = withUnsafeBytes(of: v.littleEndian) { Array($0) }
            case nil:
                info = data.info
                payload = Array(bytes[data.payloadOffset..<data.payloadOffset + data.payloadLength])
            }
            put(info.count, width)
            for v in info { put(v, width) }
            out += payload
        }
        put(version, 4)
        put(0, width)  // root length, patched below
        put(littleEndian ? 1 : 0, 4)
        groupBody(root, "")
        out += [UInt8](repeating: 0, count: width == 8 ? 16 : 8)
        let rootLength = out.count - (width == 8 ? 16 : 12)
        for k in 0..<width { out[4 + k] = UInt8(truncatingIfNeeded: rootLength >> (8 * (width - 1 - k))) }
        return out
    }
}

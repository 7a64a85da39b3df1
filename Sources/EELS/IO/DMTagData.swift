/// A data tag: its encoding and where its payload lies in the file. Decode with `value(in:)`.
///
///     if let scale = tree.root.tag(at: "ImageList.1.ImageData.Calibrations.Dimension.0.Scale")?.data {
///         scale.value(in: tree.bytes).number   // 1.0
///     }
public struct DMTagData: Sendable {
    public let encoding: DMEncoding
    /// The raw info array, as stored.
    public let info: [Int]
    /// Byte offset of the payload in the file.
    public let payloadOffset: Int
    /// Byte order of the payload.
    public let littleEndian: Bool

    /// Arrays longer than this are not decoded into metadata (image data, look-up tables).
    public static let decodeLimit = 4096

    /// Arrays longer than this are summarised, not spelled out, in flattened metadata.
    public static let metadataArrayLimit = 64

    /// The value as flattened metadata shows it: text and short arrays in full, long arrays summarised.
    public func renderedForMetadata(in bytes: FileBytes) -> String {
        switch encoding {
        case .array(let t, let count) where t != .uint16 && count > DMTagData.metadataArrayLimit:
            return DMValue.large(count: count, element: t).rendered
        case .arrayOfStructures(_, let count) where count > DMTagData.metadataArrayLimit,
             .arrayOfStrings(_, let count) where count > DMTagData.metadataArrayLimit,
             .arrayOfArrays(_, _, let count) where count > DMTagData.metadataArrayLimit:
            return DMValue.large(count: count, element: nil).rendered
        default:
            return value(in: bytes).rendered
        }
    }

    /// Payload size in bytes.
    public var payloadLength: Int { encoding.byteCount }

    /// The decoded value. Bounds were checked when the tree was parsed.
    public func value(in bytes: FileBytes) -> DMValue {
        switch encoding {
        case .simple(let t):
            let v = t.decode(bytes, at: payloadOffset, littleEndian: littleEndian)
            switch t {
            case .float32, .float64: return .real(v)
            case .bool: return .bool(v != 0)
            default:
                // Exact for 64-bit integers; a uint64 beyond Int64.max is kept as a real.
                let exact = t.decodeInteger(bytes, at: payloadOffset, littleEndian: littleEndian)
                return exact.map(DMValue.integer) ?? .real(v)
            }
        case .string(let length):
            return .text(String(decoding: bytes[payloadOffset..<payloadOffset + length], as: UTF8.self))
        case .array(let t, let count):
            guard count <= DMTagData.decodeLimit else { return .large(count: count, element: t) }
            let values = (0..<count).map {
                t.decode(bytes, at: payloadOffset + $0 * t.byteCount, littleEndian: littleEndian)
            }
            if t == .uint16 {  // DigitalMicrograph stores text as UTF-16 code units
                return .text(String(decoding: values.map { UInt16($0) }, as: UTF16.self))
            }
            return .numbers(values)
        case .structure(let fields):
            return .numbers(decodeFields(fields, bytes, at: payloadOffset))
        case .arrayOfStructures(let fields, let count):
            guard count <= DMTagData.decodeLimit else { return .large(count: count, element: nil) }
            let stride = fields.reduce(0) { $0 + $1.byteCount }
            return .list((0..<count).map { .numbers(decodeFields(fields, bytes, at: payloadOffset + $0 * stride)) })
        case .arrayOfStrings(let length, let count):
            guard count <= DMTagData.decodeLimit else { return .large(count: count, element: nil) }
            return .list((0..<count).map {
                let start = payloadOffset + $0 * length
                return .text(String(decoding: bytes[start..<start + length], as: UTF8.self))
            })
        case .arrayOfArrays(let t, let length, let count):
            guard count * length <= DMTagData.decodeLimit else { return .large(count: count * length, element: t) }
            return .list((0..<count).map { i in
                .numbers((0..<length).map {
                    t.decode(bytes, at: payloadOffset + (i * length + $0) * t.byteCount, littleEndian: littleEndian)
                })
            })
        }
    }

    private func decodeFields(_ fields: [DMSimpleType], _ bytes: FileBytes, at start: Int) -> [Double] {
        var offset = start
        return fields.map { t in
            defer { offset += t.byteCount }
            return t.decode(bytes, at: offset, littleEndian: littleEndian)
        }
    }
}

/// A decoded tag value.
public enum DMValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case bool(Bool)
    case text(String)
    /// An array of numbers, or a struct's fields.
    case numbers([Double])
    /// Arrays of structs, strings or arrays.
    case list([DMValue])
    /// An array too long to decode into metadata (image data); `element` nil for compound elements.
    case large(count: Int, element: DMSimpleType?)

    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        case .bool(let v): return v ? 1 : 0
        default: return nil
        }
    }

    /// The value as text, when it is text.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// A short human-readable rendering for flattened metadata.
    public var rendered: String {
        switch self {
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        case .text(let s): return s
        case .numbers(let values):
            return "[" + values.map { $0 == $0.rounded() && Swift.abs($0) < 1e15 ? String(Int64($0)) : String($0) }
                .joined(separator: ", ") + "]"
        case .list(let items): return "[" + items.map(\.rendered).joined(separator: ", ") + "]"
        case .large(let count, let element):
            return "<\(count) values of \(element.map { "\($0)" } ?? "compound type")>"
        }
    }
}

/// The primitive value types of DigitalMicrograph tags (the codes inside a data tag's info array).
public enum DMSimpleType: Int, Sendable, CaseIterable {
    case int16 = 2, int32 = 3, uint16 = 4, uint32 = 5, float32 = 6, float64 = 7, bool = 8, int8Char = 9,
         int8 = 10, int64 = 11, uint64 = 12

    /// Bytes per value.
    public var byteCount: Int {
        switch self {
        case .bool, .int8Char, .int8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// Reads one value at `offset` (caller has bounds-checked) as Double.
    @inline(__always)
    func decode<Bytes: RandomAccessCollection>(_ bytes: Bytes, at offset: Int, littleEndian: Bool) -> Double
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let raw = bits(bytes, at: offset, littleEndian: littleEndian)
        switch self {
        case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case .float64: return Double(bitPattern: raw)
        case .uint16, .uint32, .uint64, .bool: return Double(raw)
        default: return Double(signExtended(raw))
        }
    }

    /// Reads one integer value exactly (Double would round 64-bit values); nil for the float types and for
    /// uint64 values above Int64.max.
    func decodeInteger<Bytes: RandomAccessCollection>(_ bytes: Bytes, at offset: Int, littleEndian: Bool) -> Int64?
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let raw = bits(bytes, at: offset, littleEndian: littleEndian)
        switch self {
        case .float32, .float64: return nil
        case .uint16, .uint32, .uint64, .bool: return Int64(exactly: raw)
        default: return signExtended(raw)
        }
    }

    /// The stored bits, zero-extended.
    @inline(__always)
    private func bits<Bytes: RandomAccessCollection>(_ bytes: Bytes, at offset: Int, littleEndian: Bool) -> UInt64
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var raw: UInt64 = 0
        if littleEndian {
            for i in stride(from: byteCount - 1, through: 0, by: -1) { raw = (raw << 8) | UInt64(bytes[offset + i]) }
        } else {
            for i in 0..<byteCount { raw = (raw << 8) | UInt64(bytes[offset + i]) }
        }
        return raw
    }

    /// The bits of a signed type as its value.
    @inline(__always)
    private func signExtended(_ raw: UInt64) -> Int64 {
        switch self {
        case .int16: return Int64(Int16(truncatingIfNeeded: raw))
        case .int32: return Int64(Int32(truncatingIfNeeded: raw))
        case .int8, .int8Char: return Int64(Int8(truncatingIfNeeded: raw))
        default: return Int64(bitPattern: raw)
        }
    }
}

/// How a data tag's payload is laid out, decoded from its info array.
///
///     try DMEncoding(info: [20, 6, 2048])   // .array(element: .float32, count: 2048)
public enum DMEncoding: Sendable, Equatable {
    case simple(DMSimpleType)
    /// A string of `length` one-byte characters.
    case string(length: Int)
    case array(element: DMSimpleType, count: Int)
    case structure(fields: [DMSimpleType])
    case arrayOfStructures(fields: [DMSimpleType], count: Int)
    case arrayOfStrings(length: Int, count: Int)
    case arrayOfArrays(element: DMSimpleType, length: Int, count: Int)

    enum Invalid: Error { case reason(String) }

    /// Interprets an info array; throws when it describes no encoding DigitalMicrograph writes.
    init(info: [Int]) throws {
        func simple(_ code: Int) throws -> DMSimpleType {
            guard let type = DMSimpleType(rawValue: code) else {
                throw Invalid.reason("unknown data type code \(code) in info array \(info.prefix(8))")
            }
            return type
        }
        func fields(from start: Int) throws -> (fields: [DMSimpleType], end: Int) {
            // [nameLength, fieldCount, (nameLength, type) * fieldCount]
            guard start + 1 < info.count else { throw Invalid.reason("struct definition is cut short") }
            let count = info[start + 1]
            guard count >= 0, start + 2 + 2 * count <= info.count else {
                throw Invalid.reason("struct with \(count) fields does not fit its info array of \(info.count)")
            }
            let types = try (0..<count).map { try simple(info[start + 3 + 2 * $0]) }
            return (types, start + 2 + 2 * count)
        }
        switch info[0] {
        case 15:
            let parsed = try fields(from: 1)
            self = .structure(fields: parsed.fields)
        case 18:
            guard info.count >= 2 else { throw Invalid.reason("string without a length") }
            self = .string(length: info[1])
        case 20:
            guard info.count >= 3 else { throw Invalid.reason("array without element type and length") }
            switch info[1] {
            case 15:
                let parsed = try fields(from: 2)
                guard parsed.end < info.count else { throw Invalid.reason("array of structs without a length") }
                self = .arrayOfStructures(fields: parsed.fields, count: info[parsed.end])
            case 18:
                guard info.count >= 4 else { throw Invalid.reason("array of strings without a length") }
                self = .arrayOfStrings(length: info[2], count: info[3])
            case 20:
                guard info.count >= 5 else { throw Invalid.reason("array of arrays without a length") }
                self = .arrayOfArrays(element: try simple(info[2]), length: info[3], count: info[4])
            default:
                self = .array(element: try simple(info[1]), count: info[2])
            }
        default:
            self = .simple(try simple(info[0]))
        }
        guard byteCount >= 0 else { throw Invalid.reason("data size overflows (info array \(info.prefix(8)))") }
    }

    /// Payload size in bytes; -1 when it overflows.
    public var byteCount: Int {
        func product(_ values: Int...) -> Int {
            var result = 1
            for v in values {
                guard v >= 0 else { return -1 }
                let (p, overflow) = result.multipliedReportingOverflow(by: v)
                if overflow || p > Int(Int32.max) * 16 { return -1 }
                result = p
            }
            return result
        }
        switch self {
        case .simple(let t): return t.byteCount
        case .string(let length): return product(length)
        case .array(let t, let count): return product(t.byteCount, count)
        case .structure(let fields): return fields.reduce(0) { $0 + $1.byteCount }
        case .arrayOfStructures(let fields, let count): return product(fields.reduce(0) { $0 + $1.byteCount }, count)
        case .arrayOfStrings(let length, let count): return product(length, count)
        case .arrayOfArrays(let t, let length, let count): return product(t.byteCount, length, count)
        }
    }
}

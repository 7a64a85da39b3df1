/// A small DEFLATE compressor (RFC 1951): LZ77 over a 32 KiB window with hash chains, coded with the fixed
/// Huffman tables. Enough for PNG images of plots, which are dominated by long runs.
enum Deflate {
    /// `data` as a zlib stream (RFC 1950): header, one fixed-Huffman DEFLATE block, Adler-32.
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.bytes = [0x78, 0x01]
        writer.write(1, bits: 1)  // BFINAL
        writer.write(1, bits: 2)  // BTYPE = 01, fixed Huffman
        compress(data, into: &writer)
        writer.writeSymbol(256)
        writer.flush()
        let adler = adler32(data)
        writer.bytes += [UInt8(adler >> 24), UInt8((adler >> 16) & 0xff), UInt8((adler >> 8) & 0xff),
                         UInt8(adler & 0xff)]
        return writer.bytes
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < data.count {
            let end = min(index + 5552, data.count)
            while index < end {
                a += UInt32(data[index])
                b += a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return (b << 16) | a
    }

    private static let windowSize = 32768
    private static let hashBits = 15
    private static let maxChain = 48

    private static func compress(_ data: [UInt8], into writer: inout BitWriter) {
        let count = data.count
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var previous = [Int32](repeating: -1, count: windowSize)
        func hash(_ i: Int) -> Int {
            let v = (Int(data[i]) << 16) | (Int(data[i + 1]) << 8) | Int(data[i + 2])
            return ((v &* 2_654_435_761) >> 13) & ((1 << hashBits) - 1)
        }
        func insert(_ i: Int) {
            guard i + 2 < count else { return }
            let h = hash(i)
            previous[i & (windowSize - 1)] = head[h]
            head[h] = Int32(i)
        }
        var i = 0
        while i < count {
            var bestLength = 0, bestDistance = 0
            if i + 2 < count {
                var candidate = Int(head[hash(i)])
                var chain = 0
                let maxLength = min(258, count - i)
                while candidate >= 0, i - candidate <= windowSize, chain < maxChain {
                    if data[candidate + bestLength] == data[i + bestLength] || bestLength == 0 {
                        var length = 0
                        while length < maxLength, data[candidate + length] == data[i + length] { length += 1 }
                        if length > bestLength {
                            bestLength = length
                            bestDistance = i - candidate
                            if length == maxLength { break }
                        }
                    }
                    let next = Int(previous[candidate & (windowSize - 1)])
                    if next >= candidate { break }
                    candidate = next
                    chain += 1
                }
            }
            if bestLength >= 3 {
                writer.writeLength(bestLength)
                writer.writeDistance(bestDistance)
                for j in i..<(i + bestLength) { insert(j) }
                i += bestLength
            } else {
                writer.writeSymbol(Int(data[i]))
                insert(i)
                i += 1
            }
        }
    }
}

/// Writes bits least-significant first, as DEFLATE requires, with the fixed Huffman codes.
struct BitWriter {
    var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var filled = 0

    mutating func write(_ value: Int, bits: Int) {
        buffer |= UInt64(value) << UInt64(filled)
        filled += bits
        while filled >= 8 {
            bytes.append(UInt8(buffer & 0xff))
            buffer >>= 8
            filled -= 8
        }
    }

    /// Huffman codes are sent most-significant bit first: reverse them into the LSB-first stream.
    private mutating func writeCode(_ code: Int, bits: Int) {
        var reversed = 0
        for k in 0..<bits where code & (1 << k) != 0 { reversed |= 1 << (bits - 1 - k) }
        write(reversed, bits: bits)
    }

    /// A literal/length symbol 0...287 with the fixed code.
    mutating func writeSymbol(_ symbol: Int) {
        switch symbol {
        case 0...143: writeCode(0x30 + symbol, bits: 8)
        case 144...255: writeCode(0x190 + symbol - 144, bits: 9)
        case 256...279: writeCode(symbol - 256, bits: 7)
        default: writeCode(0xC0 + symbol - 280, bits: 8)
        }
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67,
                                     83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                                      5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
                                       769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                        11, 11, 12, 12, 13, 13]

    mutating func writeLength(_ length: Int) {
        var code = Self.lengthBase.count - 1
        while Self.lengthBase[code] > length { code -= 1 }
        writeSymbol(257 + code)
        if Self.lengthExtra[code] > 0 { write(length - Self.lengthBase[code], bits: Self.lengthExtra[code]) }
    }

    mutating func writeDistance(_ distance: Int) {
        var code = Self.distanceBase.count - 1
        while Self.distanceBase[code] > distance { code -= 1 }
        writeCode(code, bits: 5)
        if Self.distanceExtra[code] > 0 { write(distance - Self.distanceBase[code], bits: Self.distanceExtra[code]) }
    }

    mutating func flush() {
        if filled > 0 { bytes.append(UInt8(buffer & 0xff)) }
        buffer = 0
        filled = 0
    }
}

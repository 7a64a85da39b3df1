import Foundation

/// An indexed-colour image (palette + optional transparency) and its PNG encoding.
///
///     var image = PNGImage(width: 2, height: 1, palette: [.white, .blue])
///     image.pixels[1] = 1
///     let png: [UInt8] = image.png()     // indexed PNG, deflate-compressed
public struct PNGImage: Sendable {
    /// Size in pixels.
    public let width: Int
    public let height: Int
    /// Up to 256 colours; `pixels` index into it.
    public var palette: [Color]
    /// Opacity per palette entry (0 transparent ... 255 opaque); missing entries are opaque.
    public var alpha: [UInt8]
    /// Row-major palette indices, `width * height` of them, row 0 at the top.
    public var pixels: [UInt8]

    /// A blank image of palette index 0.
    public init(width: Int, height: Int, palette: [Color], alpha: [UInt8] = []) {
        self.width = max(width, 1)
        self.height = max(height, 1)
        self.palette = palette.isEmpty ? [.white] : Array(palette.prefix(256))
        self.alpha = alpha
        self.pixels = [UInt8](repeating: 0, count: self.width * self.height)
    }

    /// The PNG file bytes (colour type 3, at 1, 2, 4 or 8 bits per pixel as the palette size allows).
    public func png() -> [UInt8] {
        let depth = palette.count <= 2 ? 1 : palette.count <= 4 ? 2 : palette.count <= 16 ? 4 : 8
        let perByte = 8 / depth
        let rowBytes = (width + perByte - 1) / perByte
        var raw = [UInt8](repeating: 0, count: (rowBytes + 1) * height)
        let mask = UInt8((1 << depth) - 1)
        for row in 0..<height {
            let start = row * (rowBytes + 1) + 1  // filter byte 0 (None) precedes each row
            let source = row * width
            for column in 0..<width {
                let shift = 8 - depth * (column % perByte + 1)
                raw[start + column / perByte] |= (pixels[source + column] & mask) << shift
            }
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        header += [UInt8(depth), 3, 0, 0, 0]
        Self.appendChunk("IHDR", header, to: &out)
        Self.appendChunk("PLTE", palette.flatMap { [$0.red, $0.green, $0.blue] }, to: &out)
        if alpha.contains(where: { $0 != 255 }) {
            Self.appendChunk("tRNS", Array(alpha.prefix(palette.count)), to: &out)
        }
        Self.appendChunk("IDAT", Deflate.zlib(raw), to: &out)
        Self.appendChunk("IEND", [], to: &out)
        return out
    }

    /// The PNG as a `data:` URI for an SVG `<image href=...>`.
    public func dataURI() -> String {
        "data:image/png;base64," + Data(png()).base64EncodedString()
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian(UInt32(data.count))
        out += typeBytes
        out += data
        out += bigEndian(crc32(typeBytes + data))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

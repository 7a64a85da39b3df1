import Foundation
import SVGPlot
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A decoded RGBA image, row 0 at the top.
struct RGBAImage {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 4
        return (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }

    /// Opaque pixels within `tolerance` (per channel) of `color`, inside the optional region.
    func count(_ color: Color, tolerance: Int = 24, region: (x: Range<Int>, y: Range<Int>)? = nil) -> Int {
        let xs = region?.x ?? 0..<width, ys = region?.y ?? 0..<height
        var total = 0
        for y in ys {
            for x in xs {
                let p = pixel(x, y)
                if p.3 > 200, abs(Int(p.0) - Int(color.red)) <= tolerance,
                   abs(Int(p.1) - Int(color.green)) <= tolerance,
                   abs(Int(p.2) - Int(color.blue)) <= tolerance { total += 1 }
            }
        }
        return total
    }

    /// Pixels that are not (near) white or transparent.
    var inkedPixels: Int {
        var total = 0
        for i in stride(from: 0, to: pixels.count, by: 4) where pixels[i + 3] > 0 {
            if pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235 { total += 1 }
        }
        return total
    }
}

/// Tools the rendering tests need: rsvg-convert (Debian librsvg2-bin) and python3 (for zlib inflate).
enum RasterCheck {
    static func tool(_ name: String) throws -> String {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in paths {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let message = "\(name) is not installed: this rendering test needs it (Debian: librsvg2-bin, python3)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(message)
            throw NSError(domain: "RasterCheck", code: 1, userInfo: [NSLocalizedDescriptionKey: message])
        }
        throw XCTSkip(message)
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), input = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        if stdin != nil { process.standardInput = input }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "RasterCheck", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(executable) failed: \(errorText)"])
        }
        return data
    }

    /// Folder for rendered files: $SVGPLOT_KEEP when set (to look at them), else a temporary folder.
    static let folder: URL = {
        if let keep = ProcessInfo.processInfo.environment["SVGPLOT_KEEP"] {
            let url = URL(fileURLWithPath: keep)
            try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svgplot-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Renders `svg` with rsvg-convert and decodes the PNG.
    static func render(_ svg: String, name: String) throws -> RGBAImage {
        let rsvg = try tool("rsvg-convert")
        let svgURL = folder.appendingPathComponent(name + ".svg")
        let pngURL = folder.appendingPathComponent(name + ".png")
        try Data(svg.utf8).write(to: svgURL)
        try run(rsvg, ["-o", pngURL.path, svgURL.path])
        return try decodePNG(Data(contentsOf: pngURL))
    }

    /// Decodes a PNG (8-bit RGB/RGBA, or 4/8-bit indexed with tRNS) using python3's zlib for the inflate step.
    static func decodePNG(_ data: Data) throws -> RGBAImage {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw NSError(domain: "RasterCheck", code: 2, userInfo: [NSLocalizedDescriptionKey: "not a PNG"])
        }
        func u32(_ i: Int) -> Int {
            Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        }
        var offset = 8
        var width = 0, height = 0, depth = 0, colorType = 0
        var palette: [UInt8] = [], transparency: [UInt8] = [], compressed: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            switch type {
            case "IHDR":
                width = Int(body[0]) << 24 | Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3])
                height = Int(body[4]) << 24 | Int(body[5]) << 16 | Int(body[6]) << 8 | Int(body[7])
                depth = Int(body[8]); colorType = Int(body[9])
            case "PLTE": palette = body
            case "tRNS": transparency = body
            case "IDAT": compressed += body
            default: break
            }
            offset += 12 + length
        }
        let python = try tool("python3")
        let inflate = "import sys,zlib;sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"
        let raw = [UInt8](try run(python, ["-c", inflate],
                                  stdin: Data(compressed)))
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType] ?? 4
        let bitsPerPixel = channels * depth
        let stride = (width * bitsPerPixel + 7) / 8
        let bpp = max(1, bitsPerPixel / 8)
        var previous = [UInt8](repeating: 0, count: stride)
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        for row in 0..<height {
            let start = row * (stride + 1)
            let filter = raw[start]
            var line = Array(raw[(start + 1)..<(start + 1 + stride)])
            for i in 0..<stride {
                let a = i >= bpp ? Int(line[i - bpp]) : 0, b = Int(previous[i])
                let c = i >= bpp ? Int(previous[i - bpp]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: predictor = 0
                }
                line[i] = UInt8((Int(line[i]) + predictor) & 0xff)
            }
            previous = line
            for x in 0..<width {
                let o = (row * width + x) * 4
                switch colorType {
                case 6: for k in 0..<4 { rgba[o + k] = line[x * 4 + k] }
                case 2: for k in 0..<3 { rgba[o + k] = line[x * 3 + k] }; rgba[o + 3] = 255
                case 3:
                    let perByte = 8 / depth, shift = 8 - depth * (x % perByte + 1)
                    let index = Int((line[x / perByte] >> UInt8(shift)) & UInt8((1 << depth) - 1))
                    for k in 0..<3 { rgba[o + k] = palette[index * 3 + k] }
                    rgba[o + 3] = index < transparency.count ? transparency[index] : 255
                default: throw NSError(domain: "RasterCheck", code: 3,
                                       userInfo: [NSLocalizedDescriptionKey: "colour type \(colorType) unsupported"])
                }
            }
        }
        return RGBAImage(width: width, height: height, pixels: rgba)
    }
}

/// Parses SVG text as XML and collects element names and text content.
final class XMLCheck: NSObject, XMLParserDelegate {
    private(set) var elementNames: [String] = []
    private(set) var texts: [String] = []
    private var currentText = ""

    @discardableResult
    /// Parses `svg`; fails the test with the parser's error when it is not well-formed XML.
    static func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = check
        let ok = parser.parse()
        XCTAssertTrue(ok, "SVG is not well-formed XML: \(String(describing: parser.parserError))",
                      file: file, line: line)
        return check
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elementNames.append(elementName)
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        if elementName == "text" || elementName == "title" { texts.append(currentText) }
        currentText = ""
    }
}

import Foundation
import XCTest
import EELS
import TestSupport

/// Truncated, corrupted and random-byte DM files give `EELSError.file` saying where parsing failed;
/// never a crash or a hang.
final class IOCorruptionTests: XCTestCase {
    func realBytes(_ name: String) throws -> [UInt8] {
        try readFileBytes(try SharedData.url(name).path)
    }

    /// Parses `bytes` as DM and returns the error, or nil when it parsed (a mutation may leave a valid file).
    func parse(_ bytes: [UInt8]) -> Error? {
        do {
            _ = try DMFile(bytes: bytes, path: "mutant.dm").load()
            return nil
        } catch {
            return error
        }
    }

    func testEveryTruncationOfARealFileFailsCleanlyWithAnOffset() throws {
        for name in ["data/real/EELS_SI.dm4", "data/real/test-EELS_spectrum.dm3", "data/dm-types/dm3_3D/test-8.dm3"] {
            let bytes = try realBytes(name)
            var lengths = Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 400)))
            // DM files end with 8 (DM3) or 16 (DM4) zero bytes that no tag covers; cut inside the tags.
            lengths += [bytes.count - 17, bytes.count - 20, 3, 7, 15]
            for length in lengths {
                let error = parse(Array(bytes.prefix(length)))
                guard let eels = error as? EELSError, case .file(let path, let detail) = eels else {
                    XCTFail("\(name) cut to \(length) bytes: expected EELSError.file, got \(String(describing: error))")
                    continue
                }
                XCTAssertEqual(path, "mutant.dm")
                XCTAssertTrue(detail.contains("offset") || detail.contains("ImageList"), "\(length): \(detail)")
            }
        }
    }

    func testCorruptedBytesGiveFileErrorsOrValidReads() throws {
        let bytes = try realBytes("data/real/test-EELS_spectrum.dm3")
        var rng = SeededGenerator(seed: 11)
        var failures = 0
        for _ in 0..<150 {
            var mutant = bytes
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                // Hit the tag structure (first 40 kB) hardest.
                let i = Int.random(in: 0..<min(mutant.count, 40_000), using: &rng)
                mutant[i] = UInt8.random(in: 0...255, using: &rng)
            }
            if let error = parse(mutant) {
                failures += 1
                XCTAssertTrue(error is EELSError, "\(error)")
            }
        }
        XCTAssertGreaterThan(failures, 0)
    }

    func testRandomBytesAndHostileCounts() throws {
        var rng = SeededGenerator(seed: 12)
        for n in [0, 1, 4, 16, 100, 5000] {
            let random = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            XCTAssertNotNil(parse(random) as? EELSError)
            // Random bytes behind a valid DM4 header.
            XCTAssertNotNil(parse([0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] + random) as? EELSError)
        }
        // A root group claiming 2^31 - 1 tags, and a data tag claiming a 2^31-element array.
        let hugeCount: [UInt8] = [0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0x7F, 0xFF, 0xFF, 0xFF]
        XCTAssertTrue("\(parse(hugeCount)!)".contains("tag count"))
        let hugeArray: [UInt8] = [0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1,
                                  21, 0, 1, 65] + Array("%%%%".utf8) + [0, 0, 0, 3, 0, 0, 0, 20, 0, 0, 0, 7,
                                  0x7F, 0xFF, 0xFF, 0xFF]
        let error = "\(parse(hugeArray)!)"
        XCTAssertTrue(error.contains("root.A"), error)
        // Deep nesting is refused, not a stack overflow.
        var deep: [UInt8] = [0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1]
        for _ in 0..<10_000 { deep += [20, 0, 0, 1, 0, 0, 0, 0, 1] }
        XCTAssertTrue("\(parse(deep)!)".contains("nested deeper"))
    }

    /// Found by the 10^6 fuzz run: a uint64 tag above Int64.max trapped converting to Int64. 64-bit integers
    /// now decode exactly; such a uint64 becomes a real. A float DataType of NaN or 1e300 is refused, not trapped.
    func testSixtyFourBitIntegerTagsDecodeExactly() throws {
        func dm4(_ tags: [(name: String, type: UInt8, payload: [UInt8])]) -> [UInt8] {
            func be(_ v: Int, _ n: Int) -> [UInt8] {
                (0..<n).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
            }
            var out: [UInt8] = [0, 0, 0, 4] + be(0, 8) + be(1, 4) + [1, 0] + be(tags.count, 8)
            for tag in tags {
                out += [21] + be(tag.name.utf8.count, 2) + Array(tag.name.utf8) + be(0, 8) + Array("%%%%".utf8)
                out += be(1, 8) + be(Int(tag.type), 8) + tag.payload
            }
            return out
        }
        let tree = try DMTagTree.parse(bytes: dm4([
            ("Big", 12, [UInt8](repeating: 0xFF, count: 8)),          // uint64 2^64 - 1
            ("Exact", 11, [1, 0, 0, 0, 0, 0, 0, 0x10]),               // int64 2^60 + 1
            ("Negative", 11, [UInt8](repeating: 0xFF, count: 8)),     // int64 -1
        ]), path: "tags.dm4")
        XCTAssertEqual(tree.root["Big"]?.data?.value(in: tree.bytes), .real(18446744073709551615))
        XCTAssertEqual(tree.root["Exact"]?.data?.value(in: tree.bytes), .integer(1 << 60 + 1))
        XCTAssertEqual(tree.root["Negative"]?.data?.value(in: tree.bytes), .integer(-1))
        // An ImageList whose DataType is a float64 NaN: a FileError, not a trap.
        var file = try XCTUnwrap(try readFileBytes(try SharedData.url("data/real/EELS_SI.dm4").path))
        let original = try DMTagTree.parse(bytes: file, path: "x")
        let image = try DMFile(bytes: file, path: "x").images[0]
        let dataType = try XCTUnwrap(original.root.tag(at: "ImageList.\(image.listIndex).ImageData.DataType")?.data)
        // Same width: a 4-byte integer type (int32 = 3 or uint32 = 5) -> float32 (6), payload NaN.
        XCTAssertEqual(dataType.payloadLength, 4)
        let infoAt = dataType.payloadOffset - 8
        XCTAssertTrue([3, 5].contains(file[infoAt + 7]))
        file[infoAt + 7] = 6
        for k in 0..<4 { file[dataType.payloadOffset + k] = [0, 0, 0xC0, 0x7F][k] }
        XCTAssertThrowsError(try DMFile(bytes: file, path: "nan.dm4")) {
            XCTAssertTrue("\($0)".contains("DataType nan"), "\($0)")
        }
    }
}

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
}

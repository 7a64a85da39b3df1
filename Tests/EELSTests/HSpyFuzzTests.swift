import EELS
import Foundation
import XCTest

/// Mutated .hspy files read from memory: each must load or throw `EELSError.file` (libhdf5's own checks plus
/// ours), never trap. About 1 in 80 mutations crashes libhdf5 1.10 itself (in H5Aiterate2 on a corrupt attribute
/// table); `HDF5Isolation`'s check process turns those into FileErrors. `EELS_HSPY_FUZZ_ITERATIONS` sets the count (default 200; each read forks a check process), `EELS_HSPY_FUZZ_SEED` the stream.
final class HSpyFuzzTests: XCTestCase {
    func testMutatedFilesLoadOrThrowFileErrors() throws {
        let env = ProcessInfo.processInfo.environment
        let iterations = Int(env["EELS_HSPY_FUZZ_ITERATIONS"] ?? "") ?? 200
        var seed = UInt64(env["EELS_HSPY_FUZZ_SEED"] ?? "") ?? 17
        func next() -> UInt64 {  // SplitMix64
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hspy-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var si = SpectrumImage(rows: 3, columns: 5, energy: UniformAxis(offset: 500, scale: 0.5, size: 40),
                               data: (0..<600).map { Float($0 % 31) }, metadata: ["title": "fuzz", "a.b.c": "1"])
        si.rowAxis = UniformAxis(offset: 1, scale: 2, size: 3, units: "nm", name: "y")
        let seedPath = dir.appendingPathComponent("seed.hspy").path
        try HSpyFormat.write(si, to: seedPath)
        let original = try readFileBytes(seedPath)
        var loaded = 0, failed = 0
        for _ in 0..<iterations {
            var bytes = original
            switch next() % 4 {
            case 0:  // truncate
                bytes = Array(bytes.prefix(Int(next() % UInt64(bytes.count))))
            case 1:  // flip a few bytes anywhere after the signature
                for _ in 0..<(1 + next() % 8) { bytes[8 + Int(next() % UInt64(bytes.count - 8))] ^= UInt8(truncatingIfNeeded: next() | 1) }
            case 2:  // overwrite a run with one value
                let start = Int(next() % UInt64(bytes.count)), length = Int(next() % 64)
                for i in start..<min(bytes.count, start + length) { bytes[i] = UInt8(truncatingIfNeeded: next()) }
            default:  // small integers (sizes, offsets) nudged
                let i = 8 + Int(next() % UInt64(bytes.count - 8))
                bytes[i] = bytes[i] &+ UInt8(1 + next() % 3)
            }
            do {
                _ = try HSpyFormat.read(bytes: bytes, path: "fuzz.hspy")
                loaded += 1
            } catch let error as EELSError {
                guard case .file(_, let detail) = error else { return XCTFail("not a file error: \(error)") }
                failed += 1
                if detail.contains("crashed"), let dump = env["EELS_HSPY_FUZZ_DUMP"] {  // keep crashers to replay
                    try Data(bytes).write(to: URL(fileURLWithPath: dump).appendingPathComponent("crash-\(failed).hspy"))
                }
            }
        }
        XCTAssertEqual(loaded + failed, iterations)
        XCTAssertGreaterThan(failed, 0, "mutations must break some files")
    }
}

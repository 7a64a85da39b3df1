import Foundation
import XCTest
import EELS
import TestSupport

/// The DM fuzz target. A short run is part of every test run; the long run is
/// `EELS_FUZZ_ITERATIONS=1000000 swift test -c release --filter IOFuzzTests` (README, Development).
final class IOFuzzTests: XCTestCase {
    func testDMParserSurvivesMutatedFiles() throws {
        let folders = ["dm3_1D", "dm3_2D", "dm3_3D", "dm4_2D", "dm4_3D"]
        var seeds: [[UInt8]] = []
        for folder in folders {
            for name in ["test-2", "test-8", "test-13", "test-14"] {
                let ext = folder.hasPrefix("dm3") ? "dm3" : "dm4"
                seeds.append(try readFileBytes(try SharedData.url("data/dm-types/\(folder)/\(name).\(ext)").path))
            }
        }
        let environment = ProcessInfo.processInfo.environment
        let iterations = Int(environment["EELS_FUZZ_ITERATIONS"] ?? "") ?? 2_000
        let seed = UInt64(environment["EELS_FUZZ_SEED"] ?? "") ?? 20211125
        var fuzzer = DMFuzzer(seeds: seeds, seed: seed)
        let start = Date()
        let report = fuzzer.run(iterations: iterations)
        print("DM fuzz (seed \(seed)): \(report) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        for (kind, count) in report.rejectionKinds.sorted(by: { $0.value > $1.value }).prefix(8) {
            print("  \(count) x \(kind)")
        }
        XCTAssertEqual(report.iterations, iterations)
        XCTAssertEqual(report.otherErrors, [])
        // No hang: every input is decided within 2 s of CPU time (the seeds are at most a few hundred kB; CPU
        // time, because a loaded machine can stall a thread for seconds). The slowest input is replayed and
        // must also finish within 0.5 s of wall time.
        XCTAssertLessThan(report.slowestSeconds, 2.0)
        var replay = DMFuzzer(seeds: seeds, seed: seed)
        for _ in 0..<report.slowestIteration { _ = replay.nextInput() }
        let slowest = replay.nextInput()
        let again = Date()
        _ = try? DMFile(bytes: slowest, path: "slowest").load()
        let seconds = Date().timeIntervalSince(again)
        print("  slowest input #\(report.slowestIteration) (\(slowest.count) bytes) again: "
            + "\(String(format: "%.4f", seconds)) s")
        XCTAssertLessThan(seconds, 0.5)
        XCTAssertGreaterThan(report.rejected, 0)
        XCTAssertGreaterThan(report.loaded, 0)
    }
}

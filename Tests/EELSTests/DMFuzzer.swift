import Foundation
import EELS

/// A deterministic mutation fuzzer for the DM3/DM4 reader: it mutates seed files (bit flips, interesting
/// integers in the big-endian tag headers, truncation, chunk insertion/deletion, splices of two seeds) and
/// checks that every input either loads or throws `EELSError` — never traps, never hangs.
///
///     var fuzzer = DMFuzzer(seeds: [bytesA, bytesB], seed: 1)
///     let report = fuzzer.run(iterations: 1_000_000)
///     report.loaded + report.rejected == 1_000_000
public struct DMFuzzer {
    /// The seed corpus (whole DM files).
    public var seeds: [[UInt8]]
    private var rng: SeededGenerator

    /// What a run saw.
    public struct Report: Sendable, CustomStringConvertible {
        public var iterations = 0
        /// Inputs that loaded as data.
        public var loaded = 0
        /// Inputs rejected with `EELSError`.
        public var rejected = 0
        /// Inputs that threw anything else (a bug: the reader must only throw EELSError).
        public var otherErrors: [String] = []
        /// Rejections by the first words of their detail, to see which checks fire (at most `kindLimit` kinds).
        public var rejectionKinds: [String: Int] = [:]
        /// How many distinct rejection kinds are counted.
        public static let kindLimit = 1000
        /// The most CPU time (this thread's, seconds) any one input took to load or be rejected: a hang shows
        /// here, a stall waiting for a core on a loaded machine does not.
        public var slowestSeconds = 0.0
        /// Which input (0-based, in this run's stream) was the slowest: regenerate it with the same seed.
        public var slowestIteration = 0

        public var description: String {
            "\(iterations) inputs: \(loaded) loaded, \(rejected) rejected with EELSError, "
                + "\(otherErrors.count) other errors; slowest input #\(slowestIteration) took "
                + "\(String(format: "%.4f", slowestSeconds)) s of CPU"
        }
    }

    /// A fuzzer over `seeds` whose mutations are determined by `seed`.
    public init(seeds: [[UInt8]], seed: UInt64) {
        precondition(!seeds.isEmpty, "DMFuzzer needs at least one seed file")
        self.seeds = seeds
        self.rng = SeededGenerator(seed: seed)
    }

    /// The next mutated input.
    public mutating func nextInput() -> [UInt8] {
        var bytes = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds { mutate(&bytes) }
        return bytes
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { bytes = [0, 0, 0, 4]; return }
        // Most of a DM file's structure is in its first kilobytes and around its tags; bias positions low.
        func position() -> Int {
            let limit = Bool.random(using: &rng) ? Swift.min(bytes.count, 4096) : bytes.count
            return Int.random(in: 0..<limit, using: &rng)
        }
        switch Int.random(in: 0..<8, using: &rng) {
        case 0:
            let i = position()
            bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        case 1:
            bytes[position()] = UInt8.random(in: 0...255, using: &rng)
        case 2:
            // An interesting big-endian integer over 2, 4 or 8 bytes (tag counts, lengths, info arrays).
            let interesting: [UInt64] = [0, 1, 2, 3, 4, 15, 18, 20, 21, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF,
                                         0xFFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, UInt64.max]
            let value = interesting[Int.random(in: 0..<interesting.count, using: &rng)]
            let width = [2, 4, 8][Int.random(in: 0..<3, using: &rng)]
            let i = position()
            for k in 0..<width where i + k < bytes.count {
                bytes[i + k] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (width - 1 - k)))
            }
        case 3:
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
        case 4:
            let i = position()
            let n = Swift.min(Int.random(in: 1...64, using: &rng), bytes.count - i)
            bytes.removeSubrange(i..<i + n)
        case 5:
            let i = position()
            bytes.insert(contentsOf: (0..<Int.random(in: 1...32, using: &rng)).map { _ in
                UInt8.random(in: 0...255, using: &rng)
            }, at: i)
        case 6:
            // Duplicate a chunk elsewhere (repeats tags, shifts offsets).
            let i = position(), j = position()
            let n = Swift.min(Int.random(in: 1...128, using: &rng), bytes.count - i)
            bytes.insert(contentsOf: bytes[i..<i + n], at: j)
        default:
            // Splice: our head, another seed's tail.
            let other = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            let cut = position()
            let otherCut = Int.random(in: 0..<Swift.max(other.count, 1), using: &rng)
            bytes = Array(bytes[..<cut]) + (other.isEmpty ? [] : Array(other[otherCut...]))
        }
    }

    /// Runs `iterations` inputs through `DMFile` and `load()`. Only the reader is timed, not the bookkeeping.
    public mutating func run(iterations: Int) -> Report {
        var report = Report()
        for _ in 0..<iterations {
            let input = nextInput()
            report.iterations += 1
            let start = threadCPUSeconds()
            let outcome = Result { try DMFile(bytes: input, path: "fuzz").load() }
            let seconds = threadCPUSeconds() - start
            if seconds > report.slowestSeconds {
                report.slowestSeconds = seconds
                report.slowestIteration = report.iterations - 1
            }
            switch outcome {
            case .success:
                report.loaded += 1
            case .failure(let error as EELSError):
                report.rejected += 1
                if case .file(_, let detail) = error {
                    // The first words name the check; messages carry offsets, so cap the distinct kinds kept.
                    let kind = detail.split(separator: " ").prefix(3).joined(separator: " ")
                    if report.rejectionKinds.count < Report.kindLimit || report.rejectionKinds[kind] != nil {
                        report.rejectionKinds[kind, default: 0] += 1
                    }
                }
            case .failure(let error):
                if report.otherErrors.count < 20 { report.otherErrors.append("\(error)") }
            }
        }
        return report
    }
}

/// CPU time consumed by the calling thread, in seconds.
private func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

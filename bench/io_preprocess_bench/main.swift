// Our side of bench/io_preprocess.sh.
//   io-preprocess-bench generate IN.dm4 OUT.dm4 ROWS COLUMNS   a float32 SI with IN's tag structure
//   io-preprocess-bench time FILE.dm4 REPEATS OUT.npy            medians (ms) as JSON; results to OUT_*.npy
//   io-preprocess-bench profile FILE.dm4 REPEATS                 the read's parts (map, tags, metadata, decode)
import EELS
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func clock(_ id: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(id, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}

/// Wall times (ms) of the last `milliseconds` calls, by the key the caller files them under.
var wallTimes: [String: [Double]] = [:]

/// Process CPU time of `body` in ms (the shared machine is oversubscribed, so wall time mostly measures waiting;
/// the Python side measures time.process_time() the same way). The wall time goes to `wallTimes[key]`.
func milliseconds(_ key: String = "", _ body: () throws -> Void) rethrows -> Double {
    let start = clock(CLOCK_PROCESS_CPUTIME_ID), wallStart = clock(CLOCK_MONOTONIC)
    try body()
    if !key.isEmpty { wallTimes[key, default: []].append(clock(CLOCK_MONOTONIC) - wallStart) }
    return clock(CLOCK_PROCESS_CPUTIME_ID) - start
}

let args = CommandLine.arguments
guard args.count >= 2 else { fail("usage: io-preprocess-bench generate|time ...") }

do {
    switch args[1] {
    case "generate":
        guard args.count == 6, let rows = Int(args[4]), let columns = Int(args[5]) else {
            fail("usage: generate IN.dm4 OUT.dm4 ROWS COLUMNS")
        }
        let file = try DMFile(path: args[2])
        let image = file.images[0]
        let channels = image.dimensions[2]
        var rng = SeededGenerator(seed: 7)
        // Counts shaped like the source's mean spectrum, with Poisson noise, energy slowest (DM's SI order).
        let source = try file.load().spectrumImage!.meanSpectrum().values
        var values = [Float](repeating: 0, count: rows * columns * channels)
        for k in 0..<channels {
            for p in 0..<(rows * columns) {
                values[k * rows * columns + p] = Float(rng.nextPoisson(mean: Double(max(source[k], 0)) / 50))
            }
        }
        let prefix = "ImageList.\(image.listIndex).ImageData"
        let bytes = file.tree.serialized(replacing: [
            "\(prefix).Data": .floats(values),
            "\(prefix).Dimensions.0": .int32(Int32(columns)),
            "\(prefix).Dimensions.1": .int32(Int32(rows)),
        ])
        try Data(bytes).write(to: URL(fileURLWithPath: args[3]))
    case "time":
        guard args.count == 5, let repeats = Int(args[3]) else { fail("usage: time FILE.dm4 REPEATS OUT_PREFIX") }
        let path = args[2]
        var times: [String: [Double]] = [:]
        var si: SpectrumImage!
        var cropped: SpectrumImage!, rebinned: SpectrumImage!, blocks: SpectrumImage!, net: SpectrumImage!
        for _ in 0..<repeats {
            times["read", default: []].append(try milliseconds("read") { si = try load(path).spectrumImage! })
            times["crop", default: []].append(try milliseconds("crop") { cropped = try si.crop(440...580) })
            times["rebin", default: []].append(try milliseconds("rebin") { rebinned = try cropped.rebin(energy: 2) })
            times["block_mean", default: []].append(try milliseconds("block_mean") {
                blocks = try rebinned.blockMean(rows: 10, columns: 40)
            })
            times["background", default: []].append(try milliseconds("background") {
                // One power-law fit per block (pixels of a block share its mean), subtracted from every pixel.
                let (means, owner) = try rebinned.blockMeans(rows: 10, columns: 40)
                let ch = rebinned.channels
                let fits = try (0..<(means.count / ch)).map { b in
                    try Spectrum(values: Array(means[b * ch..<(b + 1) * ch]), energy: rebinned.energy)
                        .fitBackground(.powerLaw, in: 498...528)
                }
                net = try blocks.subtractingBackground(owner.map { fits[$0] })
            })
            cropped = nil  // as on the peer's side, where the cropped array is local to one pipeline run
        }
        try NPYFormat.write(blocks, to: args[4] + "_block_mean.npy")
        try NPYFormat.write(net, to: args[4] + "_net.npy")
        try NPYFormat.write(rebinned, to: args[4] + "_rebinned.npy")
        var medians = times.mapValues(median)
        for (key, values) in wallTimes { medians["wall." + key] = median(values) }
        let json = try JSONSerialization.data(withJSONObject: medians, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    case "profile":
        guard args.count == 4, let repeats = Int(args[3]) else { fail("usage: profile FILE.dm4 REPEATS") }
        var times: [String: [Double]] = [:]
        for _ in 0..<repeats {
            var bytes: FileBytes!, file: DMFile!
            times["map", default: []].append(try milliseconds { bytes = try FileBytes(mapping: args[2]) })
            times["tags", default: []].append(try milliseconds { file = try DMFile(bytes: bytes, path: args[2]) })
            times["metadata", default: []].append(milliseconds { _ = file.flattenedTags })
            times["decode", default: []].append(try milliseconds {
                _ = try file.images[0].channelsLastValues(in: file.tree.bytes)
            })
        }
        let json = try JSONSerialization.data(withJSONObject: times.mapValues(median), options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    default:
        fail("unknown command \(args[1])")
    }
} catch {
    fail("error: \(error)")
}

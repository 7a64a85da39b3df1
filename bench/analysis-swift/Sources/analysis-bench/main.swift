// Runs our PCA, t-SNE and Gaussian fits on a raw float32 matrix and prints one JSON object (bench/analysis.py).
// usage: analysis-bench DATA.f32 ROWS COLS OUT_PREFIX [--skip-tsne]
import EELS
import Foundation

func now() -> Double { Date().timeIntervalSinceReferenceDate }
/// CPU seconds of this process, all threads (the machine is shared: CPU time is steadier than wall time).
func cpu() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }

let args = CommandLine.arguments
guard args.count >= 5, let rows = Int(args[2]), let cols = Int(args[3]) else {
    FileHandle.standardError.write("usage: analysis-bench DATA.f32 ROWS COLS OUT_PREFIX [--skip-tsne]\n".data(using: .utf8)!)
    exit(2)
}
let raw = try Data(contentsOf: URL(fileURLWithPath: args[1]))
var x = [Float](repeating: 0, count: rows * cols)
_ = x.withUnsafeMutableBytes { raw.copyBytes(to: $0) }
let prefix = args[4]
var out: [String: Any] = [:]

// PCA: 3 components, median of 7 runs (after one warm-up).
_ = try PCA(components: 3).fit(x, rows: rows, cols: cols)
var pcaTimes: [Double] = []
var pcaResult: PCAResult!
for _ in 0..<7 {
    let t0 = now()
    pcaResult = try PCA(components: 3).fit(x, rows: rows, cols: cols)
    pcaTimes.append(now() - t0)
}
out["pca_s"] = median(pcaTimes)
out["pca_explained_variance_ratio"] = pcaResult.explainedVarianceRatio

// Peak fits: 2 Gaussians + linear background on 524-545 eV, from a common start (bench/analysis.py writes it).
let energy = UniformAxis(offset: 520, scale: 0.25, size: cols)
let startText = try String(contentsOfFile: prefix + "start.txt", encoding: .utf8)
let start = startText.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
let si = SpectrumImage(rows: rows, columns: 1, energy: energy, data: x)
var options = PeakFitOptions(start: start)
options.positionRange = 3.5
var fitTimes: [Double] = [], fitCPU: [Double] = []
var maps: PeakFitMap!
for _ in 0..<3 {
    let t0 = now(), c0 = cpu()
    maps = try fitGaussians(si, peaks: [528, 535], window: 524...545, background: .linear, options: options)
    fitTimes.append(now() - t0)
    fitCPU.append(cpu() - c0)
}
out["fit_s"] = median(fitTimes)
out["fit_cpu_s"] = median(fitCPU)
out["fit_success"] = maps.successRate
var failures: [String] = []
for p in 0..<rows where !maps.success[p] && failures.count < 8 {
    let r = try fitGaussians(si[p, 0], peaks: [528, 535], window: 524...545, background: .linear, options: options)
    failures.append("pixel \(p): \(r.message) after \(r.iterations) iterations, \(r.parameters)")
}
out["fit_failures"] = failures
var params = [Double]()
params.reserveCapacity(rows * 8)
for p in 0..<rows { for j in 0..<8 { params.append(maps.parameterValues[j][p]) } }
try params.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: prefix + "ours_params.f64"))

// t-SNE: perplexity 30, 250 + 750 iterations, Barnes-Hut theta 0.5.
if !args.contains("--skip-tsne") {
    let t0 = now(), c0 = cpu()
    var phaseStart = t0
    var knnTime = 0.0
    let r = try tsne(x, n: rows, d: cols, perplexity: 30, seed: 1, progress: { p in
        if p.iteration == 1 { knnTime = now() - t0; phaseStart = now() }
    })
    out["tsne_s"] = now() - t0
    out["tsne_cpu_s"] = cpu() - c0
    out["tsne_affinities_s"] = knnTime
    out["tsne_optimise_s"] = now() - phaseStart
    out["tsne_kl"] = r.kl
    try r.embedding.withUnsafeBufferPointer { Data(buffer: $0) }
        .write(to: URL(fileURLWithPath: prefix + "ours_tsne.f64"))
}
let json = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
print(String(data: json, encoding: .utf8)!)

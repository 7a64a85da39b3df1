import EELS
import XCTest

/// The measurements behind the paper's Fig. 3B (SNR against frame rate) and SI Table 2 (fits per pixel).
final class FrameRateAnalysisTests: XCTestCase {
    let axis = UniformAxis(offset: 520, scale: 0.125, size: 200)

    /// A 10 x `columns` image of independent Poisson counts of mean `mean` in every channel.
    func poissonImage(mean: Double, columns: Int, seed: UInt64) -> SpectrumImage {
        var rng = SeededGenerator(seed: seed)
        let data = (0..<(10 * columns * axis.size)).map { _ in Float(rng.nextPoisson(mean: mean)) }
        return SpectrumImage(rows: 10, columns: columns, energy: axis, data: data)
    }

    func testSNRIsTheSquareRootOfTheCountsAndGrowsAsTheSquareRootOfThePixelsCombined() throws {
        let si = poissonImage(mean: 15, columns: 160, seed: 3)
        let single = try si.shotNoiseSNR(combining: 1, window: 530...545)
        XCTAssertEqual(single.signal, 15, accuracy: 0.1)
        XCTAssertEqual(single.snr, 15.0.squareRoot(), accuracy: 0.08, "the paper's 3.8 for 15 counts")
        XCTAssertEqual(single.pairs, 10 * 80)
        for n in [4, 16] {
            let combined = try si.shotNoiseSNR(combining: n, window: 530...545)
            XCTAssertEqual(combined.signal, 15 * Double(n), accuracy: 0.5 * Double(n))
            XCTAssertEqual(combined.snr, (15 * Double(n)).squareRoot(), accuracy: 0.05 * (15 * Double(n)).squareRoot(),
                           "n = \(n)")
        }
    }

    func testSNRSeesNoNoiseInIdenticalPixelsAndNeedsTwoSpectraPerRow() throws {
        let flat = SpectrumImage(rows: 2, columns: 8, energy: axis, data: [Float](repeating: 9, count: 16 * 200))
        XCTAssertEqual(try flat.shotNoiseSNR(combining: 2, window: 530...545).noise, 0)
        XCTAssertThrowsError(try flat.shotNoiseSNR(combining: 5, window: 530...545)) {
            XCTAssertTrue("\($0)".contains("combining 5 pixels needs at least 10 columns, the image has 8"), "\($0)")
        }
        XCTAssertThrowsError(try flat.shotNoiseSNR(combining: 1, window: 600...610))
    }

    /// Pixels equal to their predecessor take its fit; the maps are the same as fitting every pixel alone.
    func testFitMapOfRepeatedPixelsEqualsFittingEachPixel() throws {
        let window = UniformAxis(offset: 520, scale: 0.25, size: 240)
        var rng = SeededGenerator(seed: 11)
        var blocks: [[Float]] = []
        for b in 0..<3 {
            blocks.append(window.values.map { e in
                let peak = (4.0 + Double(b)) * exp(-pow((e - 531 - 0.3 * Double(b)) / 1.1, 2) / 2)
                let main = 6.0 * exp(-pow((e - 539) / 2.5, 2) / 2)
                return Float(peak + main + 0.5 + 0.2 * rng.nextGaussian())
            })
        }
        // 2 rows x 12 columns: columns 0-3 block 0, 4-7 block 1, 8-11 block 2 (as a block-mean ground truth).
        var data: [Float] = []
        for _ in 0..<2 { for c in 0..<12 { data += blocks[c / 4] } }
        let si = SpectrumImage(rows: 2, columns: 12, energy: window, data: data)
        let map = try fitGaussians(si, peaks: [531, 539], window: 526...546)
        for pixel in 0..<24 {
            let alone = try fitGaussians(Spectrum(values: blocks[(pixel % 12) / 4], energy: window), peaks: [531, 539],
                                         window: 526...546)
            XCTAssertTrue(alone.success)
            for (j, name) in map.parameterNames.enumerated() {
                XCTAssertEqual(map.parameterValues[j][pixel], alone.parameters[j], "\(name) of pixel \(pixel)")
            }
        }
        XCTAssertEqual(map.successRate, 1)
    }

    /// Images of more than 256 pixels are fitted block by block in parallel: each fit equals the pixel's alone.
    func testParallelBackgroundFitsEqualFittingEachPixelAlone() throws {
        let axis = UniformAxis(offset: 440, scale: 0.25, size: 560)
        var rng = SeededGenerator(seed: 21)
        var data: [Float] = []
        for p in 0..<600 {
            let exponent = 2.5 + Double(p % 5) / 10, amplitude = 50 * pow(500, exponent) * (1 + Double(p % 7) / 10)
            data += axis.values.map { Float(rng.nextPoisson(mean: amplitude * pow($0, -exponent))) }
        }
        let si = SpectrumImage(rows: 20, columns: 30, energy: axis, data: data)
        let fits = try si.fitBackground(.powerLaw, in: 498...528)
        XCTAssertEqual(fits.count, 600)
        for p in [0, 255, 256, 257, 599] {
            let alone = try Spectrum(values: Array(data[(p * 560)..<((p + 1) * 560)]), energy: axis)
                .fitBackground(.powerLaw, in: 498...528)
            XCTAssertEqual(fits[p], alone, "pixel \(p)")
        }
    }
}

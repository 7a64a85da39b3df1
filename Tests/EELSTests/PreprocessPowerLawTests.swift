import Foundation
import XCTest
import EELS
import TestSupport

final class PreprocessPowerLawTests: XCTestCase {
    func testRecoversAmplitudeAndExponentOfSyntheticBackgrounds() throws {
        for (a, r) in [(1.0e9, 3.0), (5.0e12, 4.2), (2.0e6, 2.1)] {
            let axis = UniformAxis(offset: 440, scale: 0.125, size: 1120)
            let values = (0..<axis.size).map { Float(a * pow(axis.value(at: $0), -r)) }
            let spectrum = Spectrum(values: values, energy: axis)
            let fit = try spectrum.fitBackground(.powerLaw, in: 498...528)
            XCTAssertEqual(fit.amplitude / a, 1, accuracy: 1e-3, "A for r = \(r)")
            XCTAssertEqual(fit.exponent / r, 1, accuracy: 1e-3, "r = \(r)")
            let net = spectrum.subtractingBackground(fit)
            let worst = net.values.map { abs($0) }.max()! / values.max()!
            XCTAssertLessThan(worst, 1e-3)
        }
    }

    func testRefinementReachesTheLeastSquaresMinimumWithNoise() throws {
        // With additive noise the log-log line is biased; the refined fit must be the least-squares minimum:
        // no worse than the true parameters, and no worse than nearby (A, r) pairs.
        let axis = UniformAxis(offset: 498, scale: 0.25, size: 121)
        var rng = SeededGenerator(seed: 5)
        let a = 3.0e10, r = 3.2
        let energies = (0..<axis.size).map { axis.value(at: $0) }
        let values = energies.map { a * pow($0, -r) + rng.nextGaussian() * 2 }
        let fit = try Spectrum(values: values.map { Float($0) }, energy: axis).fitBackground(.powerLaw, in: 498...528)
        func rss(_ amplitude: Double, _ exponent: Double) -> Double {
            zip(energies, values).map { let d = Double(Float($1)) - amplitude * pow($0, -exponent); return d * d }
                .reduce(0, +)
        }
        XCTAssertEqual(fit.residualSumOfSquares, rss(fit.amplitude, fit.exponent), accuracy: 1e-6)
        XCTAssertLessThanOrEqual(fit.residualSumOfSquares, rss(a, r))
        for (da, dr) in [(1.001, 0.0), (0.999, 0.0), (1.0, 0.001), (1.0, -0.001)] {
            XCTAssertLessThanOrEqual(fit.residualSumOfSquares, rss(fit.amplitude * da, fit.exponent + dr) + 1e-9)
        }
        XCTAssertGreaterThan(fit.iterations, 0)
    }

    func testSpectrumImageFitsEachPixel() throws {
        let axis = UniformAxis(offset: 490, scale: 0.5, size: 100)
        var data: [Float] = []
        let params = [(1e9, 3.0), (2e9, 3.1)]
        for (a, r) in params { data += (0..<100).map { Float(a * pow(axis.value(at: $0), -r)) } }
        let si = SpectrumImage(rows: 1, columns: 2, energy: axis, data: data)
        let fits = try si.fitBackground(.powerLaw, in: 498...528)
        XCTAssertEqual(fits.count, 2)
        for (fit, (a, r)) in zip(fits, params) {
            XCTAssertEqual(fit.amplitude / a, 1, accuracy: 1e-3)
            XCTAssertEqual(fit.exponent, r, accuracy: 1e-3)
        }
        let net = try si.subtractingBackground(fits)
        XCTAssertLessThan(net.data.map { abs($0) }.max()!, 1e-3 * data.max()!)
        XCTAssertThrowsError(try si.subtractingBackground([fits[0]]))
        XCTAssertThrowsError(try si.fitBackground(.powerLaw, in: 100...200))
    }

    func testCoreLossOxygenKPreEdgeAveragesNearZero() throws {
        let url = try SharedData.url("data/real/coreloss_spectrum.msa")
        let spectrum = try XCTUnwrap(try load(url.path).spectrum)
        // The file's energy axis reads about 5-9 eV high (README): the O K onset sits near 532 eV here.
        // Fit below it, then check the extrapolated background on the pre-edge channels outside the window.
        let fit = try spectrum.fitBackground(.powerLaw, in: 480...520)
        let net = spectrum.subtractingBackground(fit)
        let preEdge = try net.crop(521...530).values
        let meanPreEdge = Double(preEdge.reduce(0, +)) / Double(preEdge.count)
        let background = fit.value(at: 515)
        XCTAssertLessThan(abs(meanPreEdge), 0.01 * background, "pre-edge mean \(meanPreEdge), background \(background)")
        // And there is an edge: the net signal 545-560 eV is well above zero.
        let post = try net.crop(545...560).values
        XCTAssertGreaterThan(Double(post.reduce(0, +)) / Double(post.count), 0.05 * background)
    }
}

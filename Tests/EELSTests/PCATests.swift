import EELS
import Foundation
import XCTest

/// PCA against scikit-learn's numbers on a fixed matrix (integration/fixtures/make_pca_fixture.py).
final class PCATests: XCTestCase {
    struct Fixture: Decodable {
        let rows: Int, cols: Int, components: Int
        let matrix: [Float]
        let mean: [Double]
        let pca_components: [Double]
        let explained_variance: [Double]
        let explained_variance_ratio: [Double]
        let singular_values: [Double]
        let scores: [Double]
        let reconstruction_2: [Double]
    }

    func loadFixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../integration/fixtures/pca_fixture.json").standardized
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func assertClose(_ a: [Float], _ b: [Double], relative: Double, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = max(b.map(abs).max() ?? 1, 1e-12)
        let worst = zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
        XCTAssertLessThan(worst / scale, relative, "\(what): worst difference \(worst) (scale \(scale))",
                          file: file, line: line)
    }

    func testMatchesScikitLearnUpToSign() throws {
        let f = try loadFixture()
        let r = try PCA(components: f.components).fit(f.matrix, rows: f.rows, cols: f.cols)
        assertClose(r.mean, f.mean, relative: 1e-6, "mean")
        for i in 0..<f.components {
            let ref = Array(f.pca_components[i * f.cols..<(i + 1) * f.cols])
            let ours = r.component(i)
            let dot = zip(ours, ref).map { Double($0) * $1 }.reduce(0, +)
            let sign: Float = dot < 0 ? -1 : 1
            assertClose(ours.map { $0 * sign }, ref, relative: 1e-3, "component \(i)")
            let refScores = (0..<f.rows).map { f.scores[$0 * f.components + i] }
            let ourScores = (0..<f.rows).map { r.scores[$0 * f.components + i] * sign }
            assertClose(ourScores, refScores, relative: 1e-3, "scores \(i)")
        }
        for i in 0..<f.components {
            XCTAssertEqual(r.explainedVariance[i], f.explained_variance[i],
                           accuracy: 1e-4 * f.explained_variance[0], "variance \(i)")
            XCTAssertEqual(r.explainedVarianceRatio[i], f.explained_variance_ratio[i], accuracy: 1e-5)
            XCTAssertEqual(r.singularValues[i], f.singular_values[i], accuracy: 1e-4 * f.singular_values[0])
        }
        let r2 = try PCA(components: 2).fit(f.matrix, rows: f.rows, cols: f.cols)
        assertClose(try r2.reconstruct(), f.reconstruction_2, relative: 1e-5, "reconstruction from 2")
        // Reconstructing from 2 of 4 fitted components equals a 2-component fit's reconstruction.
        let fromFour = try r.reconstruct(components: 2)
        assertClose(fromFour, f.reconstruction_2, relative: 1e-5, "reconstruction from 2 of 4")
    }

    func testSignConventionLargestEntryPositive() throws {
        let f = try loadFixture()
        let r = try PCA(components: 3).fit(f.matrix, rows: f.rows, cols: f.cols)
        for i in 0..<3 {
            let c = r.component(i)
            let largest = c.max(by: { abs($0) < abs($1) })!
            XCTAssertGreaterThan(largest, 0)
            XCTAssertEqual(c.map { Double($0 * $0) }.reduce(0, +), 1, accuracy: 1e-4)
        }
    }

    func testFewerComponentsAreTheLeadingOnesOfMore() throws {
        // Only the k largest eigenpairs are computed, so each k is a separate decomposition: they must agree.
        let f = try loadFixture()
        let all = try PCA(components: f.components).fit(f.matrix, rows: f.rows, cols: f.cols)
        for k in 1..<f.components {
            let few = try PCA(components: k).fit(f.matrix, rows: f.rows, cols: f.cols)
            XCTAssertEqual(few.componentCount, k)
            for i in 0..<k {
                assertClose(few.component(i), all.component(i).map(Double.init), relative: 1e-4,
                            "component \(i) of \(k)")
                XCTAssertEqual(few.explainedVarianceRatio[i], all.explainedVarianceRatio[i], accuracy: 1e-6)
            }
        }
    }

    func testWideMatrixUsesSVDAndAgreesWithTranspose() throws {
        // 6 samples x 20 features (more features than samples): the SVD path.
        var rng = SeededGenerator(seed: 3)
        let x = (0..<120).map { _ in Float(rng.nextGaussian()) }
        let r = try PCA(components: 5).fit(x, rows: 6, cols: 20)
        let back = try r.reconstruct(components: 5)  // rank of centred 6 x 20 is 5: exact
        for (a, b) in zip(back, x) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        XCTAssertEqual(r.explainedVarianceRatio.reduce(0, +), 1, accuracy: 1e-5)
    }

    func testSpectrumImageReconstructionKeepsShape() throws {
        let f = try loadFixture()
        let si = SpectrumImage(rows: 4, columns: 10, energy: UniformAxis(offset: 520, scale: 0.25, size: f.cols),
                               data: f.matrix)
        let r = try pca(si, components: 2)
        let out = try r.reconstructedImage(like: si)
        XCTAssertEqual(out.rows, 4)
        assertClose(out.data, f.reconstruction_2, relative: 1e-5, "image reconstruction")
    }

    func testBadInputsThrowClearErrors() {
        XCTAssertThrowsError(try PCA(components: 2).fit([1, 2, 3], rows: 2, cols: 2)) {
            XCTAssertTrue("\($0)".contains("2 x 2"), "\($0)")
        }
        XCTAssertThrowsError(try PCA(components: 3).fit([1, 2, 3, 4], rows: 2, cols: 2)) {
            XCTAssertTrue("\($0)".contains("components"), "\($0)")
        }
        XCTAssertThrowsError(try PCA(components: 1).fit([1, .nan, 3, 4], rows: 2, cols: 2)) {
            XCTAssertTrue("\($0)".contains("NaN"), "\($0)")
        }
    }
}

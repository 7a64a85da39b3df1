import XCTest
import EELS

/// Hand-computed checks of every preprocessing operation.
final class PreprocessTests: XCTestCase {
    /// A rows x columns x channels SI where value = 1000 * row + 10 * column + channel.
    func ramp(rows: Int, columns: Int, channels: Int, offset: Double = 500, scale: Double = 0.125) -> SpectrumImage {
        var data: [Float] = []
        for r in 0..<rows { for c in 0..<columns { for k in 0..<channels { data.append(Float(1000 * r + 10 * c + k)) } } }
        return SpectrumImage(rows: rows, columns: columns,
                             energy: UniformAxis(offset: offset, scale: scale, size: channels), data: data)
    }

    func testCropByEnergyUsesHyperSpyIsigSemantics() throws {
        let axis = UniformAxis(offset: 440, scale: 0.125, size: 1120)
        XCTAssertEqual(try axis.channels(in: 520...580), 640..<1120)
        let si = ramp(rows: 1, columns: 2, channels: 8, offset: 500, scale: 1)
        let cropped = try si.crop(502...505)
        XCTAssertEqual(cropped.channels, 3)
        XCTAssertEqual(cropped.energy.offset, 502)
        XCTAssertEqual(cropped.data, [2, 3, 4, 12, 13, 14])
        let s = try Spectrum(values: [0, 1, 2, 3], energy: UniformAxis(offset: 10, scale: 2, size: 4)).crop(12...16)
        XCTAssertEqual(s.values, [1, 2])
        XCTAssertThrowsError(try si.crop(400...450))
        XCTAssertThrowsError(try si.crop(503...503.2))
    }

    func testRebinEnergySumsLikeHyperSpy() throws {
        let s = Spectrum(values: [1, 2, 3, 4, 5], energy: UniformAxis(offset: 520, scale: 0.125, size: 5))
        let r = try s.rebin(energy: 2)
        XCTAssertEqual(r.values, [3, 7])
        XCTAssertEqual(r.energy.scale, 0.25)
        XCTAssertEqual(r.energy.offset, 520.0625)
        XCTAssertEqual(r.energy.size, 2)
        let si = try ramp(rows: 1, columns: 2, channels: 4).rebin(energy: 2)
        XCTAssertEqual(si.data, [1, 5, 21, 25])
        XCTAssertThrowsError(try s.rebin(energy: 0))
    }

    func testRebinPixelsSumsBlocksAndDropsRemainder() throws {
        let si = ramp(rows: 3, columns: 3, channels: 1)
        let r = try si.rebin(pixels: [2, 2])
        XCTAssertEqual([r.rows, r.columns], [1, 1])
        XCTAssertEqual(r.data, [0 + 10 + 1000 + 1010])
        XCTAssertThrowsError(try si.rebin(pixels: [4, 1]))
        XCTAssertThrowsError(try si.rebin(pixels: [2]))
    }

    func testBlockAssignmentOf10By638Image() {
        let spatial = BlockAssignment.spatial, rowMajor = BlockAssignment.rowMajor
        func b(_ a: BlockAssignment, _ r: Int, _ c: Int) -> Int {
            a.block(row: r, column: c, rows: 10, columns: 638, blockRows: 10, blockColumns: 40)
        }
        XCTAssertEqual(spatial.blockCount(rows: 10, columns: 638, blockRows: 10, blockColumns: 40), 16)
        XCTAssertEqual(rowMajor.blockCount(rows: 10, columns: 638, blockRows: 10, blockColumns: 40), 16)
        // True blocks: 10 rows x 40 columns.
        XCTAssertEqual(b(spatial, 0, 0), 0)
        XCTAssertEqual(b(spatial, 9, 39), 0)
        XCTAssertEqual(b(spatial, 0, 40), 1)
        XCTAssertEqual(b(spatial, 5, 637), 15)
        // Released code: consecutive runs of 400 row-major pixels.
        XCTAssertEqual(b(rowMajor, 0, 399), 0)
        XCTAssertEqual(b(rowMajor, 0, 400), 1)
        XCTAssertEqual(b(rowMajor, 1, 0), 1)       // pixel 638
        XCTAssertEqual(b(rowMajor, 1, 161), 1)     // pixel 799
        XCTAssertEqual(b(rowMajor, 1, 162), 2)     // pixel 800
        XCTAssertEqual(b(rowMajor, 9, 637), 15)    // pixel 6379
    }

    func testBlockMeanValuesOn10By638() throws {
        let si = ramp(rows: 10, columns: 638, channels: 2)
        let truth = try si.blockMean(rows: 10, columns: 40)
        // Block 0: rows 0-9, columns 0-39: mean 1000 * 4.5 + 10 * 19.5 + k.
        XCTAssertEqual(truth[0, 0].values, [4695, 4696])
        XCTAssertEqual(truth[9, 39].values, [4695, 4696])
        // Last block: columns 600-637 (38 columns): mean column 618.5.
        XCTAssertEqual(truth[3, 637].values, [4500 + 6185, 4501 + 6185])
        let released = try si.blockMean(rows: 10, columns: 40, assignment: .rowMajor)
        // Block 0: row 0, columns 0-399: mean 10 * 199.5.
        XCTAssertEqual(released[0, 0].values, [1995, 1996])
        XCTAssertEqual(released[0, 399].values, [1995, 1996])
        let (means, owner) = try si.blockMeans(rows: 10, columns: 40)
        XCTAssertEqual(means.count, 16 * 2)
        XCTAssertEqual(owner[638 + 40], 1)
    }

    func testFrameRateSimulationSumsAdjacentPixels() throws {
        let si = ramp(rows: 2, columns: 5, channels: 1)
        let fps200 = try si.simulateFrameRate(combining: 2)
        XCTAssertEqual([fps200.rows, fps200.columns], [2, 2])
        XCTAssertEqual(fps200.data, [10, 50, 2010, 2050])
        let perFrame = try si.simulateFrameRate(combining: 2, perFrame: true)
        XCTAssertEqual(perFrame.data, [5, 25, 1005, 1025])
        XCTAssertEqual(try si.simulateFrameRate(combining: 4).data, [60, 4060])
        XCTAssertThrowsError(try si.simulateFrameRate(combining: 16))
    }

    func testMinMaxNormalisation() {
        let axis = UniformAxis(offset: 0, scale: 1, size: 3)
        XCTAssertEqual(Spectrum(values: [2, 4, 6], energy: axis).normalizedMinMax().values, [0, 0.5, 1])
        XCTAssertEqual(Spectrum(values: [3, 3, 3], energy: axis).normalizedMinMax().values, [0, 0, 0])
        let si = SpectrumImage(rows: 1, columns: 2, energy: axis, data: [1, 3, 5, 10, 0, 5])
        XCTAssertEqual(si.normalizedMinMax().data, [0, 0.5, 1, 1, 0, 0.5])
    }

    func testRobustScalerMatchesNumPyPercentiles() throws {
        XCTAssertEqual(RobustScaler.percentile(sorted: [1, 2, 3, 4], 25), 1.75)
        // np.percentile([10, 0, 3, 7, 1, 100, 2], [25, 50, 75]) == [1.5, 3, 8.5]
        // np.percentile([1, 2, 3, 4, 5, 6], [25, 50, 75]) == [2.25, 3.5, 4.75]
        let a: [Float] = [10, 0, 3, 7, 1, 100, 2], b: [Float] = [1, 2, 3, 4, 5, 6, 6]
        var matrix: [Float] = []
        for i in 0..<7 { matrix += [a[i], b[i], 5] }
        let scaler = try RobustScaler(fittingSpectra: matrix, channels: 3)
        XCTAssertEqual(scaler.center, [3, 4, 5])
        // b sorted [1,2,3,4,5,6,6]: q25 at 1.5 -> 2.5, q75 at 4.5 -> 5.5.
        XCTAssertEqual(scaler.scale, [7, 3, 1])  // IQR 8.5 - 1.5; 5.5 - 2.5; constant channel -> 1
        let x = try scaler.transform(spectra: [10, 1, 5])
        XCTAssertEqual(x, [1, -1, 0])
        XCTAssertEqual(try scaler.inverseTransform(spectra: x), [10, 1, 5])
        let decoded = try JSONDecoder().decode(RobustScaler.self, from: JSONEncoder().encode(scaler))
        XCTAssertEqual(decoded, scaler)
        XCTAssertThrowsError(try scaler.transform(spectra: [1, 2]))
        XCTAssertThrowsError(try RobustScaler(fittingSpectra: [], channels: 3))
    }

    func testPoissonAndGaussianNoiseAreSeeded() {
        let axis = UniformAxis(offset: 0, scale: 1, size: 20_000)
        let s = Spectrum(values: [Float](repeating: 15, count: 20_000), energy: axis)
        let a = s.addingPoissonNoise(seed: 3), b = s.addingPoissonNoise(seed: 3), c = s.addingPoissonNoise(seed: 4)
        XCTAssertEqual(a.values, b.values)
        XCTAssertNotEqual(a.values, c.values)
        let mean = a.values.reduce(0, +) / 20_000
        let variance = a.values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000
        XCTAssertEqual(mean, 15, accuracy: 0.15)
        XCTAssertEqual(variance, 15, accuracy: 0.6)
        let g = s.addingGaussianNoise(sigma: 0.4, seed: 1)
        let gm = g.values.reduce(0, +) / 20_000
        let gv = g.values.map { ($0 - gm) * ($0 - gm) }.reduce(0, +) / 20_000
        XCTAssertEqual(gm, 15, accuracy: 0.02)
        XCTAssertEqual(gv.squareRoot(), 0.4, accuracy: 0.01)
    }

    func testDatasetSplitHoldsOutOnePerCategory() throws {
        let axis = UniformAxis(offset: 0, scale: 1, size: 2)
        var items: [DatasetItem] = []
        for label in 0..<2 {
            for (i, t) in [0.65, 0.7, 0.75, 0.8, 0.78, 0.72, 0.83, 0.9, 1.0, 1.1, 1.2, 1.33].enumerated() {
                let si = SpectrumImage(rows: 1, columns: 2, energy: axis, data: [Float(label), 1, 2, 3])
                items.append(DatasetItem(image: si, label: label, thickness: t, name: "\(label)-\(i)"))
            }
        }
        let dataset = Dataset(items)
        let (train, test) = try dataset.split(seed: 1)
        XCTAssertEqual(train.items.count, 20)
        XCTAssertEqual(test.items.count, 4)
        XCTAssertEqual(Set(test.items.map { dataset.category(of: $0) }), ["0-thin", "0-thick", "1-thin", "1-thick"])
        XCTAssertTrue(Set(train.items.map(\.name)).isDisjoint(with: test.items.map(\.name)))
        let flat = try test.flattened()
        XCTAssertEqual(flat.count, 8)
        XCTAssertEqual(flat.channels, 2)
        XCTAssertEqual(flat.values.count, 16)
        XCTAssertEqual(flat.labels.sorted(), [0, 0, 0, 0, 1, 1, 1, 1])
        XCTAssertThrowsError(try Dataset(Array(items.prefix(1))).split(seed: 1))
    }
}

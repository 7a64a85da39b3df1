import EELS
import Foundation
import XCTest

/// Datasets of measured files: labels from names, regions, stratified splits and files that do not belong together.
final class DatasetFilesTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// A 4 x 6 x 20 SI whose counts encode `tag`, on `axis`.
    func image(_ tag: Float, axis: UniformAxis = UniformAxis(offset: 500, scale: 0.5, size: 20)) -> SpectrumImage {
        SpectrumImage(rows: 4, columns: 6, energy: axis, data: (0..<(4 * 6 * axis.size)).map { tag + Float($0 % 7) })
    }

    @discardableResult
    func write(_ name: String, _ si: SpectrumImage) throws -> String {
        let path = (folder as NSString).appendingPathComponent(name)
        try NPYFormat.write(si, to: path)
        return path
    }

    func testTheAuthorsNamingConventionLabelsAnnealedFiles() throws {
        for name in ["EELS thin 1_1.npy", "EELS thin 1_1a.npy", "EELS thick 2_3.npy", "EELS thick 2_3a.npy"] {
            try write(name, image(name.contains("a.npy") ? 100 : 0))
        }
        let paths = try Dataset.files(matching: folder)
        XCTAssertEqual(paths.count, 4)
        let data = try Dataset(loading: paths, labels: .rules([.glob("*a.npy", "annealed"), .glob("*", "initial")]))
        XCTAssertEqual(data.classNames, ["annealed", "initial"], "rule order gives the class order")
        let byName = Dictionary(uniqueKeysWithValues: data.items.map { ($0.name, $0.label) })
        XCTAssertEqual(byName["EELS thin 1_1a.npy"], 0)
        XCTAssertEqual(byName["EELS thick 2_3.npy"], 1)
        let ordered = try Dataset(loading: paths, labels: .rules([.glob("*a.npy", "annealed"), .glob("*", "initial")]),
                                  classNames: ["initial", "annealed"])
        XCTAssertEqual(ordered.items.first { $0.name == "EELS thin 1_1a.npy" }?.label, 1)
    }

    func testRegexRulesTakeTheClassFromTheFirstGroupAndUnmatchedFilesStayUnlabelled() throws {
        for name in ["mn2_01.npy", "mn3_01.npy", "mn4_01.npy", "mn4_02.npy", "blank.npy"] { try write(name, image(1)) }
        let data = try Dataset(loading: try Dataset.files(matching: folder + "/*.npy"),
                               labels: .rules([.regex(#"^mn(\d)_"#)]), classNames: ["2", "3", "4"])
        XCTAssertEqual(data.items.map(\.name), ["blank.npy", "mn2_01.npy", "mn3_01.npy", "mn4_01.npy", "mn4_02.npy"])
        XCTAssertEqual(data.items.map(\.label), [nil, 0, 1, 2, 2])
        XCTAssertEqual(try LabelRule.regex(#"(Mn\d\+)"#).className(for: "x/Mn3+_02.dm4"), "Mn3+")
        XCTAssertEqual(try LabelRule.regex("_a", name: "annealed").className(for: "s_a.dm4"), "annealed")
        XCTAssertNil(try LabelRule.glob("*a.dm4", "annealed").className(for: "s_1.dm4"))
        XCTAssertThrowsError(try LabelRule.regex("(").className(for: "x")) {
            XCTAssertTrue("\($0)".contains("not a valid regular expression"), "\($0)")
        }
    }

    func testExplicitLabelsAndTheirErrors() throws {
        let images = (0..<3).map { (name: "si\($0)", path: String?.none, image: image(Float($0))) }
        let data = try Dataset(images: images, labels: .explicit(["b", nil, "a"]), classNames: ["a", "b"])
        XCTAssertEqual(data.items.map(\.label), [1, nil, 0])
        XCTAssertThrowsError(try Dataset(images: images, labels: .explicit(["a"]))) {
            XCTAssertTrue("\($0)".contains("1 labels for 3 spectrum images"), "\($0)")
        }
        XCTAssertThrowsError(try Dataset(images: images, labels: .explicit(["a", "c", nil]), classNames: ["a", "b"])) {
            XCTAssertTrue("\($0)".contains("si1 is labelled 'c', which is not one of the classes"), "\($0)")
        }
        XCTAssertThrowsError(try Dataset(images: images, labels: .explicit(["a", "a", nil]), classNames: ["a", "b"])) {
            XCTAssertTrue("\($0)".contains("class 'b' has no spectrum image"), "\($0)")
        }
        let unlabelled = try Dataset(images: images, labels: .none)
        XCTAssertEqual(unlabelled.items.map(\.label), [nil, nil, nil])
        XCTAssertEqual(unlabelled.classCount, 0)
    }

    func testMixedDispersionsAndFilesThatAreNotSpectrumImagesAreRefused() throws {
        try write("a.npy", image(0))
        try write("b.npy", image(0, axis: UniformAxis(offset: 500, scale: 0.25, size: 40)))
        XCTAssertThrowsError(try Dataset(loading: try Dataset.files(matching: folder), labels: .none)) {
            XCTAssertTrue("\($0)".contains("mixed dispersions: b.npy has 0.25 eV/channel but a.npy 0.5"), "\($0)")
        }
        let spectrum = (folder as NSString).appendingPathComponent("dark.npy")
        try NPYFormat.write(Spectrum(values: [1, 2, 3], energy: UniformAxis(offset: 0, scale: 1, size: 3)), to: spectrum)
        XCTAssertThrowsError(try Dataset(loading: [spectrum], labels: .none)) {
            XCTAssertTrue("\($0)".contains("holds no spectrum image"), "\($0)")
        }
        XCTAssertThrowsError(try Dataset.files(matching: folder + "/*.dm4")) {
            XCTAssertTrue("\($0)".contains("no file matches"), "\($0)")
        }
    }

    func testRegionsLabelPixelsAndMustFitTheImage() throws {
        let images = [(name: "mixed", path: String?.none, image: image(0)),
                      (name: "pure", path: String?.none, image: image(1))]
        var data = try Dataset(images: images, labels: .explicit([nil, "A"]))
        data = try data.labelling("mixed", region: .rectangle(rows: 0..<2, columns: 0..<3), as: "B")
        XCTAssertEqual(data.classNames, ["A", "B"])
        let labels = data.items[0].pixelLabels
        XCTAssertEqual(labels.count, 24)
        XCTAssertEqual(labels[0], 1)
        XCTAssertEqual(labels[1 * 6 + 2], 1)
        XCTAssertNil(labels[1 * 6 + 3])
        XCTAssertNil(labels[2 * 6])
        var mask = [Bool](repeating: false, count: 24)
        mask[23] = true
        data = try data.labelling("mixed", region: .mask(mask), as: "A")
        XCTAssertEqual(data.items[0].pixelLabels[23], 0)
        let flat = try data.flattened()
        XCTAssertEqual(flat.count, 6 + 1 + 24, "labelled pixels only")
        XCTAssertThrowsError(try data.labelling("mixed", region: .rectangle(rows: 0..<5, columns: 0..<2), as: "A")) {
            XCTAssertTrue("\($0)".contains("outside mixed's 4 x 6 pixels"), "\($0)")
        }
        XCTAssertThrowsError(try data.labelling("mixed", region: .mask([true]), as: "A")) {
            XCTAssertTrue("\($0)".contains("the mask has 1 values"), "\($0)")
        }
        XCTAssertThrowsError(try data.labelling("nope", region: .mask(mask), as: "A"))
    }

    func testStratifiedSplitIsSeededAndHoldsOutPerClass() throws {
        let labels: [String?] = ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c", nil, nil]
        let images = labels.indices.map { (name: "si\($0)", path: String?.none, image: image(Float($0))) }
        let data = try Dataset(images: images, labels: .explicit(labels), classNames: ["a", "b", "c"])
        let test = try data.stratifiedTestIndices(fraction: 0.25, seed: 4)
        XCTAssertEqual(test, try data.stratifiedTestIndices(fraction: 0.25, seed: 4), "same seed, same split")
        let heldOut = test.map { data.items[$0].label }
        XCTAssertEqual(heldOut.filter { $0 == 0 }.count, 1)
        XCTAssertEqual(heldOut.filter { $0 == 1 }.count, 1)
        XCTAssertEqual(heldOut.filter { $0 == 2 }.count, 1, "at least one per class")
        XCTAssertEqual(heldOut.filter { $0 == nil }.count, 1, "unlabelled images are their own stratum")
        let seeds = Set((0..<12).map { try? data.stratifiedTestIndices(fraction: 0.25, seed: UInt64($0)) })
        XCTAssertGreaterThan(seeds.count, 1, "the seed changes the split")
        let big = try data.stratifiedTestIndices(fraction: 0.9, seed: 1)
        XCTAssertEqual(big.filter { data.items[$0].label == 2 }.count, 1, "one image of each class stays to train")
        let single = try Dataset(images: Array(images.prefix(5)), labels: .explicit(Array(labels.prefix(5))))
        XCTAssertThrowsError(try single.stratifiedTestIndices(fraction: 0.5, seed: 1)) {
            XCTAssertTrue("\($0)".contains("class 'b' has one spectrum image"), "\($0)")
        }
        XCTAssertThrowsError(try data.stratifiedTestIndices(fraction: 1, seed: 1))
        XCTAssertEqual(try data.indices(named: ["si3", "si0"]), [3, 0])
        XCTAssertThrowsError(try data.indices(named: ["si99"]))
    }
}

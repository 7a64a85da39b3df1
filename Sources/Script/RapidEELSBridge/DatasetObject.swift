import EELS
import Foundation
import RapidEELS
import ScriptLanguage

/// A dataset in the cell language: an `EELS.Dataset` (images, labels, class names) and which images are held out
/// for testing. Nothing else: labels, regions and thickness live in the EELS items.
final class DatasetObject: RichDisplayed {
    let dataset: Dataset
    let testIndices: Set<Int>
    let title: String
    init(dataset: Dataset, testIndices: Set<Int>, title: String) {
        self.dataset = dataset
        self.testIndices = testIndices
        self.title = title
    }

    var items: [SpectrumImageObject] {
        dataset.items.map { SpectrumImageObject(item: $0, classNames: dataset.classNames) }
    }
    var trainIndices: [Int] { dataset.items.indices.filter { !testIndices.contains($0) } }
    /// The training images as an EELS dataset (same class names).
    var trainSet: Dataset { dataset.subset(trainIndices) }
    /// The test images as an EELS dataset.
    var testSet: Dataset { dataset.subset(testIndices.sorted()) }
    var training: [SpectrumImageObject] { let all = items; return trainIndices.map { all[$0] } }
    var test: [SpectrumImageObject] { let all = items; return testIndices.sorted().map { all[$0] } }

    /// The same images and split over a changed EELS dataset.
    func with(_ changed: Dataset) -> DatasetObject {
        DatasetObject(dataset: changed, testIndices: testIndices, title: title)
    }

    var typeName: String { "Dataset" }
    var summary: String {
        var s = "Dataset(\(dataset.items.count) spectrum images: \(trainIndices.count) train, \(testIndices.count) test"
        if !dataset.classNames.isEmpty { s += "; classes " + dataset.classNames.joined(separator: ", ") }
        return s + (title.isEmpty ? "" : "; \(title)") + ")"
    }
    var memberNames: [String] { ["count", "train", "test", "names", "elements", "classes", "labels"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "count": return .int(dataset.items.count)
        case "train": return .array(training.map { .object($0) })
        case "test": return .array(test.map { .object($0) })
        case "elements": return .array(items.map { .object($0) })
        case "names": return .array(dataset.items.map { .string($0.name) })
        case "classes": return .array(dataset.classNames.map { .string($0) })
        case "labels": return .array(items.map { $0.className.map { .string($0) } ?? .none })
        default: return nil
        }
    }
    var methodNames: [String] { ["labelRegion"] }
    func method(_ name: String) -> Command? {
        guard name == "labelRegion" else { return nil }
        return Command(name: "labelRegion", parameters: [
            .string("_ image", doc: "the image's name (a file name for datasets of files)"),
            .value("rows", "Range<Int>", dynamic: "all rows"),
            .value("columns", "Range<Int>", dynamic: "all columns"),
            .value("mask", "[Bool]", dynamic: "none", doc: "one flag per pixel, row-major, instead of "
                + "rows/columns"),
            .string("as", doc: "the class of those pixels (a new name adds a class)"),
        ], returns: "Dataset", doc: "The same dataset with a rectangle (rows, columns) or a mask of pixels of one "
            + "image given its own class, for spectrum images that hold more than one state. A pixel takes the "
            + "last region that contains it, else its image's class.",
           example: "let data2 = data.labelRegion(\"mixed.dm4\", rows: 0..<10, columns: 0..<20, as: \"Mn3+\")") {
            args, ctx in
            let name = try args.string("image")
            let className = try args.string("as")
            let index = try self.dataset.indices(named: [name])[0]
            let si = self.dataset.items[index].image
            let region: PixelRegion
            if let maskValue = try args.given("mask") {
                guard case .array(let flags) = maskValue else { throw args.wrong("mask", "an array of Bool", maskValue) }
                region = .mask(try flags.map {
                    guard case .bool(let b) = $0 else { throw args.wrong("mask", "an array of Bool", maskValue) }
                    return b
                })
            } else {
                region = .rectangle(rows: try intRange(args, "rows", dynamic: 0..<si.rows),
                                    columns: try intRange(args, "columns", dynamic: 0..<si.columns))
            }
            _ = ctx
            return .object(self.with(try self.dataset.labelling(name, region: region, as: className)))
        }
    }
    func subscriptValue(_ arguments: [Value]) throws -> Value {
        guard arguments.count == 1 else { throw ScriptError(kind: .type, message: "data[\"name\"] or data[i]") }
        switch arguments[0] {
        case .int(let i):
            guard i >= 0 && i < dataset.items.count else {
                throw ScriptError(kind: .index, message: "index \(i) is outside 0..<\(dataset.items.count)")
            }
            return .object(items[i])
        case .string(let n):
            guard let i = dataset.items.firstIndex(where: { $0.name == n }) else {
                var message = "no spectrum image named '\(n)'"
                if let hint = didYouMean(n, dataset.items.map(\.name)) { message += "; " + hint }
                throw ScriptError(kind: .key, message: message)
            }
            return .object(items[i])
        default: throw ScriptError(kind: .type, message: "index a dataset by Int or name")
        }
    }

    /// One row per image: name, shape, dispersion, energy range, class, thickness, split.
    var tableRows: [[String]] {
        dataset.items.enumerated().map { i, item in
            let si = item.image, e = si.energy
            var label = item.label.map { dataset.className($0) } ?? "—"
            if !item.regions.isEmpty {
                label += " + " + item.regions.map { "region: \(dataset.className($0.label))" }.joined(separator: ", ")
            }
            return [item.name, "\(si.rows) x \(si.columns) x \(si.channels)", fmt(e.scale) + " \(e.units)/ch",
                    "\(fmt(e.offset, 5))-\(fmt(e.end + e.scale, 5)) \(e.units)", label,
                    item.thickness.map { fmt($0, 3) } ?? "", testIndices.contains(i) ? "test" : "train"]
        }
    }
    var richDisplay: RichDisplayable {
        RichDisplay.table(headers: ["name", "shape", "dispersion", "energy range", "class", "t/λ", "split"],
                          rows: tableRows, caption: summary)
    }
}

/// A half-open Int range argument (`0..<10` or `0...9`), `dynamic` when omitted.
func intRange(_ args: Arguments, _ name: String, dynamic: Range<Int>) throws -> Range<Int> {
    guard let v = try args.given(name) else { return dynamic }
    if case .range(let a, let b) = v { return a..<b }
    throw args.wrong(name, "a range such as 0..<10", v)
}

/// A rectangle of pixels or a mask: the pixels of a spectrum image that hold one state.
///
///     let left = PixelRegion.rectangle(rows: 0..<10, columns: 0..<20)
///     left.contains(row: 3, column: 5, columns: 40)   // true
public enum PixelRegion: Sendable, Equatable {
    /// Rows and columns (0-based, half-open).
    case rectangle(rows: Range<Int>, columns: Range<Int>)
    /// One flag per pixel, row-major (rows x columns values).
    case mask([Bool])

    /// Whether pixel (row, column) of an image `columns` wide lies in the region.
    public func contains(row: Int, column: Int, columns: Int) -> Bool {
        switch self {
        case .rectangle(let r, let c): return r.contains(row) && c.contains(column)
        case .mask(let m): let i = row * columns + column; return i < m.count && m[i]
        }
    }

    /// Throws unless the region fits an image of `rows` x `columns` and holds at least one pixel.
    public func validate(rows: Int, columns: Int, name: String) throws {
        switch self {
        case .rectangle(let r, let c):
            guard !r.isEmpty, !c.isEmpty, r.lowerBound >= 0, c.lowerBound >= 0, r.upperBound <= rows,
                  c.upperBound <= columns else {
                throw EELSError.value("region rows \(r.lowerBound)..<\(r.upperBound), columns \(c.lowerBound)..<"
                    + "\(c.upperBound) is empty or outside \(name)'s \(rows) x \(columns) pixels")
            }
        case .mask(let m):
            guard m.count == rows * columns else {
                throw EELSError.value("the mask has \(m.count) values; \(name) has \(rows) x \(columns) = "
                    + "\(rows * columns) pixels")
            }
            guard m.contains(true) else { throw EELSError.value("the mask selects no pixel of \(name)") }
        }
    }
}

/// One spectrum image with what is known about it: its name, its class (or none), per-region classes for an image
/// holding more than one state, and its thickness when known. Nothing is invented: an unlabelled image has
/// `label == nil` and no regions, and training that needs labels skips or refuses it.
///
///     var item = DatasetItem(image: si, label: 0, name: "Mn2+_01.dm4")
///     item.regions.append(LabelledRegion(region: .rectangle(rows: 0..<10, columns: 0..<8), label: 2))
///     item.pixelLabels[0]   // 2
public struct DatasetItem: Sendable {
    public var image: SpectrumImage
    /// Class index of the whole image, or nil when unknown.
    public var label: Int?
    /// Regions with their own class; a pixel takes the last region that contains it, else `label`.
    public var regions: [LabelledRegion]
    /// Sample thickness t/λ (inelastic mean free paths), when known.
    public var thickness: Double?
    public var name: String
    /// The file the image came from, when it came from one.
    public var path: String?

    public init(image: SpectrumImage, label: Int?, thickness: Double? = nil, name: String, path: String? = nil,
                regions: [LabelledRegion] = []) {
        self.image = image
        self.label = label
        self.thickness = thickness
        self.name = name
        self.path = path
        self.regions = regions
    }

    /// The class of every pixel (row-major), nil where unknown.
    public var pixelLabels: [Int?] {
        guard !regions.isEmpty else { return [Int?](repeating: label, count: image.pixelCount) }
        var out = [Int?](repeating: label, count: image.pixelCount)
        for region in regions {
            for r in 0..<image.rows {
                for c in 0..<image.columns where region.region.contains(row: r, column: c, columns: image.columns) {
                    out[r * image.columns + c] = region.label
                }
            }
        }
        return out
    }

    /// Whether any pixel has a class.
    public var isLabelled: Bool { label != nil || !regions.isEmpty }

    /// The same item over a new image of the same pixel grid (regions kept), or of another grid (regions dropped,
    /// since their pixels no longer exist).
    public func replacingImage(_ newImage: SpectrumImage) -> DatasetItem {
        var out = self
        out.image = newImage
        if newImage.rows != image.rows || newImage.columns != image.columns { out.regions = [] }
        return out
    }
}

/// A region and its class index.
public struct LabelledRegion: Sendable, Equatable {
    public var region: PixelRegion
    public var label: Int
    public init(region: PixelRegion, label: Int) {
        self.region = region
        self.label = label
    }
}

/// Spectra flattened for training: a row-major [count x channels] matrix with one label per spectrum.
public struct FlatSpectra: Sendable {
    /// count * channels values.
    public var values: [Float]
    public var labels: [Int]
    public var channels: Int
    public var count: Int { labels.count }
}

/// Spectrum images with class names (k classes, label i = `classNames[i]`). The paper's split (one image per
/// category held out) is `split(perCategory:seed:)`; measured data use `stratifiedTestIndices(fraction:seed:)`.
///
///     let dataset = Dataset(items, classNames: ["initial", "annealed"])
///     let (train, test) = try dataset.split(seed: 3)   // 24 SIs -> 20 train, 4 test
///     let x = try train.flattened()                    // [spectra x channels] with labels
public struct Dataset: Sendable {
    public var items: [DatasetItem]
    /// Class names by index; empty when the dataset carries no names (labels are then bare indices).
    public var classNames: [String]
    /// Thicknesses (t/lambda) at or above this are "thick" (the paper: thin 0.65-0.80, thick 0.83-1.33).
    public var thickThreshold: Double

    public init(_ items: [DatasetItem], classNames: [String] = [], thickThreshold: Double = 0.815) {
        self.items = items
        self.classNames = classNames
        self.thickThreshold = thickThreshold
    }

    /// The number of classes: the names given, else one more than the largest label.
    public var classCount: Int {
        if !classNames.isEmpty { return classNames.count }
        let largest = items.flatMap { [$0.label].compactMap { $0 } + $0.regions.map(\.label) }.max()
        return largest.map { $0 + 1 } ?? 0
    }

    /// The name of class `label` ("class 3" when the dataset has no names).
    public func className(_ label: Int) -> String {
        label >= 0 && label < classNames.count ? classNames[label] : "class \(label)"
    }

    /// The category of an item: its label and whether it is thick ("?" for what is unknown).
    public func category(of item: DatasetItem) -> String {
        let label = item.label.map(String.init) ?? "?"
        guard let t = item.thickness else { return label }
        return "\(label)-\(t >= thickThreshold ? "thick" : "thin")"
    }

    /// The items at `indices`, with the same class names.
    public func subset(_ indices: [Int]) -> Dataset {
        Dataset(indices.map { items[$0] }, classNames: classNames, thickThreshold: thickThreshold)
    }

    /// Holds out `perCategory` items of every category (chosen by a seeded shuffle) for testing.
    ///
    /// - Throws: `EELSError.value` when a category has no item left for training.
    public func split(perCategory: Int = 1, seed: UInt64) throws -> (train: Dataset, test: Dataset) {
        var rng = SeededGenerator(seed: seed)
        var byCategory: [String: [Int]] = [:]
        for (i, item) in items.enumerated() { byCategory[category(of: item), default: []].append(i) }
        var testIndices = Set<Int>()
        for key in byCategory.keys.sorted() {
            let members = byCategory[key]!
            guard members.count > perCategory else {
                throw EELSError.value("category \(key) has \(members.count) image(s); holding out \(perCategory) "
                    + "would leave none to train on")
            }
            testIndices.formUnion(members.shuffled(using: &rng).prefix(perCategory))
        }
        let train = items.indices.filter { !testIndices.contains($0) }
        let test = items.indices.filter { testIndices.contains($0) }
        return (subset(train), subset(test))
    }

    /// Every labelled pixel of every image as one spectrum with its label (unlabelled pixels are left out).
    ///
    /// - Throws: `EELSError.shape` when images differ in channel count.
    public func flattened() throws -> FlatSpectra {
        guard let channels = items.first?.image.channels else { return FlatSpectra(values: [], labels: [], channels: 0) }
        guard items.allSatisfy({ $0.image.channels == channels }) else {
            throw EELSError.shape("dataset images differ in channel count")
        }
        var values: [Float] = [], labels: [Int] = []
        for item in items {
            for (p, label) in item.pixelLabels.enumerated() {
                guard let label else { continue }
                values += item.image.data[p * channels..<(p + 1) * channels]
                labels.append(label)
            }
        }
        return FlatSpectra(values: values, labels: labels, channels: channels)
    }
}

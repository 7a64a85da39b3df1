/// One labelled spectrum image of a dataset.
///
///     let item = DatasetItem(image: si, label: 0, thickness: 0.7, name: "initial-thin-1")
public struct DatasetItem: Sendable {
    public var image: SpectrumImage
    /// Class index (the paper: 0 = initial SrFeO3, 1 = annealed SrFeO2.5).
    public var label: Int
    /// Sample thickness t/lambda (inelastic mean free paths).
    public var thickness: Double
    public var name: String

    public init(image: SpectrumImage, label: Int, thickness: Double, name: String) {
        self.image = image
        self.label = label
        self.thickness = thickness
        self.name = name
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

/// Labelled spectrum images with the paper's split: one image per category (label x thin/thick) held out for
/// testing, the rest for training.
///
///     let dataset = Dataset(items)
///     let (train, test) = try dataset.split(seed: 3)   // 24 SIs -> 20 train, 4 test
///     let x = train.flattened()                        // [spectra x channels] with labels
public struct Dataset: Sendable {
    public var items: [DatasetItem]
    /// Thicknesses (t/lambda) at or above this are "thick" (the paper: thin 0.65-0.80, thick 0.83-1.33).
    public var thickThreshold: Double

    public init(_ items: [DatasetItem], thickThreshold: Double = 0.815) {
        self.items = items
        self.thickThreshold = thickThreshold
    }

    /// The category of an item: its label and whether it is thick.
    public func category(of item: DatasetItem) -> String {
        "\(item.label)-\(item.thickness >= thickThreshold ? "thick" : "thin")"
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
        let train = items.indices.filter { !testIndices.contains($0) }.map { items[$0] }
        let test = items.indices.filter { testIndices.contains($0) }.map { items[$0] }
        return (Dataset(train, thickThreshold: thickThreshold), Dataset(test, thickThreshold: thickThreshold))
    }

    /// Every pixel of every image as one spectrum with its image's label.
    ///
    /// - Throws: `EELSError.shape` when images differ in channel count.
    public func flattened() throws -> FlatSpectra {
        guard let channels = items.first?.image.channels else { return FlatSpectra(values: [], labels: [], channels: 0) }
        guard items.allSatisfy({ $0.image.channels == channels }) else {
            throw EELSError.shape("dataset images differ in channel count")
        }
        var values: [Float] = [], labels: [Int] = []
        values.reserveCapacity(items.reduce(0) { $0 + $1.image.data.count })
        for item in items {
            values += item.image.data
            labels += [Int](repeating: item.label, count: item.image.pixelCount)
        }
        return FlatSpectra(values: values, labels: labels, channels: channels)
    }
}

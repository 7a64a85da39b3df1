import Foundation

/// How the images of a dataset get their classes.
///
///     DatasetLabels.rules([.glob("*a.dm4", "annealed"), .glob("*", "initial")])
///     DatasetLabels.explicit(["Mn2+", nil, "Mn4+"])     // one per image, nil = unlabelled
public enum DatasetLabels: Sendable, Equatable {
    /// No labels (a denoiser needs none).
    case none
    /// One class name per image (nil = unlabelled), in the order of the images.
    case explicit([String?])
    /// File-name rules, first match wins; an image no rule matches is unlabelled.
    case rules([LabelRule])
}

extension Dataset {
    /// The spectrum-image files of a folder (sorted by name), of a glob (`data/*.dm4`), or the file itself.
    /// Files are DM3, DM4, MSA/EMSA or NPY; other files in a folder are skipped.
    ///
    ///     try Dataset.files(matching: "experiment/")        // every .dm3/.dm4/.msa/.npy inside, sorted
    /// - Throws: `EELSError.file` when nothing matches.
    public static func files(matching pattern: String) throws -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let extensions: Set<String> = ["dm3", "dm4", "msa", "emsa", "npy"]
        if manager.fileExists(atPath: pattern, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return [pattern] }
            let names = (try? manager.contentsOfDirectory(atPath: pattern)) ?? []
            let found = names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
                .map { (pattern as NSString).appendingPathComponent($0) }
            guard !found.isEmpty else {
                throw EELSError.file(path: pattern, detail: "the folder holds no .dm3, .dm4, .msa or .npy file")
            }
            return found
        }
        let folder = (pattern as NSString).deletingLastPathComponent
        let glob = (pattern as NSString).lastPathComponent
        let names = (try? manager.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        let found = try names.filter { try LabelRule.glob(glob, "").className(for: $0) != nil }.sorted()
            .map { folder.isEmpty ? $0 : (folder as NSString).appendingPathComponent($0) }
        guard !found.isEmpty else { throw EELSError.file(path: pattern, detail: "no file matches") }
        return found
    }

    /// A dataset of spectrum images (loaded or read from `paths`), labelled by `labels`.
    ///
    /// Class names: `classNames` when given (every label must be one of them), else the names in the order the
    /// rules list them, else in order of first appearance.
    ///
    ///     let data = try Dataset(images: images, labels: .rules([.glob("*a.dm4", "annealed"),
    ///                                                           .glob("*", "initial")]),
    ///                            classNames: ["initial", "annealed"])
    /// - Throws: `EELSError.value` for a label that is not a class, a count mismatch, mixed dispersions or
    ///   energy units, or a declared class no image has.
    public init(images: [(name: String, path: String?, image: SpectrumImage)], labels: DatasetLabels,
                classNames: [String]? = nil) throws {
        guard !images.isEmpty else { throw EELSError.value("a dataset needs at least one spectrum image") }
        var names: [String?]
        var order: [String] = []
        switch labels {
        case .none: names = [String?](repeating: nil, count: images.count)
        case .explicit(let given):
            guard given.count == images.count else {
                throw EELSError.value("\(given.count) labels for \(images.count) spectrum images; give one per image "
                    + "(nil for an unlabelled one)")
            }
            names = given
        case .rules(let rules):
            names = try images.map { try LabelRule.className(for: $0.path ?? $0.name, rules: rules) }
            for case .glob(_, let name) in rules where !order.contains(name) { order.append(name) }
        }
        for case let name? in names where !order.contains(name) { order.append(name) }
        let classes = classNames ?? order
        if let classNames {
            guard Set(classNames).count == classNames.count else {
                throw EELSError.value("class names repeat: \(classNames)")
            }
            for (i, name) in names.enumerated() {
                guard let name, !classNames.contains(name) else { continue }
                throw EELSError.value("\(images[i].name) is labelled '\(name)', which is not one of the classes "
                    + classNames.map { "'\($0)'" }.joined(separator: ", "))
            }
        }
        let items = images.enumerated().map { i, entry in
            DatasetItem(image: entry.image, label: names[i].flatMap { classes.firstIndex(of: $0) }, name: entry.name,
                        path: entry.path)
        }
        self.init(items, classNames: labels == .none && classNames == nil ? [] : classes)
        try validate()
        if case .none = labels { return }
        let used = Set(items.compactMap(\.label))
        if let empty = classes.indices.first(where: { !used.contains($0) }) {
            throw EELSError.value("class '\(classes[empty])' has no spectrum image; label at least one image with "
                + "it or leave it out of the classes")
        }
    }

    /// Reads every file of `paths` (see `files(matching:)`) and labels them (see `init(images:labels:classNames:)`).
    ///
    ///     let data = try Dataset(loading: Dataset.files(matching: "mn/"), labels: .rules([.regex(#"(Mn\d\+)"#)]))
    /// - Throws: `EELSError.file` for a file that is not a spectrum image, and as `init(images:...)`.
    public init(loading paths: [String], labels: DatasetLabels, classNames: [String]? = nil,
                isCancelled: () -> Bool = { false }) throws {
        var images: [(name: String, path: String?, image: SpectrumImage)] = []
        for path in paths {
            if isCancelled() { throw CancellationError() }
            guard case .spectrumImage(var si) = try load(path) else {
                throw EELSError.file(path: path, detail: "holds no spectrum image (a dataset needs rows x columns x "
                    + "channels data)")
            }
            let name = (path as NSString).lastPathComponent
            if si.metadata["title"] == nil || si.metadata["title"]!.isEmpty { si.metadata["title"] = name }
            images.append((name, path, si))
        }
        try self.init(images: images, labels: labels, classNames: classNames)
    }

    /// Checks what one model can use: one energy-loss unit and one dispersion for all images, labels and regions
    /// inside the classes and the images.
    /// - Throws: `EELSError.value` naming the first image that breaks a rule.
    public func validate() throws {
        guard let first = items.first else { return }
        for item in items {
            let e = item.image.energy
            guard e.units == first.image.energy.units else {
                throw EELSError.value("\(item.name) is in \(e.units) but \(first.name) in \(first.image.energy.units); "
                    + "a dataset needs one energy unit")
            }
            guard abs(e.scale - first.image.energy.scale) <= 1e-6 * abs(first.image.energy.scale) else {
                throw EELSError.value("mixed dispersions: \(item.name) has \(e.scale) eV/channel but \(first.name) "
                    + "\(first.image.energy.scale) eV/channel; rebin them to one dispersion (si.rebin(energy:)) or "
                    + "build one dataset per dispersion")
            }
            let k = classCount
            for label in [item.label].compactMap({ $0 }) + item.regions.map(\.label) {
                guard label >= 0, label < k else {
                    throw EELSError.value("\(item.name) has class label \(label), outside the \(k) classes 0..<\(k)")
                }
            }
            for region in item.regions {
                try region.region.validate(rows: item.image.rows, columns: item.image.columns, name: item.name)
            }
        }
    }

    /// The same dataset with the pixels of `region` of the image `name` given class `className`.
    ///
    ///     let mixed = try data.labelling("Mn_mixed.dm4", region: .rectangle(rows: 0..<10, columns: 0..<20),
    ///                                    as: "Mn3+")
    /// - Throws: `EELSError.value` for an unknown image or class, or a region outside the image.
    public func labelling(_ name: String, region: PixelRegion, as className: String) throws -> Dataset {
        guard let index = items.firstIndex(where: { $0.name == name }) else {
            throw EELSError.value("no spectrum image named '\(name)'; names are "
                + items.map(\.name).joined(separator: ", "))
        }
        var out = self
        var label = classNames.firstIndex(of: className)
        if label == nil {
            out.classNames.append(className)
            label = out.classNames.count - 1
        }
        try region.validate(rows: items[index].image.rows, columns: items[index].image.columns, name: name)
        out.items[index].regions.append(LabelledRegion(region: region, label: label!))
        return out
    }
}

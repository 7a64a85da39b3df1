/// Layer 3 of the DigitalMicrograph reader: a DM3/DM4 file's images (thumbnails excluded) turned into
/// spectra, spectrum images and images, with the whole tag tree flattened into metadata.
///
/// Mapping (raw C order is DigitalMicrograph's dimension list reversed):
/// - 1D -> `Spectrum` on the file's calibrated axis.
/// - 2D -> `Image2D` (rows = y, columns = x); a 2D image tagged "Spectrum image" or "Spectrum" is a line of
///   spectra and becomes a `SpectrumImage` with one column (energy is the fastest stored axis there).
/// - 3D -> `SpectrumImage`: DigitalMicrograph stores spectrum images with energy as the slowest axis, raw shape
///   (channels, rows, columns); the reader decodes it into rows x columns x channels in one transposing pass.
/// - complex, packed complex, RGB(A), or more than 3D -> `RawArray` (nothing is silently dropped).
///
///     let file = try DMFile(path: "EELS_SI.dm4")
///     let si = try file.load().spectrumImage!     // 2 x 2 x 2048
public struct DMFile {
    /// The parsed tag tree (layer 1).
    public let tree: DMTagTree
    /// The images of ImageList that are not thumbnails (layer 2).
    public let images: [DMImage]

    /// Maps and parses a file (image data are decoded from the mapping on `load`, never copied first).
    public init(path: String) throws {
        try self.init(bytes: try FileBytes(mapping: path), path: path)
    }

    /// Parses a file held in memory; `path` is used in error messages.
    public init(bytes: [UInt8], path: String) throws {
        try self.init(bytes: FileBytes(bytes), path: path)
    }

    /// Parses a file's bytes, mapped or in memory; `path` is used in error messages.
    public init(bytes: FileBytes, path: String) throws {
        tree = try DMTagTree.parse(bytes: bytes, path: path)
        guard let list = tree.root["ImageList"]?.group else {
            throw EELSError.file(path: path, detail: "no ImageList tag group: not an image file")
        }
        var thumbnails = Set<Int>()
        for entry in tree.root["Thumbnails"]?.group?.entries ?? [] {
            if let index = entry.tag.group?["ImageIndex"]?.data?.value(in: bytes).number,
               let position = Int(exactly: index) {
                thumbnails.insert(position)
            }
        }
        var images: [DMImage] = []
        for index in list.entries.indices where !thumbnails.contains(index) {
            images.append(try DMImage(tree: tree, listIndex: index))
        }
        guard !images.isEmpty else { throw EELSError.file(path: path, detail: "ImageList holds only thumbnails") }
        self.images = images
    }

    /// Every data tag as "Group.Sub.Tag" -> value; unnamed list entries by position ("ImageList.1.Name").
    public var flattenedTags: [String: String] {
        var out: [String: String] = [:]
        func walk(_ group: DMTagGroup, _ prefix: String) {
            for (index, entry) in group.entries.enumerated() {
                let key = prefix + (entry.name.isEmpty ? String(index) : entry.name)
                switch entry.tag {
                case .group(let g): walk(g, key + ".")
                case .data(let d): out[key] = d.renderedForMetadata(in: tree.bytes)
                }
            }
        }
        walk(tree.root, "")
        return out
    }

    /// The image at `index` of `images` (default: the first non-thumbnail image) as a loaded value.
    public func load(image index: Int = 0) throws -> LoadedData {
        guard images.indices.contains(index) else {
            throw EELSError.value("\(tree.path) has \(images.count) image(s); index \(index) is out of range")
        }
        let image = images[index]
        var metadata = flattenedTags
        metadata["title"] = image.title
        metadata["source"] = tree.path
        metadata["format"] = "DM\(tree.version)"
        metadata["dtype"] = image.dataType.numpyName
        metadata["dm.dimensions"] = String(image.dimensions.count)
        switch image.dataType.family {
        case .complex, .rgba:
            return .raw(try image.rawArray(in: tree.bytes, metadata: metadata))
        default: break
        }
        let axes = image.axes
        switch axes.count {
        case 1:
            return .spectrum(Spectrum(values: try image.floatValues(in: tree.bytes), energy: axes[0],
                                      metadata: metadata))
        case 2 where image.format == "Spectrum image" || image.format == "Spectrum":
            var si = SpectrumImage(rows: axes[0].size, columns: 1, energy: axes[1],
                                   data: try image.floatValues(in: tree.bytes), metadata: metadata)
            si.rowAxis = axes[0]
            return .spectrumImage(si)
        case 2:
            return .image(Image2D(rows: axes[0].size, columns: axes[1].size,
                                  data: try image.floatValues(in: tree.bytes),
                                  rowAxis: axes[0], columnAxis: axes[1], metadata: metadata))
        case 3:
            var si = SpectrumImage(rows: axes[1].size, columns: axes[2].size, energy: axes[0],
                                   data: try image.channelsLastValues(in: tree.bytes), metadata: metadata)
            si.rowAxis = axes[1]
            si.columnAxis = axes[2]
            return .spectrumImage(si)
        default:
            return .raw(try image.rawArray(in: tree.bytes, metadata: metadata))
        }
    }
}

/// What `load(_:)` returns: the kind of data a file holds.
///
///     switch try load("EELS_SI.dm4") {
///     case .spectrumImage(let si): print(si.rows, si.columns, si.channels)
///     case .spectrum(let s): print(s.values.count)
///     case .image(let image): print(image.rows, image.columns)
///     case .raw(let array): print(array.shape, array.dtype)
///     }
public enum LoadedData: Sendable {
    case spectrum(Spectrum)
    case spectrumImage(SpectrumImage)
    case image(Image2D)
    /// Complex or RGB data, or arrays of more than three dimensions, exactly as stored.
    case raw(RawArray)

    /// The spectrum, when the file held one.
    public var spectrum: Spectrum? {
        if case .spectrum(let s) = self { return s }
        return nil
    }

    /// The spectrum image, when the file held one.
    public var spectrumImage: SpectrumImage? {
        if case .spectrumImage(let s) = self { return s }
        return nil
    }

    /// The 2D image, when the file held one.
    public var image: Image2D? {
        if case .image(let s) = self { return s }
        return nil
    }

    /// The raw array, when the file held complex, RGB or high-dimensional data.
    public var raw: RawArray? {
        if case .raw(let s) = self { return s }
        return nil
    }

    /// A one-word description of the case: "spectrum", "spectrum image", "image", "array".
    public var kind: String {
        switch self {
        case .spectrum: return "spectrum"
        case .spectrumImage: return "spectrum image"
        case .image: return "image"
        case .raw: return "array"
        }
    }
}

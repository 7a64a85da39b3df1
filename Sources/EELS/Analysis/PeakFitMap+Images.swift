/// Parameter maps of a per-pixel fit as calibrated 2D images.
extension PeakFitMap {
    /// The named parameter's map as an image with the fitted image's spatial axes; NaN where the fit failed.
    ///
    ///     let positions = try maps.image("peak1.position")   // rows x columns, x and y in nm
    ///
    /// - Throws: `EELSError.value` naming the known parameters when `name` is not one of them.
    public func image(_ name: String) throws -> Image2D {
        let values = name == PeakFitMap.chiSquareName ? reducedChiSquare : try self.values(name)
        return Image2D(rows: rows, columns: columns, data: values.map { Float($0) }, rowAxis: sized(rowAxis, rows),
                       columnAxis: sized(columnAxis, columns), metadata: ["title": name])
    }

    /// Every parameter's map, in fit order, then the reduced chi-square map.
    ///
    ///     for map in maps.images { print(map.metadata["title"]!) }   // peak1.height, ..., reduced chi-square
    public var images: [Image2D] {
        (parameterNames + [PeakFitMap.chiSquareName]).compactMap { try? image($0) }
    }

    /// The title of the reduced chi-square map in `images`.
    public static let chiSquareName = "reduced chi-square"

    private func sized(_ axis: UniformAxis, _ size: Int) -> UniformAxis {
        var a = axis
        a.size = size
        return a
    }
}

import EELS

/// A classification's per-pixel results as calibrated 2D images (for figures and .hspy files).
extension Classification {
    /// A classification of rows x columns pixels (`probabilities`: pixels x classes, row-major pixels), with the
    /// classified image's spatial axes (pixels when nil).
    ///
    ///     let c = Classification(rows: 1, columns: 2, probabilities: [0.9, 0.1, 0.3, 0.7],
    ///                            classNames: ["initial", "annealed"], title: "SI 3", rowAxis: nil, columnAxis: nil)
    public init(rows: Int, columns: Int, probabilities: [Float], classNames: [String], trueLabels: [Int?]? = nil,
                title: String = "", rowAxis: UniformAxis?, columnAxis: UniformAxis?) {
        self.init(rows: rows, columns: columns, probabilities: probabilities, classNames: classNames,
                  trueLabels: trueLabels, title: title)
        if let rowAxis { self.rowAxis = rowAxis }
        if let columnAxis { self.columnAxis = columnAxis }
    }

    /// The probability of class `index` at every pixel, with the classified image's spatial axes.
    ///
    ///     let p = result.probabilityImage(1)   // P(annealed), rows x columns, axes in nm
    public func probabilityImage(_ index: Int = 1) -> Image2D {
        let k = classNames.count, c = Swift.min(Swift.max(index, 0), k - 1)
        let values = (0..<(rows * columns)).map { probabilities[$0 * k + c] }
        return Image2D(rows: rows, columns: columns, data: values, rowAxis: sized(rowAxis, rows),
                       columnAxis: sized(columnAxis, columns),
                       metadata: ["title": "P(\(classNames[c]))" + (title.isEmpty ? "" : " of \(title)")])
    }

    /// The most probable class of every pixel (0, 1, ...) as an image.
    ///
    ///     let classes = result.classImage   // values 0 or 1
    public var classImage: Image2D {
        Image2D(rows: rows, columns: columns, data: labels.map { Float($0) }, rowAxis: sized(rowAxis, rows),
                columnAxis: sized(columnAxis, columns),
                metadata: ["title": "class" + (title.isEmpty ? "" : " of \(title)"),
                           "classes": classNames.joined(separator: ", ")])
    }

    private func sized(_ axis: UniformAxis, _ size: Int) -> UniformAxis {
        var a = axis
        a.size = size
        return a
    }
}

import EELS

/// Per-pixel classes and probabilities of one spectrum image, with the true class of every pixel where known.
///
///     let c = try classifier.classify(item)
///     c.labels        // most probable class per pixel, row-major
///     c.accuracy      // fraction of labelled pixels classified as their true class
///     c.confusion     // k x k counts: rows true class, columns predicted
public struct Classification: Sendable {
    public let rows: Int
    public let columns: Int
    /// [pixels x classes] softmax probabilities, row-major pixels.
    public let probabilities: [Float]
    public let classNames: [String]
    /// The true class of every pixel (nil where unknown), or nil when nothing is known.
    public let trueLabels: [Int?]?
    public var title: String
    /// The classified image's spatial axes (y for rows, x for columns).
    public var rowAxis = UniformAxis(offset: 0, scale: 1, size: 0, units: "px", name: "y")
    public var columnAxis = UniformAxis(offset: 0, scale: 1, size: 0, units: "px", name: "x")

    public init(rows: Int, columns: Int, probabilities: [Float], classNames: [String], trueLabels: [Int?]?,
                title: String) {
        self.rows = rows
        self.columns = columns
        self.probabilities = probabilities
        self.classNames = classNames
        self.trueLabels = trueLabels
        self.title = title
    }

    /// The image's true class when every labelled pixel has the same one (the paper's one-state images).
    public var trueLabel: Int? {
        guard let known = trueLabels?.compactMap({ $0 }), let first = known.first,
              known.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// The most probable class of every pixel.
    public var labels: [Int] {
        let k = classNames.count
        return (0..<(rows * columns)).map { p in
            var best = 0
            for c in 1..<k where probabilities[p * k + c] > probabilities[p * k + best] { best = c }
            return best
        }
    }

    /// The probability of class `c` at every pixel (row-major).
    public func probabilityMap(_ c: Int) -> [Double] {
        let k = classNames.count
        return (0..<(rows * columns)).map { Double(probabilities[$0 * k + c]) }
    }

    /// Pixels per predicted class.
    public var counts: [Int] {
        var out = [Int](repeating: 0, count: classNames.count)
        for l in labels { out[l] += 1 }
        return out
    }

    /// k x k counts of labelled pixels: confusion[true][predicted] (zeros without true labels).
    public var confusion: [[Int]] {
        let k = classNames.count
        var out = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        guard let trueLabels else { return out }
        for (p, predicted) in labels.enumerated() {
            if let t = trueLabels[p] { out[t][predicted] += 1 }
        }
        return out
    }

    /// Fraction of labelled pixels classified as their true class (nil without labelled pixels).
    public var accuracy: Double? {
        let m = confusion
        let total = m.joined().reduce(0, +)
        return total == 0 ? nil : Double(m.indices.reduce(0) { $0 + m[$1][$1] }) / Double(total)
    }
}

extension ConfusionMatrix {
    /// The pooled matrix of labelled pixels of `results` (counts[true][predicted]).
    ///
    ///     let m = try ConfusionMatrix(pooling: results)
    ///     m.recall     // each class's accuracy (NaN for a class with no labelled pixel)
    /// - Throws: `RapidEELSError.value` when the classifications have different classes or there are none.
    public init(pooling results: [Classification]) throws {
        guard let names = results.first?.classNames else {
            throw RapidEELSError.value("no classifications to count")
        }
        guard results.allSatisfy({ $0.classNames == names }) else {
            throw RapidEELSError.value("the classifications have different classes")
        }
        var total = [[Int]](repeating: [Int](repeating: 0, count: names.count), count: names.count)
        for r in results {
            for (i, row) in r.confusion.enumerated() { for (j, n) in row.enumerated() { total[i][j] += n } }
        }
        try self.init(counts: total)
    }
}

/// How pixels are grouped into blocks for the "1 FPS" ground truth.
public enum BlockAssignment: Sendable, Equatable {
    /// Each pixel belongs to its true spatial block: (row / blockRows, column / blockColumns). Edge blocks that
    /// the image cuts short (638 = 15 x 40 + 38 columns) average the pixels they hold.
    case spatial
    /// The released code's assignment: pixels flattened in row-major order and cut into consecutive runs of
    /// blockRows x blockColumns pixels, so in a 10 x 638 image block 0 is row 0's first 400 pixels, not a
    /// 10 x 40 patch. Kept to reproduce the released numbers exactly.
    case rowMajor

    /// The block of pixel (row, column) in an image `columns` wide, and the number of blocks.
    ///
    ///     BlockAssignment.spatial.block(row: 9, column: 39, rows: 10, columns: 638,
    ///                                   blockRows: 10, blockColumns: 40)   // 0
    public func block(row: Int, column: Int, rows: Int, columns: Int, blockRows: Int, blockColumns: Int) -> Int {
        switch self {
        case .spatial:
            let blocksAcross = (columns + blockColumns - 1) / blockColumns
            return (row / blockRows) * blocksAcross + column / blockColumns
        case .rowMajor:
            return (row * columns + column) / (blockRows * blockColumns)
        }
    }

    /// How many blocks an image of rows x columns has.
    public func blockCount(rows: Int, columns: Int, blockRows: Int, blockColumns: Int) -> Int {
        switch self {
        case .spatial:
            return ((rows + blockRows - 1) / blockRows) * ((columns + blockColumns - 1) / blockColumns)
        case .rowMajor:
            let size = blockRows * blockColumns
            return (rows * columns + size - 1) / size
        }
    }
}

extension SpectrumImage {
    /// The mean spectrum of every block, one row per block: [blockCount x channels], with each pixel's block.
    ///
    ///     let (means, blockOfPixel) = try si.blockMeans(rows: 10, columns: 40)
    public func blockMeans(rows blockRows: Int, columns blockColumns: Int,
                           assignment: BlockAssignment = .spatial) throws -> (means: [Float], blockOfPixel: [Int]) {
        guard blockRows >= 1, blockColumns >= 1 else {
            throw EELSError.value("block size \(blockRows) x \(blockColumns) must be at least 1 x 1")
        }
        let count = assignment.blockCount(rows: rows, columns: columns, blockRows: blockRows,
                                          blockColumns: blockColumns)
        let ch = channels
        var sums = [Double](repeating: 0, count: count * ch)
        var members = [Int](repeating: 0, count: count)
        var blockOfPixel = [Int](repeating: 0, count: pixelCount)
        data.withUnsafeBufferPointer { src in
            for r in 0..<rows {
                for c in 0..<columns {
                    let b = assignment.block(row: r, column: c, rows: rows, columns: columns,
                                             blockRows: blockRows, blockColumns: blockColumns)
                    blockOfPixel[r * columns + c] = b
                    members[b] += 1
                    let s = (r * columns + c) * ch
                    for k in 0..<ch { sums[b * ch + k] += Double(src[s + k]) }
                }
            }
        }
        var means = [Float](repeating: 0, count: count * ch)
        for b in 0..<count where members[b] > 0 {
            for k in 0..<ch { means[b * ch + k] = Float(sums[b * ch + k] / Double(members[b])) }
        }
        return (means, blockOfPixel)
    }

    /// Every pixel replaced by the mean of its block: the paper's "1 FPS" ground truth (blocks of 10 rows x
    /// 40 columns = 400 pixels of 2.5 ms). Same shape as the input.
    ///
    ///     let truth = try si.blockMean(rows: 10, columns: 40)                          // true spatial blocks
    ///     let released = try si.blockMean(rows: 10, columns: 40, assignment: .rowMajor) // released code's
    public func blockMean(rows blockRows: Int, columns blockColumns: Int,
                          assignment: BlockAssignment = .spatial) throws -> SpectrumImage {
        let (means, blockOfPixel) = try blockMeans(rows: blockRows, columns: blockColumns, assignment: assignment)
        let ch = channels
        let out = [Float](filling: data.count) { dst in
            means.withUnsafeBufferPointer { m in
                for p in 0..<pixelCount {
                    (dst.baseAddress! + p * ch).initialize(from: m.baseAddress! + blockOfPixel[p] * ch, count: ch)
                }
            }
        }
        return withData(out, energy: energy)
    }

    /// Lower frame rates: every `n` adjacent pixels along each row (the scan direction) combined into one, as a
    /// longer dwell collects them (400 FPS raw; n = 2, 4, 16 give 200, 100, 25 FPS). Columns left over at the
    /// end of a row are dropped. With `perFrame` the sum is divided by n, the units a model trained at 400 FPS
    /// knows.
    ///
    ///     let fps100 = try si.simulateFrameRate(combining: 4, perFrame: true)   // 10 x 159 pixels
    public func simulateFrameRate(combining n: Int, perFrame: Bool = false) throws -> SpectrumImage {
        guard n >= 1, n <= columns else {
            throw EELSError.value("cannot combine \(n) pixels in rows of \(columns); use 1...\(columns)")
        }
        var result = try rebin(pixels: [1, n])
        if perFrame {
            let inverse = 1 / Float(n)
            for i in result.data.indices { result.data[i] *= inverse }
        }
        return result
    }
}

import Foundation

/// A figure: a white rounded card holding a grid of `Axes` panels (small multiples), written as standalone SVG.
///
/// The card is drawn with a white background and dark ink, so the figure reads the same in light and dark
/// JupyterLab themes (on a dark theme it shows as a white card, like a printed figure).
///
///     var fig = Figure(width: 640, height: 400, title: "O K-edge")
///     try fig.axes.plot(energy, spectrum, label: "raw", color: .blue)
///     fig.axes.xLabel = "Energy loss (eV)"
///     let svg = fig.svg()
///
///     var grid = Figure(width: 960, height: 280, rows: 1, columns: 4, sharedY: true)
///     try grid[0, 1].plot(energy, truth, label: "1 FPS")
public struct Figure {
    /// Size of the whole figure in px (at least 60 x 40).
    public var width: Double { didSet { width = max(width, 60) } }
    public var height: Double { didSet { height = max(height, 40) } }
    /// Title centred above all panels.
    public var title: String?
    /// Grid shape (at least 1 x 1).
    public let rows: Int
    public let columns: Int
    /// Every panel shares one x range (tick labels only on the bottom row).
    public var sharedX: Bool
    /// Every panel shares one y range (tick labels only on the first column).
    public var sharedY: Bool
    /// The panels in row-major order, `rows * columns` of them.
    public var panels: [Axes]

    /// A figure of `rows` x `columns` empty panels; sizes in px; rows and columns below 1 count as 1.
    public init(width: Double = 640, height: Double = 400, rows: Int = 1, columns: Int = 1,
                sharedX: Bool = false, sharedY: Bool = false, title: String? = nil) {
        self.width = max(width, 60)
        self.height = max(height, 40)
        self.rows = max(rows, 1)
        self.columns = max(columns, 1)
        self.sharedX = sharedX
        self.sharedY = sharedY
        self.title = title
        self.panels = Array(repeating: Axes(), count: self.rows * self.columns)
    }

    /// The first (top-left) panel: the axes of a one-panel figure.
    public var axes: Axes {
        get { panels[0] }
        set { panels[0] = newValue }
    }

    /// The panel at `row`, `column` (zero-based; must be inside the grid, else a precondition failure: use
    /// `panel(row:column:)` / `updatePanel(row:column:_:)` for positions that come from users).
    public subscript(row: Int, column: Int) -> Axes {
        get {
            precondition(contains(row: row, column: column), "panel [\(row), \(column)] is outside the grid")
            return panels[row * columns + column]
        }
        set {
            precondition(contains(row: row, column: column), "panel [\(row), \(column)] is outside the grid")
            panels[row * columns + column] = newValue
        }
    }

    /// The panel at `row`, `column`, or an error naming the grid's shape (for input that comes from users).
    ///
    ///     let panel = try fig.panel(row: 0, column: 3)
    /// - Throws: `PlotError.invalidArgument` when the position is outside the grid.
    public func panel(row: Int, column: Int) throws -> Axes {
        try checkPanel(row: row, column: column)
        return panels[row * columns + column]
    }

    /// Changes the panel at `row`, `column` in place, checking the position first.
    ///
    ///     try fig.updatePanel(row: 1, column: 0) { try $0.plot(energy, truth, label: "1 FPS") }
    /// - Throws: `PlotError.invalidArgument` when the position is outside the grid, or what `body` throws.
    public mutating func updatePanel(row: Int, column: Int, _ body: (inout Axes) throws -> Void) throws {
        try checkPanel(row: row, column: column)
        try body(&panels[row * columns + column])
    }

    private func checkPanel(row: Int, column: Int) throws {
        guard contains(row: row, column: column) else {
            throw PlotError.invalidArgument(
                "panel [\(row), \(column)] is outside the \(rows) x \(columns) grid "
                    + "(rows 0..<\(rows), columns 0..<\(columns))")
        }
    }

    /// Whether `row`, `column` names a panel of this figure.
    public func contains(row: Int, column: Int) -> Bool {
        (0..<rows).contains(row) && (0..<columns).contains(column)
    }

    /// Writes `svg()` to `url`.
    ///
    ///     try fig.write(to: URL(fileURLWithPath: "fig6.svg"))
    /// - Throws: `PlotError.writeFailed` naming the path.
    public func write(to url: URL) throws {
        do {
            try Data(svg().utf8).write(to: url)
        } catch {
            throw PlotError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The figure as a standalone SVG document (xmlns, viewBox, width and height set).
    public func svg() -> String {
        FigureRenderer(figure: self).render()
    }
}

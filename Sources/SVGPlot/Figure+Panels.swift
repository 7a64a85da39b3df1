/// Composing figures from panels drawn elsewhere (the paper's multi-panel figures: Fig. 6 as 2 x 4, Fig. 7 as 1 x 4).
extension Figure {
    /// A figure holding `panels` row-major, `columns` to a row; the cells after the last panel are left blank.
    ///
    ///     var a = Axes(); try a.plot(energy, raw, label: "raw")
    ///     var b = Axes(); try b.plot(energy, truth, label: "1 FPS")
    ///     let fig = try Figure(panels: [a, b], columns: 2, width: 900, height: 300, panelLabels: ["A", "B"])
    /// - Parameters:
    ///   - panelLabels: letters drawn at the panels' top-left corners, in panel order (fewer labels than panels
    ///     leave the rest unlabelled; a panel's own label is kept when none is given for it).
    /// - Throws: `PlotError.invalidArgument` for no panels, `columns` < 1, or more labels than panels.
    public init(panels: [Axes], columns: Int, width: Double, height: Double, sharedX: Bool = false,
                sharedY: Bool = false, title: String? = nil, panelLabels: [String] = []) throws {
        guard !panels.isEmpty else { throw PlotError.invalidArgument("a figure needs at least one panel") }
        guard columns >= 1 else {
            throw PlotError.invalidArgument("columns must be at least 1, got \(columns)")
        }
        guard panelLabels.count <= panels.count else {
            throw PlotError.invalidArgument("\(panelLabels.count) panel labels for \(panels.count) panels")
        }
        let columns = min(columns, panels.count)
        let rows = (panels.count + columns - 1) / columns
        self.init(width: width, height: height, rows: rows, columns: columns, sharedX: sharedX, sharedY: sharedY,
                  title: title)
        for (index, panel) in panels.enumerated() {
            self.panels[index] = panel
            if index < panelLabels.count { self.panels[index].panelLabel = panelLabels[index] }
        }
        for index in panels.count..<(rows * columns) { self.panels[index].isVisible = false }
    }
}

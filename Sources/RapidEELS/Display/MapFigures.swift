import EELS
import SVGPlot

/// How a calibrated spatial axis is drawn on a map: its label with units and the extent of the pixel edges
/// (HyperSpy's convention: pixel i covers offset + (i - 1/2) scale ... offset + (i + 1/2) scale). Lengths below
/// one micrometre are shown in nm.
///
///     let x = MapAxis(UniformAxis(offset: 0, scale: 0.00199, size: 2, units: "µm", name: "x"))
///     x.label    // "x (nm)"
///     x.extent   // -0.996...2.988
public struct MapAxis: Equatable, Sendable {
    public var label: String
    public var extent: ClosedRange<Double>
    /// The axis in the units drawn (nm for sub-micrometre µm axes).
    public var axis: UniformAxis

    public init(_ calibrated: UniformAxis) {
        var a = calibrated
        let micrometre = ["µm", "μm", "um", "micron"].contains(a.units)
        if micrometre && Swift.abs(a.scale * Double(Swift.max(a.size, 1))) < 1 {
            a.offset *= 1000
            a.scale *= 1000
            a.units = "nm"
        }
        axis = a
        let units = a.units.isEmpty ? "px" : a.units
        label = (a.name.isEmpty ? "" : a.name + " ") + "(\(units))"
        let ends = [a.offset - a.scale / 2, a.offset + (Double(a.size) - 0.5) * a.scale]
        let lower = ends.min()!, upper = ends.max()!
        extent = lower...(upper > lower ? upper : lower + 1)
    }
}

extension Figures {
    /// Draws a rows x columns map into `panel` with calibrated axes (row 0 at the top).
    ///
    ///     try Figures.drawMap(&figure.axes, image.data, rows: 2, columns: 3, rowAxis: y, columnAxis: x)
    public static func drawMap<T: BinaryFloatingPoint>(_ panel: inout Axes, _ values: [T], rows: Int, columns: Int,
                                                       rowAxis: UniformAxis, columnAxis: UniformAxis,
                                                       colormap: Colormap = .viridis, range: ClosedRange<Double>? = nil,
                                                       colorbarLabel: String? = nil) throws {
        var y = rowAxis, x = columnAxis
        y.size = rows
        x.size = columns
        let my = MapAxis(y), mx = MapAxis(x)
        try panel.heatmap(values, rows: rows, columns: columns, x: mx.extent, y: my.extent, colormap: colormap,
                          range: range, colorbarLabel: colorbarLabel)
        panel.yInverted = true
        panel.xLabel = mx.label
        panel.yLabel = my.label
    }

    /// A 2D image (an intensity, class, probability or fit-parameter map) with calibrated axes.
    ///
    ///     let svg = try Figures.map(si.intensityMap(), colorbarLabel: "counts").svg()
    public static func map(_ image: Image2D, title: String? = nil, colorbarLabel: String? = nil,
                           colormap: Colormap = .viridis, range: ClosedRange<Double>? = nil) throws -> Figure {
        let (width, height) = mapSize(image, panelWidth: 640)
        var figure = Figure(width: width, height: height, title: title ?? image.metadata["title"])
        try drawMap(&figure.axes, image.data, rows: image.rows, columns: image.columns, rowAxis: image.rowAxis,
                    columnAxis: image.columnAxis, colormap: colormap, range: range, colorbarLabel: colorbarLabel)
        return figure
    }

    /// Several maps of one image (a fit's parameters), one panel each, titled by `metadata["title"]`.
    ///
    ///     let svg = try Figures.maps(fits.images, title: "Gaussian fit").svg()
    /// - Throws: `PlotError` when `images` is empty.
    public static func maps(_ images: [Image2D], title: String? = nil, columns: Int = 2) throws -> Figure {
        guard let first = images.first else { throw PlotError.invalidArgument("maps: no images to draw") }
        let across = Swift.max(1, Swift.min(columns, images.count))
        let down = (images.count + across - 1) / across
        let (panelWidth, panelHeight) = mapSize(first, panelWidth: across == 1 ? 640 : 420)
        var figure = Figure(width: panelWidth * Double(across), height: panelHeight * Double(down) + 20,
                            rows: down, columns: across, title: title)
        for (i, image) in images.enumerated() {
            var panel = figure[i / across, i % across]
            try drawMap(&panel, image.data, rows: image.rows, columns: image.columns, rowAxis: image.rowAxis,
                        columnAxis: image.columnAxis, colorbarLabel: image.metadata["units"])
            panel.title = image.metadata["title"]
            figure[i / across, i % across] = panel
        }
        return figure
    }

    /// A panel size that follows the map's aspect ratio within sensible bounds.
    static func mapSize(_ image: Image2D, panelWidth: Double) -> (Double, Double) {
        let x = MapAxis(image.columnAxis), y = MapAxis(image.rowAxis)
        let wide = (x.extent.upperBound - x.extent.lowerBound), tall = (y.extent.upperBound - y.extent.lowerBound)
        let aspect = wide > 0 && tall > 0 && x.axis.units == y.axis.units ? tall / wide : Double(image.rows) / Double(max(image.columns, 1))
        let plotHeight = Swift.min(Swift.max((panelWidth - 160) * aspect, 60), 420)
        return (panelWidth, plotHeight + 110)
    }
}

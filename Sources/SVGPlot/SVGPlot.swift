public enum SVGPlotInfo { public static let name = "SVGPlot" }

import EELS
import Foundation
import RapidEELS
import SVGPlot
import ScriptLanguage

/// Commands for the paper's multi-panel figures and the measurements behind them: `grid` (panels of several
/// figures in one), `lines` (a quantity against frame rate, Fig. 3B and 5B), `subtractedInput` (a raw pixel in the
/// ground truth's units, Fig. 7A) and `snr` (Fig. 3B).
extension RapidEELSCommands {
    /// The colours and line styles given as `colors:` and `styles:` (nil when the command has no styles), one per
    /// series.
    static func seriesStyles(_ args: Arguments, styles: String?) throws -> [SeriesStyle] {
        func strings(_ name: String?) throws -> [String] {
            guard let name, let value = try args.given(name) else { return [] }
            guard case .array(let items) = value else { throw args.wrong(name, "an array of names", value) }
            return try items.map {
                guard case .string(let item) = $0 else { throw args.wrong(name, "names (strings)", $0) }
                return item
            }
        }
        let colorNames = try strings("colors"), styleNames = try strings(styles)
        return try (0..<max(colorNames.count, styleNames.count)).map { i in
            SeriesStyle(color: i < colorNames.count ? try SeriesStyle.color(named: colorNames[i]) : nil,
                        line: i < styleNames.count ? try SeriesStyle.line(named: styleNames[i]) : .solid)
        }
    }

    /// The figure a value draws: a Figure made here, an Embedding (t-SNE) or a TrainingHistory.
    static func figure(of value: Value, argument: String, _ args: Arguments) throws -> Figure {
        switch value {
        case .object(let f as FigureObject):
            guard let figure = f.figure else {
                throw ScriptError(kind: .value, message: "this figure (\(f.text)) is a finished drawing and "
                    + "cannot be placed in a grid; draw it with plot, plotMeanStd, bars, lines or scatter")
            }
            return figure
        case .object(let e as EmbeddingObject):
            return try Figures.embedding(e.result.embedding, labels: e.labels, thick: e.thick, title: e.title,
                                         classNames: e.classNames)
        case .object(let h as HistoryObject):
            return try Figures.loss(h.history, title: h.title)
        default:
            throw args.wrong(argument, "figures (plot, plotMeanStd, bars, lines, scatter, tsne or a training history)",
                             value)
        }
    }

    static func registerFigureCommands(_ r: CommandRegistry) {
        r.register(Command(name: "grid", parameters: [
            .value("_ figures", "[Figure]", doc: "figures from plot, plotMeanStd, bars, lines, scatter, tsne or "
                + "train; every panel of each, in order"),
            .int("columns", default: 4),
            .string("title", default: ""),
            .value("panelLabels", "[String]", default: .array([]), doc: "letters at the panels' corners: "
                + "[\"A\", \"B\", \"C\", \"D\"]"),
            .bool("sharedY", default: false, doc: "one y range for every panel"),
            .double("panelWidth", default: 330, doc: "px per column"),
            .double("panelHeight", default: 290, doc: "px per row"),
        ], returns: "Figure", doc: "Several figures as the panels of one, `columns` to a row (a one-panel figure's "
            + "title becomes its panel's title): the paper's multi-panel figures (Fig. 6 as 2 x 4, Fig. 7 as 1 x 4).",
           example: "grid([plot(raw), plot(truth), plot(clean)], columns: 3, title: \"Fig. 7\", "
            + "panelLabels: [\"A\", \"B\", \"C\"])") { args, _ in
            let value = try args.value("figures")
            guard case .array(let items) = value, !items.isEmpty else {
                throw args.wrong("figures", "a non-empty array of figures", value)
            }
            let figures = try items.map { try figure(of: $0, argument: "figures", args) }
            let labelsValue = try args.value("panelLabels")
            guard case .array(let labelItems) = labelsValue else {
                throw args.wrong("panelLabels", "an array of strings", labelsValue)
            }
            let labels = labelItems.map { $0.description }
            let title = try args.string("title")
            let grid = try Figures.grid(figures, columns: try args.int("columns"),
                                        title: title.isEmpty ? nil : title, panelLabels: labels,
                                        sharedY: try args.bool("sharedY"),
                                        panelWidth: try args.double("panelWidth"),
                                        panelHeight: try args.double("panelHeight"))
            let panels = grid.panels.filter(\.isVisible).count
            return .object(FigureObject(grid, text: "Figure(\(panels) panels, \(grid.rows) x \(grid.columns)"
                + (title.isEmpty ? "" : ", \"\(title)\"") + ")"))
        })
        r.register(Command(name: "lines", parameters: [
            .doubles("x"),
            .value("y", "[[Double]]", doc: "one array per series, each as long as x"),
            .value("labels", "[String]", default: .array([])),
            .string("title", default: ""),
            .string("xLabel", default: ""), .string("yLabel", default: ""),
            .bool("logX", default: false), .bool("logY", default: false),
            .value("colors", "[String]", default: .array([]), doc: "one per series (see plot)"),
            .value("styles", "[String]", default: .array([]), doc: "one per series: solid, dashed, dotted, dashDot"),
        ], returns: "Figure", doc: "Lines with a marker at each point, every series against the same x: a quantity "
            + "against frame rate (the paper's Fig. 3B and 5B).",
           example: "lines(x: [400, 200, 100, 25], y: [rawMSE, aecMSE], labels: [\"raw\", \"AEC\"], "
            + "xLabel: \"Frame rate (FPS)\", yLabel: \"MSE\", logX: true)") { args, ctx in
            let x = try args.doubles("x")
            let yValue = try args.value("y")
            guard case .array(let rows) = yValue, !rows.isEmpty else {
                throw args.wrong("y", "an array of series (arrays of numbers)", yValue)
            }
            let location = ctx.location ?? SourceLocation(line: 1, column: 1)
            let ys = try rows.map { row -> [Double] in
                guard case .array(let a) = row else { throw args.wrong("y", "arrays of numbers", row) }
                return try Builtins.numbers(a, "lines", location)
            }
            var labels: [String] = []
            if case .array(let a) = try args.value("labels") { labels = a.map { $0.description } }
            let title = try args.string("title")
            let figure = try Figures.lines(x: x, series: ys.enumerated().map {
                ($0.offset < labels.count ? labels[$0.offset] : "", $0.element)
            }, styles: try seriesStyles(args, styles: "styles"), title: title.isEmpty ? nil : title,
               xLabel: try args.string("xLabel"), yLabel: try args.string("yLabel"),
               logX: try args.bool("logX"), logY: try args.bool("logY"))
            return .object(FigureObject(figure, text: "Figure(\(ys.count) lines over \(x.count) points"
                + (title.isEmpty ? "" : ", \"\(title)\"") + ")"))
        })
        r.register(Command(name: "subtractedInput", parameters: [
            .object("_ si", SpectrumImageObject.self, "SpectrumImage"),
            methodParameter(),
        ], returns: "SpectrumImage", doc: "Each raw pixel in the ground truth's units: binned, its own power-law "
            + "background (fitted on the method's background window) subtracted, cut to the window; no block mean "
            + "and no model. The raw pixel of the paper's Fig. 7A and the raw curve of Fig. 5B.",
           example: "let raw = subtractedInput(si)\nmse(raw, groundTruth(si))") { args, _ in
            let si = try image(args, "si")
            var out = try methodArgument(args).subtractedInputs(si.image)
            out.metadata["title"] = "raw, background subtracted " + (si.image.metadata["title"] ?? "")
            return si.derived(out)
        })
        r.register(Command(name: "snr", parameters: [
            .object("_ si", SpectrumImageObject.self, "SpectrumImage", doc: "raw 400 FPS counts"),
            .int("fps", default: 400, doc: "a frame rate that divides 400: 400/fps pixels "
                + "of each row are summed"),
            .range("window", default: 530...545, doc: "eV: the O K edge"),
        ], returns: "Double", doc: "The signal-to-noise ratio per energy channel at a frame rate, measured from the "
            + "data: mean count per channel in the window over the standard deviation of one channel's count. The "
            + "noise is measured from neighbouring spectra of each row (their difference has twice the variance and "
            + "no signal), so no model of the data is needed. For shot noise it is √(counts) and grows as √(400 / "
            + "fps) (the paper's Fig. 3B; 400 FPS: about 15 counts per 0.125 eV channel, SNR 3.8).",
           example: "snr(data.test[0], fps: 25)") { args, ctx in
            let si = try image(args, "si")
            let fps = try args.int("fps")
            guard fps > 0, 400 % fps == 0 else {
                throw ctx.error(.value, "frame rate \(fps) must divide 400 (400, 200, 100, 50, 25, 10 ...)")
            }
            let result = try si.image.shotNoiseSNR(combining: 400 / fps,
                                                   window: try args.range("window"))
            return .double(result.snr)
        })
    }
}

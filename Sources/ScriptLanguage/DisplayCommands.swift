import Foundation

/// Display helpers of the language, like IPython's `display(SVG(...))` and `HTML(...)`:
/// `svg(markup)` and `html(markup)` make values that the notebook shows as a picture or as HTML.
///
///     svg("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"20\"><circle r=\"9\"/></svg>")
enum DisplayCommands {
    /// Registers `svg` and `html` in `interpreter`'s command registry.
    static func install(in interpreter: Interpreter) {
        interpreter.registry.register(Command(
            name: "svg", parameters: [.string("_ markup", doc: "SVG markup, starting with <svg")],
            returns: "SVGImage", doc: "Shows SVG markup as an inline picture (image/svg+xml).",
            example: "svg(\"<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'>"
                + "<rect width='40' height='20' fill='teal'/></svg>\")"
        ) { args, context in
            let markup = try args.string("markup")
            guard MarkupObject.looksLikeSVG(markup) else {
                throw context.error(.value, "svg needs SVG markup starting with <svg (or <?xml), not "
                    + "\"\(markup.prefix(20))\"")
            }
            return .object(MarkupObject(typeName: "SVGImage", mime: "image/svg+xml", markup: markup))
        })
        interpreter.registry.register(Command(
            name: "html", parameters: [.string("_ markup", doc: "an HTML fragment")],
            returns: "HTML", doc: "Shows an HTML fragment (text/html), e.g. a table.",
            example: "html(\"<b>bold</b> text\")"
        ) { args, _ in
            .object(MarkupObject(typeName: "HTML", mime: "text/html", markup: try args.string("markup")))
        })
    }
}

/// A piece of markup that displays as itself (SVG or HTML), with a short text/plain fallback.
final class MarkupObject: ScriptObject {
    let typeName: String
    let mime: String
    let markup: String

    init(typeName: String, mime: String, markup: String) {
        self.typeName = typeName
        self.mime = mime
        self.markup = markup
    }

    var summary: String { "\(typeName)(\(markup.utf8.count) bytes)" }
    var memberNames: [String] { ["markup"] }

    func member(_ name: String) throws -> Value? {
        name == "markup" ? .string(markup) : nil
    }

    func displayBundle() -> DisplayBundle {
        ["text/plain": summary, mime: markup]
    }

    static func looksLikeSVG(_ markup: String) -> Bool {
        let start = markup.drop { $0.isWhitespace }
        return start.hasPrefix("<svg") || (start.hasPrefix("<?xml") && markup.contains("<svg"))
    }
}

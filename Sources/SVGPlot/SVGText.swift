import Foundation

/// Text helpers for writing SVG: XML escaping, compact numbers and a width estimate for layout.
enum SVGText {
    /// `text` with `& < > " '` escaped and characters XML 1.0 forbids dropped.
    ///
    ///     SVGText.escape("a < b & \"c\"")  // a &lt; b &amp; &quot;c&quot;
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                let v = scalar.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) || (0xD800...0xDFFF).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most one decimal (0.1 px is below what any screen shows).
    ///
    ///     SVGText.number(12.345)  // "12.3"
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((min(max(value, -1e9), 1e9) * 10).rounded())
        if tenths == 0 { return "0" }
        let magnitude = abs(tenths)
        var text = tenths < 0 ? "-" : ""
        text += String(magnitude / 10)
        let fraction = magnitude % 10
        if fraction != 0 { text += "." + String(fraction) }
        return text
    }

    /// Estimated rendered width in px of `text` at `size` px in a DejaVu/Helvetica-like sans-serif font.
    static func width(_ text: String, size: Double) -> Double {
        var units = 0.0
        for ch in text {
            switch ch {
            case "i", "l", "j", "'", "|", ".", ",", ":", ";", "!", "(", ")", "[", "]", " ", "t", "f", "I": units += 0.33
            case "m", "w", "M", "W": units += 0.9
            case "A"..."Z": units += 0.68
            default: units += 0.58
            }
        }
        return units * size
    }
}

import Foundation

/// An opaque sRGB colour, written into SVG as `#rrggbb`.
///
///     let c = Color.orange            // #ff7f0e, the paper's "annealed" colour
///     let d = try Color(hex: "#1f77b4")
public struct Color: Hashable, Sendable {
    /// Red, green and blue channels, 0-255.
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    /// A colour from its three channels (0-255).
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    init(_ rgb: UInt32) {
        self.init(red: UInt8((rgb >> 16) & 0xff), green: UInt8((rgb >> 8) & 0xff), blue: UInt8(rgb & 0xff))
    }

    /// A colour from `#rrggbb`, `rrggbb` or `#rgb`.
    ///
    ///     let teal = try Color(hex: "#17becf")
    /// - Throws: `PlotError.invalidArgument` when the text is not a hex colour.
    public init(hex: String) throws {
        var digits = Substring(hex.trimmingCharacters(in: .whitespaces))
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        if digits.count == 3 { digits = Substring(digits.map { "\($0)\($0)" }.joined()) }
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else {
            throw PlotError.invalidArgument("'\(hex)' is not a hex colour such as #1f77b4")
        }
        self.init(value)
    }

    /// The colour as `#rrggbb`.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for channel in [red, green, blue] {
            text.append(digits[Int(channel >> 4)])
            text.append(digits[Int(channel & 0xf)])
        }
        return text
    }

    /// Linear mix of two colours: `t = 0` gives `self`, `t = 1` gives `other`.
    public func mixed(with other: Color, _ t: Double) -> Color {
        let f = min(max(t, 0), 1)
        func lerp(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - f) + Double(b) * f).rounded()) }
        return Color(red: lerp(red, other.red), green: lerp(green, other.green), blue: lerp(blue, other.blue))
    }

    // The category palette (matplotlib's tab10, which the paper's figures use).
    public static let blue = Color(0x1f77b4)
    public static let orange = Color(0xff7f0e)
    public static let green = Color(0x2ca02c)
    public static let red = Color(0xd62728)
    public static let purple = Color(0x9467bd)
    public static let brown = Color(0x8c564b)
    public static let pink = Color(0xe377c2)
    public static let gray = Color(0x7f7f7f)
    public static let olive = Color(0xbcbd22)
    public static let cyan = Color(0x17becf)
    public static let black = Color(0x000000)
    public static let white = Color(0xffffff)
    /// Dark gray used for axes, ticks and text.
    public static let ink = Color(0x262626)

    /// The colours given in turn to series drawn without an explicit colour:
    /// blue, orange, green, red, purple, brown, pink, gray, olive, cyan.
    public static let cycle: [Color] = [.blue, .orange, .green, .red, .purple, .brown, .pink, .gray, .olive, .cyan]
}

/// A map from [0, 1] to colours, by linear interpolation between evenly spaced stops.
///
///     let c = Colormap.viridis.color(at: 0.5)   // #21918c
public struct Colormap: Sendable {
    /// The colours at 0, 1/(n-1), ..., 1 (at least two).
    public let stops: [Color]

    /// A colormap through `stops` (at least two colours).
    /// - Throws: `PlotError.invalidArgument` with fewer than two stops.
    public init(stops: [Color]) throws {
        guard stops.count >= 2 else { throw PlotError.invalidArgument("a colormap needs at least two colours") }
        self.stops = stops
    }

    private init(hexes: [UInt32]) { stops = hexes.map(Color.init) }

    /// The colour at `t` in [0, 1] (clamped; NaN gives the first colour).
    public func color(at t: Double) -> Color {
        let f = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = f * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        return stops[index].mixed(with: stops[index + 1], position - Double(index))
    }

    /// A perceptually uniform dark-blue -> green -> yellow map (matplotlib's viridis at 11 stops).
    public static let viridis = Colormap(hexes: [
        0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c, 0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725,
    ])
    /// Black -> white.
    public static let grays = Colormap(hexes: [0x000000, 0xffffff])
    /// A diverging blue -> light gray -> red map for signed differences.
    public static let coolwarm = Colormap(hexes: [0x3b4cc0, 0x7b9ff9, 0xc0d4f5, 0xdddddd, 0xf2cbb7, 0xee8468, 0xb40426])
}

/// A uniform calibrated axis with units: value(i) = offset + i * scale (HyperSpy's UniformDataAxis). It serves
/// the energy axis of a spectrum (energy loss in eV) and the spatial axes of an image alike (nm, or "px" when
/// uncalibrated), and it holds the one rule for calibrated value -> channel (`channel(of:_:)`).
///
///     let axis = UniformAxis(offset: 440, scale: 0.125, size: 1120)
///     axis.value(at: 8)                  // 441.0
///     try axis.channel(of: 441.0)        // 8
///     try axis.channel(of: 441.01, .up)  // 9: the first channel at or above 441.01 eV
public struct UniformAxis: Equatable, Hashable, Sendable, Codable {
    /// The value of the first channel (eV for energy axes).
    public var offset: Double
    /// The spacing between channels (eV/channel for energy axes).
    public var scale: Double
    /// The number of channels.
    public var size: Int
    /// Units, "eV" by default.
    public var units: String
    /// A name such as "Energy loss", "x", "y".
    public var name: String

    public init(offset: Double, scale: Double, size: Int, units: String = "eV", name: String = "Energy loss") {
        self.offset = offset
        self.scale = scale
        self.size = size
        self.units = units
        self.name = name
    }

    /// The calibrated value of channel `index`.
    public func value(at index: Int) -> Double { offset + Double(index) * scale }

    /// The nearest channel index of a calibrated value (not clamped, not checked: see `channel(of:_:)`).
    public func index(of value: Double) -> Int { Int(((value - offset) / scale).rounded()) }

    /// All calibrated values.
    public var values: [Double] { (0..<size).map { value(at: $0) } }

    /// The last channel's value.
    public var end: Double { value(at: Swift.max(size - 1, 0)) }
}


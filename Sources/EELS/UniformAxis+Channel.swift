/// The one rule for calibrated value -> channel.
extension UniformAxis {
    /// The channel of a calibrated value: the one eV-to-channel rule (crop ranges, background and peak-fit
    /// windows, the models' windows all use it). Not clamped to the axis; callers check the range they need.
    ///
    /// - Parameter rounding: `.nearest` channel (ties away from zero), or for a window's ends the first channel
    ///   at or above (`.up`) / the last at or below (`.down`) the value, where a value within 1e-9 channel of a
    ///   channel counts as on it (so 0.1-eV arithmetic does not drop an end channel).
    /// - Throws: `EELSError.value` for a non-positive or non-finite scale, a non-finite value, or one so far off
    ///   the axis that its channel is not a machine integer.
    public func channel(of value: Double, _ rounding: ChannelRounding = .nearest) throws -> Int {
        guard scale > 0, scale.isFinite, offset.isFinite else {
            throw EELSError.value("the \(name) axis has scale \(scale) \(units) per channel; it must be positive")
        }
        guard value.isFinite else { throw EELSError.value("\(value) \(units) is not a finite \(name) value") }
        let position = (value - offset) / scale
        let channel: Double
        switch rounding {
        case .nearest: channel = position.rounded()
        case .up: channel = (position - 1e-9).rounded(.up)
        case .down: channel = (position + 1e-9).rounded(.down)
        }
        guard abs(channel) < 1e15 else {
            throw EELSError.value("\(value) \(units) is far outside the axis [\(offset), \(end)] \(units)")
        }
        return Int(channel)
    }
}

/// How `UniformAxis.channel(of:_:)` rounds a calibrated value to a channel.
public enum ChannelRounding: Sendable {
    /// The nearest channel.
    case nearest
    /// The first channel at or above the value (a window's lower end).
    case up
    /// The last channel at or below the value (a window's upper end).
    case down
}

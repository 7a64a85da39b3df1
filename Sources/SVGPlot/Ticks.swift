import Foundation

/// Tick positions and labels by the 1-2-5 rule.
///
///     Ticks.positions(in: 518.0...582.0)          // [520, 530, 540, 550, 560, 570, 580]
///     Ticks.labels(for: [0, 0.5, 1])            // ["0", "0.5", "1"]
public enum Ticks {
    /// The step 1, 2 or 5 x 10^k closest to `span / target` (from above).
    ///
    ///     Ticks.step(span: 60, target: 6)  // 10
    public static func step(span: Double, target: Int = 6) -> Double {
        guard span.isFinite, span > 0 else { return 1 }
        let raw = span / Double(max(target, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let normalized = raw / magnitude
        let nice: Double = normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10
        return nice * magnitude
    }

    /// Multiples of a 1-2-5 step that lie inside `range` (about `target` of them).
    ///
    ///     Ticks.positions(in: 0...1)  // [0, 0.2, 0.4, 0.6, 0.8, 1]
    public static func positions(in range: ClosedRange<Double>, target: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span.isFinite, span > 0 else { return range.lowerBound.isFinite ? [range.lowerBound] : [] }
        let step = self.step(span: span, target: target)
        let tolerance = step * 1e-9
        let first = (range.lowerBound / step - 1e-9).rounded(.up)
        var ticks: [Double] = []
        var k = first
        while k * step <= range.upperBound + tolerance, ticks.count < 1000 {
            let value = k * step
            ticks.append(abs(value) < tolerance ? 0 : value)
            k += 1
        }
        return ticks
    }

    /// Ticks for a logarithmic axis over a positive `range`: powers of ten, with 2x and 5x multiples added when the
    /// range spans fewer than three decades (and 3x when that still gives fewer than four ticks; plain 1-2-5 ticks
    /// when it spans less than one).
    ///
    ///     Ticks.logPositions(in: 20...500)  // [20, 50, 100, 200, 500]
    public static func logPositions(in range: ClosedRange<Double>) -> [Double] {
        guard range.lowerBound > 0, range.upperBound.isFinite, range.upperBound > range.lowerBound else { return [] }
        let low = log10(range.lowerBound), high = log10(range.upperBound)
        if high - low < 0.7 { return positions(in: range, target: 4) }
        let decadeStep = max(1, Int(((high - low) / 8).rounded(.up)))
        func ticks(_ multiples: [Double]) -> [Double] {
            var ticks: [Double] = []
            var decade = Int(low.rounded(.down))
            while Double(decade) <= high, ticks.count < 200 {
                for m in multiples {
                    let value = m * pow(10, Double(decade))
                    if value >= range.lowerBound * (1 - 1e-9), value <= range.upperBound * (1 + 1e-9) {
                        ticks.append(value)
                    }
                }
                decade += decadeStep
            }
            return ticks
        }
        if high - low >= 3 { return ticks([1]) }
        let coarse = ticks([1, 2, 5])
        return coarse.count >= 4 ? coarse : ticks([1, 2, 3, 5])
    }

    /// A label for one log-axis tick: plain digits from 0.001 to 99,999, else scientific ("1e6", "2e−5").
    ///
    ///     Ticks.logLabel(0.05)  // "0.05"
    public static func logLabel(_ value: Double) -> String {
        guard value > 0, value.isFinite else { return "" }
        if value >= 1e-3, value < 1e5 {
            let decimals = max(0, Int((-log10(value) - 1e-9).rounded(.up)))
            return format(value, decimals: decimals)
        }
        return scientific(value, digits: 0)
    }

    /// Labels for evenly spaced ticks: as few decimals as the step needs, scientific notation for very large or
    /// very small magnitudes, and a true minus sign (U+2212).
    ///
    ///     Ticks.labels(for: [-0.05, 0, 0.05])  // ["−0.05", "0", "0.05"]
    public static func labels(for ticks: [Double]) -> [String] {
        guard !ticks.isEmpty else { return [] }
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : max(abs(ticks[0]), 1)
        let largest = ticks.map(abs).max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-3) {
            let exponentOfStep = Int(floor(log10(step)))
            let exponentOfLargest = Int(floor(log10(largest)))
            let digits = max(0, exponentOfLargest - exponentOfStep)
            return ticks.map { scientific($0, digits: digits) }
        }
        let decimals = max(0, Int((-log10(step) - 1e-9).rounded(.up)))
        return ticks.map { format($0, decimals: min(decimals, 10)) }
    }

    /// `value` with `decimals` digits after the point, a true minus sign, and no "-0".
    static func format(_ value: Double, decimals: Int) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if text.hasPrefix("-") {
            let unsigned = text.dropFirst()
            text = unsigned.allSatisfy { $0 == "0" || $0 == "." } ? String(unsigned) : "\u{2212}" + unsigned
        }
        return text
    }

    static func scientific(_ value: Double, digits: Int) -> String {
        if value == 0 { return "0" }
        let exponent = Int(floor(log10(abs(value)) + 1e-12))
        let mantissa = value / pow(10, Double(exponent))
        let sign = exponent < 0 ? "\u{2212}" : ""
        return format(mantissa, decimals: digits) + "e" + sign + String(abs(exponent))
    }
}

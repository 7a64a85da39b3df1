import Foundation

/// Data extents of an axes, before and after margins.
struct PanelLimits {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    /// Bar categories in first-seen order; non-empty means a categorical x axis at 0, 1, 2, ...
    var categories: [String]
}

/// Running min/max over finite values.
struct Extent {
    var low = Double.infinity
    var high = -Double.infinity
    /// On a log axis only positive values count.
    var positiveOnly = false

    init(positiveOnly: Bool = false) { self.positiveOnly = positiveOnly }

    mutating func add(_ v: Double) {
        guard v.isFinite, !positiveOnly || v > 0 else { return }
        low = min(low, v)
        high = max(high, v)
    }

    mutating func add(_ values: [Double]) { for v in values { add(v) } }

    mutating func add(_ other: Extent) {
        low = min(low, other.low)
        high = max(high, other.high)
    }

    var isEmpty: Bool { low > high }

    static func of(_ a: Double, _ b: Double) -> Extent {
        var e = Extent()
        e.add(a)
        e.add(b)
        return e
    }
}

extension Axes {
    /// Categories of all bar series, in first-seen order.
    var barCategories: [String] {
        var seen = Set<String>()
        var ordered: [String] = []
        for case let .bars(series) in elements {
            for name in series.categories where seen.insert(name).inserted { ordered.append(name) }
        }
        return ordered
    }

    /// The raw finite extents of the data (no margins), and which sides get a margin.
    func dataExtents() -> (x: Extent, y: Extent, padX: Bool, padY: Bool, barsFromZero: Bool) {
        var x = Extent(positiveOnly: xScale == .log), y = Extent(positiveOnly: yScale == .log)
        var padX = false, padY = false, bars = false
        for element in elements {
            switch element {
            case let .line(s):
                for (a, b) in zip(s.x, s.y) where a.isFinite && b.isFinite { x.add(a); y.add(b) }
                padX = true; padY = true
            case let .band(s):
                for i in s.x.indices where s.x[i].isFinite && s.lower[i].isFinite && s.upper[i].isFinite {
                    x.add(s.x[i]); y.add(s.lower[i]); y.add(s.upper[i])
                }
                padX = true; padY = true
            case let .scatter(s):
                for (a, b) in zip(s.x, s.y) where a.isFinite && b.isFinite { x.add(a); y.add(b) }
                padX = true; padY = true
            case let .bars(s):
                for i in s.values.indices where s.values[i].isFinite {
                    let e = s.errors.map { abs($0[i]).isFinite ? abs($0[i]) : 0 } ?? 0
                    y.add(s.values[i] + e); y.add(s.values[i] - e)
                }
                y.add(0)
                padY = true; bars = true
            case let .heatmap(h):
                x.add(h.x.lowerBound); x.add(h.x.upperBound)
                y.add(h.y.lowerBound); y.add(h.y.upperBound)
            case let .reference(r):
                if r.orientation == .vertical { x.add(r.value) } else { y.add(r.value) }
            case .text:
                break
            }
        }
        return (x, y, padX, padY, bars)
    }

    /// The limits drawn when nothing is shared: data extents plus margins, or the user's limits.
    func autoLimits() -> PanelLimits {
        let (xe, ye, padX, padY, bars) = dataExtents()
        let categories = barCategories
        let x: ClosedRange<Double>
        if !categories.isEmpty {
            x = -0.5...(Double(categories.count) - 0.5)
        } else {
            x = Self.padded(xe, margin: padX ? 0.04 : 0, log: xScale == .log)
        }
        var y = Self.padded(ye, margin: padY ? 0.05 : 0, log: yScale == .log)
        if bars, !ye.isEmpty, yScale == .linear {
            // Bars stand on zero: no margin below zero when all values are positive (and above when negative).
            if ye.low >= 0 { y = 0...y.upperBound }
            if ye.high <= 0 { y = y.lowerBound...0 }
        }
        let validX = xLimits.map { Self.valid($0, log: xScale == .log) }
        let validY = yLimits.map { Self.valid($0, log: yScale == .log) }
        return PanelLimits(x: validX ?? x, y: validY ?? y, categories: categories)
    }

    static func padded(_ e: Extent, margin: Double, log: Bool = false) -> ClosedRange<Double> {
        guard !e.isEmpty else { return log ? 1...10 : 0...1 }
        if log {
            let padded = Self.padded(Extent.of(Foundation.log10(e.low), Foundation.log10(e.high)), margin: margin)
            return pow(10, padded.lowerBound)...pow(10, padded.upperBound)
        }
        var low = e.low, high = e.high
        if high - low <= abs(high) * 1e-12 {
            let half = low == 0 ? 0.5 : abs(low) * 0.05
            return (low - half)...(high + half)
        }
        let pad = (high - low) * margin
        low -= pad
        high += pad
        return low...high
    }

    /// A usable range: finite with a positive span (and positive on a log axis).
    static func valid(_ r: ClosedRange<Double>, log: Bool = false) -> ClosedRange<Double> {
        guard r.lowerBound.isFinite, r.upperBound.isFinite else { return log ? 1...10 : 0...1 }
        if log {
            guard r.upperBound > 0 else { return 1...10 }
            let low = r.lowerBound > 0 ? r.lowerBound : r.upperBound / 1000
            return low < r.upperBound ? low...r.upperBound : (low / 2)...(low * 2)
        }
        if r.upperBound - r.lowerBound <= 0 {
            let half = r.lowerBound == 0 ? 0.5 : abs(r.lowerBound) * 0.05
            return (r.lowerBound - half)...(r.upperBound + half)
        }
        return r
    }
}

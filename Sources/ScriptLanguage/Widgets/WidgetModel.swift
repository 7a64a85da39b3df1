import Foundation

/// One Jupyter widget model (the widget message protocol, version 2): its model and view names, and its state
/// as JSON-compatible values. Created through `WidgetManager`, which opens the comm that carries it.
///
///     let slider = try manager.create(.intSlider, ["description": "row", "min": 0, "max": 9, "value": 0])
///     slider.onChange = { model, keys in print(model.int("value") ?? 0) }
public final class WidgetModel {
    /// The comm id, also the model id the front end's views refer to (`IPY_MODEL_<id>`).
    public let id: String
    public let kind: WidgetKind
    /// The state as the front end sees it (strings, numbers, Bools, arrays, dictionaries, NSNull).
    public internal(set) var state: [String: Any]
    /// Called after the front end changed `keys` of the state.
    public var onChange: ((WidgetModel, Set<String>) -> Void)?
    /// Called when the front end sends a custom message (a button's `{"event": "click"}`).
    public var onCustom: ((WidgetModel, [String: Any]) -> Void)?

    init(id: String, kind: WidgetKind, state: [String: Any]) {
        self.id = id
        self.kind = kind
        self.state = state
    }

    /// The reference another model's state uses for this one ("IPY_MODEL_<id>").
    public var reference: String { "IPY_MODEL_" + id }

    /// An integer in the state (JSON numbers may arrive as Double).
    public func int(_ key: String) -> Int? {
        if let i = state[key] as? Int { return i }
        if let d = state[key] as? Double, d.isFinite, d == d.rounded() { return Int(d) }
        return nil
    }
    /// A number in the state.
    public func double(_ key: String) -> Double? {
        if let d = state[key] as? Double { return d }
        if let i = state[key] as? Int { return Double(i) }
        return nil
    }
    /// A pair of numbers in the state (a range slider's value).
    public func pair(_ key: String) -> (Double, Double)? {
        guard let a = state[key] as? [Any], a.count == 2 else { return nil }
        func number(_ v: Any) -> Double? { (v as? Double) ?? (v as? Int).map(Double.init) }
        guard let lo = number(a[0]), let hi = number(a[1]) else { return nil }
        return (lo, hi)
    }
}

/// The widget kinds a navigator needs, with their model and view names in @jupyter-widgets 2.0 (ipywidgets 8).
public enum WidgetKind: String, CaseIterable, Sendable {
    case intSlider, floatSlider, floatRangeSlider, selectionSlider, dropdown, button, html, hbox, vbox
    case layout, sliderStyle, descriptionStyle, buttonStyle, htmlStyle

    var modelName: String {
        switch self {
        case .intSlider: return "IntSliderModel"
        case .floatSlider: return "FloatSliderModel"
        case .floatRangeSlider: return "FloatRangeSliderModel"
        case .selectionSlider: return "SelectionSliderModel"
        case .dropdown: return "DropdownModel"
        case .button: return "ButtonModel"
        case .html: return "HTMLModel"
        case .hbox: return "HBoxModel"
        case .vbox: return "VBoxModel"
        case .layout: return "LayoutModel"
        case .sliderStyle: return "SliderStyleModel"
        case .descriptionStyle: return "DescriptionStyleModel"
        case .buttonStyle: return "ButtonStyleModel"
        case .htmlStyle: return "HTMLStyleModel"
        }
    }
    var viewName: String? {
        switch self {
        case .layout: return "LayoutView"
        case .sliderStyle, .descriptionStyle, .buttonStyle, .htmlStyle: return "StyleView"
        default: return String(modelName.dropLast("Model".count)) + "View"
        }
    }
    /// Layout lives in @jupyter-widgets/base, everything else in @jupyter-widgets/controls.
    var module: String { self == .layout ? "@jupyter-widgets/base" : "@jupyter-widgets/controls" }
    /// The style model a control of this kind carries (nil: none).
    var styleKind: WidgetKind? {
        switch self {
        case .intSlider, .floatSlider, .floatRangeSlider, .selectionSlider: return .sliderStyle
        case .dropdown: return .descriptionStyle
        case .button: return .buttonStyle
        case .html: return .htmlStyle
        default: return nil
        }
    }
    /// Whether this is a visible control (gets a layout, `_dom_classes`, ...).
    var isDOMWidget: Bool {
        switch self {
        case .layout, .sliderStyle, .descriptionStyle, .buttonStyle, .htmlStyle: return false
        default: return true
        }
    }
}

import Foundation

/// The kernel side of the Jupyter widget protocol (version 2, as JupyterLab's jupyterlab_widgets speaks it):
/// creates widget models over comms, applies the front end's updates and answers its state requests.
///
///     let slider = try interpreter.widgets.create(.intSlider, ["description": "row", "max": 9])
///     interpreter.widgets.display(slider)                  // a widget view in the cell's output
///     interpreter.widgets.update(slider, ["value": 3])     // moves it
public final class WidgetManager {
    /// The comm target of widget models and of the manager's control comm.
    public static let target = "jupyter.widget", controlTarget = "jupyter.widget.control"
    /// The widget message protocol and the @jupyter-widgets module versions this speaks.
    public static let protocolVersion = "2.1.0", moduleVersion = "2.0.0"
    /// Models are bounded: each costs a few hundred bytes of state plus what its callbacks hold.
    public static let maxModels = 20_000

    private let output: ScriptOutput
    private(set) var models: [String: WidgetModel] = [:]
    private var creationOrder: [String] = []
    /// Whether a widget front end announced itself (JupyterLab's manager opens the control comm when it
    /// connects); without one (nbconvert, papermill, a plain console) commands show static figures instead.
    public private(set) var hasFrontEnd = false
    private var controlComms: Set<String> = []

    init(output: ScriptOutput) { self.output = output }

    // MARK: - Creating and changing models

    /// Creates a model of `kind` with `state` over the defaults; nil where the host has no comms.
    ///
    /// - Throws: `ScriptError` (MemoryError) when `maxModels` models are open.
    public func create(_ kind: WidgetKind, _ state: [String: Any] = [:]) throws -> WidgetModel? {
        guard models.count < Self.maxModels else {
            throw ScriptError(kind: .memory, message: "\(Self.maxModels) widget models are open; close "
                + "earlier navigators (restart the kernel) before making more")
        }
        var full = Self.baseState(kind)
        if kind.isDOMWidget {
            guard let layout = try create(.layout) else { return nil }
            full["layout"] = layout.reference
            if let styleKind = kind.styleKind {
                guard let style = try create(styleKind) else { return nil }
                full["style"] = style.reference
            }
        }
        for (key, value) in state { full[key] = value }
        let model = WidgetModel(id: UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
                                kind: kind, state: full)
        let data = Self.json(["state": full, "buffer_paths": [Any]()])
        let metadata = Self.json(["version": Self.protocolVersion])
        guard output.openComm(id: model.id, target: Self.target, data: data, metadata: metadata) else { return nil }
        models[model.id] = model
        creationOrder.append(model.id)
        return model
    }

    /// Changes `model`'s state here and in the front end.
    public func update(_ model: WidgetModel, _ changes: [String: Any]) {
        for (key, value) in changes { model.state[key] = value }
        output.sendComm(id: model.id, data: Self.json(["method": "update", "state": changes,
                                                        "buffer_paths": [Any]()]))
    }

    /// The MIME bundle that shows `model` (a widget view, with `text` for front ends without widgets).
    public func bundle(_ model: WidgetModel, text: String) -> [String: String] {
        let view = Self.json(["version_major": 2, "version_minor": 0, "model_id": model.id])
        return ["text/plain": text, "application/vnd.jupyter.widget-view+json": String(decoding: view, as: UTF8.self)]
    }

    // MARK: - Messages from the front end

    /// Whether the kernel accepts a comm the front end opens on `target`: only the manager's control comm
    /// (models are created by the kernel).
    public func accepts(target: String) -> Bool { target == Self.controlTarget }

    /// The front end opened the control comm: a widget manager is listening.
    public func controlOpened(id: String) {
        controlComms.insert(id)
        hasFrontEnd = true
    }

    /// A comm closed by the front end.
    public func closed(id: String) {
        controlComms.remove(id)
        models[id] = nil
    }

    /// Handles a comm_msg (UTF-8 JSON) for `id`: a control request, a state update, a state request or a
    /// custom event. Callbacks run here, on the kernel's executor thread.
    public func handle(id: String, data: Data) {
        guard let message = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let method = message["method"] as? String else { return }
        if controlComms.contains(id) {
            guard method == "request_states" else { return }
            var states: [String: Any] = [:]
            for key in creationOrder { if let m = models[key] { states[key] = ["model_name": m.kind.modelName,
                "model_module": m.kind.module, "model_module_version": Self.moduleVersion, "state": m.state] } }
            output.sendComm(id: id, data: Self.json(["method": "update_states", "states": states,
                                                      "buffer_paths": [String: Any]()]))
            return
        }
        guard let model = models[id] else { return }
        switch method {
        case "update", "echo_update":
            guard let state = message["state"] as? [String: Any], !state.isEmpty else { return }
            for (key, value) in state { model.state[key] = value }
            model.onChange?(model, Set(state.keys))
        case "request_state":
            output.sendComm(id: id, data: Self.json(["method": "update", "state": model.state,
                                                      "buffer_paths": [Any]()]))
        case "custom":
            model.onCustom?(model, message["content"] as? [String: Any] ?? [:])
        default:
            break
        }
    }

    // MARK: - State

    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Every key the front end's model expects, with ipywidgets 8's defaults.
    static func baseState(_ kind: WidgetKind) -> [String: Any] {
        var s: [String: Any] = [
            "_model_name": kind.modelName, "_model_module": kind.module, "_model_module_version": moduleVersion,
            "_view_module": kind.module, "_view_module_version": moduleVersion, "_view_count": NSNull(),
            "_view_name": kind.viewName.map { $0 as Any } ?? NSNull(),
        ]
        if kind.isDOMWidget {
            s["_dom_classes"] = [String]()
            s["tabbable"] = NSNull()
            s["tooltip"] = NSNull()
        }
        let describes: Set<WidgetKind> = [.intSlider, .floatSlider, .floatRangeSlider, .selectionSlider, .dropdown,
                                          .html]
        if describes.contains(kind) {
            s["description"] = ""
            s["description_allow_html"] = false
        }
        switch kind {
        case .intSlider, .floatSlider, .floatRangeSlider:
            s.merge(["behavior": "drag-tap", "continuous_update": true, "disabled": false,
                     "orientation": "horizontal", "readout": true, "min": 0, "max": 100], uniquingKeysWith: { $1 })
            s["readout_format"] = kind == .intSlider ? "d" : ".2f"
            s["step"] = kind == .intSlider ? 1 : 0.1
            s["value"] = kind == .floatRangeSlider ? [25.0, 75.0] as [Any] : (kind == .intSlider ? 0 : 0.0) as Any
        case .selectionSlider:
            s.merge(["behavior": "drag-tap", "continuous_update": false, "disabled": false,
                     "orientation": "horizontal", "readout": true, "_options_labels": [String](), "index": 0],
                    uniquingKeysWith: { $1 })
        case .dropdown:
            s.merge(["_options_labels": [String](), "index": 0, "disabled": false], uniquingKeysWith: { $1 })
        case .button:
            s.merge(["description": "", "button_style": "", "disabled": false, "icon": ""], uniquingKeysWith: { $1 })
        case .html:
            s.merge(["value": "", "placeholder": "\u{200b}"], uniquingKeysWith: { $1 })
        case .hbox, .vbox:
            s.merge(["children": [String](), "box_style": ""], uniquingKeysWith: { $1 })
        case .sliderStyle:
            s.merge(["description_width": "", "handle_color": NSNull()], uniquingKeysWith: { $1 })
        case .descriptionStyle:
            s["description_width"] = ""
        case .buttonStyle:
            s.merge(["button_color": NSNull(), "font_family": NSNull(), "font_size": NSNull(),
                     "font_style": NSNull(), "font_variant": NSNull(), "font_weight": "", "text_color": NSNull(),
                     "text_decoration": NSNull()], uniquingKeysWith: { $1 })
        case .htmlStyle:
            s.merge(["background": NSNull(), "description_width": "", "font_size": NSNull(),
                     "text_color": NSNull()], uniquingKeysWith: { $1 })
        case .layout:
            break
        }
        return s
    }
}

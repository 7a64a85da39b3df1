import Foundation
import RapidEELS
import Script
import ScriptLanguage
import XCTest

/// A host with comms: records what the widget manager opens and sends.
final class CommCapture: ScriptOutput {
    var opened: [(id: String, target: String, data: [String: Any])] = []
    var sent: [(id: String, data: [String: Any])] = []
    var stdout = ""

    func stream(_ name: StreamName, _ text: String) { stdout += text }
    func display(_ bundle: DisplayBundle, displayID: String?, update: Bool) {}
    func clearOutput(wait: Bool) {}
    func readLine(prompt: String, password: Bool) -> String? { nil }
    func openComm(id: String, target: String, data: Data, metadata: Data) -> Bool {
        opened.append((id, target, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]))
        return true
    }
    func sendComm(id: String, data: Data) {
        sent.append((id, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]))
    }

    func state(_ id: String) -> [String: Any] { opened.first { $0.id == id }?.data["state"] as? [String: Any] ?? [:] }
    /// The model whose initial state has `_model_name` and, when given, `description`.
    func model(_ name: String, description: String? = nil) -> String? {
        opened.first {
            let s = $0.data["state"] as? [String: Any] ?? [:]
            return s["_model_name"] as? String == name && (description == nil || s["description"] as? String == description)
        }?.id
    }
    /// The last value sent to `id` for `key`.
    func lastUpdate(_ id: String, _ key: String) -> Any? {
        sent.last { $0.id == id && (($0.data["state"] as? [String: Any])?[key] != nil) }
            .flatMap { ($0.data["state"] as? [String: Any])?[key] }
    }
}

final class WidgetTests: XCTestCase {
    private func message(_ object: [String: Any]) -> Data { try! JSONSerialization.data(withJSONObject: object) }

    func testModelsCarryTheProtocolsNamesLayoutAndStyle() throws {
        let host = CommCapture()
        let interpreter = Interpreter.rapidEELS(output: host)
        let slider = try XCTUnwrap(try interpreter.widgets.create(.intSlider, ["description": "row", "max": 9]))
        let state = host.state(slider.id)
        XCTAssertEqual(state["_model_name"] as? String, "IntSliderModel")
        XCTAssertEqual(state["_view_name"] as? String, "IntSliderView")
        XCTAssertEqual(state["_model_module"] as? String, "@jupyter-widgets/controls")
        XCTAssertEqual(state["_model_module_version"] as? String, "2.0.0")
        XCTAssertEqual(state["max"] as? Int, 9)
        let layout = try XCTUnwrap(state["layout"] as? String)
        let style = try XCTUnwrap(state["style"] as? String)
        XCTAssertTrue(layout.hasPrefix("IPY_MODEL_"))
        XCTAssertEqual(host.state(String(layout.dropFirst(10)))["_model_module"] as? String, "@jupyter-widgets/base")
        XCTAssertEqual(host.state(String(style.dropFirst(10)))["_model_name"] as? String, "SliderStyleModel")
        XCTAssertTrue(host.opened.allSatisfy { $0.target == "jupyter.widget" })
        let bundle = interpreter.widgets.bundle(slider, text: "slider")
        let view = try JSONSerialization.jsonObject(with: Data(bundle["application/vnd.jupyter.widget-view+json"]!.utf8))
        XCTAssertEqual((view as? [String: Any])?["model_id"] as? String, slider.id)
    }

    func testUpdatesRequestsAndTheControlComm() throws {
        let host = CommCapture()
        let widgets = Interpreter.rapidEELS(output: host).widgets
        let slider = try XCTUnwrap(try widgets.create(.floatRangeSlider, ["value": [1.0, 2.0]]))
        var seen: [Set<String>] = []
        slider.onChange = { _, keys in seen.append(keys) }
        widgets.handle(id: slider.id, data: message(["method": "update", "state": ["value": [3, 4.5]],
                                                     "buffer_paths": []]))
        XCTAssertEqual(seen, [["value"]])
        XCTAssertEqual(slider.pair("value")?.0, 3)
        XCTAssertEqual(slider.pair("value")?.1, 4.5)
        widgets.handle(id: slider.id, data: message(["method": "request_state"]))
        XCTAssertEqual((host.sent.last?.data["state"] as? [String: Any])?["_model_name"] as? String, "FloatRangeSliderModel")

        XCTAssertFalse(widgets.hasFrontEnd)
        XCTAssertTrue(widgets.accepts(target: "jupyter.widget.control"))
        XCTAssertFalse(widgets.accepts(target: "jupyter.widget"))
        widgets.controlOpened(id: "control")
        XCTAssertTrue(widgets.hasFrontEnd)
        widgets.handle(id: "control", data: message(["method": "request_states"]))
        let reply = try XCTUnwrap(host.sent.last)
        XCTAssertEqual(reply.id, "control")
        XCTAssertEqual(reply.data["method"] as? String, "update_states")
        let states = try XCTUnwrap(reply.data["states"] as? [String: Any])
        XCTAssertEqual(states.count, host.opened.count, "every open model's state")
        XCTAssertEqual(((states[slider.id] as? [String: Any])?["state"] as? [String: Any])?["value"] as? [Double], [3, 4.5])
        // Garbage and unknown ids are ignored.
        widgets.handle(id: slider.id, data: Data("not json".utf8))
        widgets.handle(id: "nobody", data: message(["method": "update", "state": ["value": 1]]))
        XCTAssertEqual(seen.count, 1)
    }

    func testNavigateIsStaticWithoutAFrontEndAndLiveWithOne() throws {
        let host = CommCapture()
        let interpreter = Interpreter.rapidEELS(output: host)
        let setup = "let si = simulatePaperDataset(seed: 3, scale: 0.02).test[0]\n"
        guard case .success(let staticBundle) = interpreter.execute(setup + "navigate(si, truth: si.blockMean())") else {
            return XCTFail("navigate failed")
        }
        XCTAssertNotNil(staticBundle?["image/svg+xml"], "static picture without a widget front end")
        XCTAssertNil(staticBundle?["application/vnd.jupyter.widget-view+json"])
        XCTAssertTrue(host.opened.isEmpty)

        interpreter.widgets.controlOpened(id: "control")
        guard case .success(let live) = interpreter.execute("let nav = navigate(si, truth: si.blockMean(), span: 525...545)\nnav"),
              let live else { return XCTFail("live navigate failed") }
        XCTAssertNotNil(live["application/vnd.jupyter.widget-view+json"])
        let row = try XCTUnwrap(host.model("IntSliderModel", description: "row"))
        let column = try XCTUnwrap(host.model("IntSliderModel", description: "column"))
        let htmls = host.opened.filter { ($0.data["state"] as? [String: Any])?["_model_name"] as? String == "HTMLModel" }.map(\.id)
        XCTAssertEqual(htmls.count, 3, "map, spectrum, status")
        let spectrumBefore = try XCTUnwrap(host.lastUpdate(htmls[1], "value") as? String)
        XCTAssertTrue(spectrumBefore.hasPrefix("<img"), spectrumBefore.prefix(40).description)

        interpreter.widgets.handle(id: row, data: message(["method": "update", "state": ["value": 1]]))
        interpreter.widgets.handle(id: column, data: message(["method": "update", "state": ["value": 7]]))
        let spectrumAfter = try XCTUnwrap(host.lastUpdate(htmls[1], "value") as? String)
        XCTAssertNotEqual(spectrumAfter, spectrumBefore, "moving the pointer redraws the spectrum")
        XCTAssertTrue((host.lastUpdate(htmls[2], "value") as? String)?.contains("pixel (1, 7)") == true)
        guard case .success(let position) = interpreter.execute("[nav.row, nav.column]") else { return XCTFail() }
        XCTAssertEqual(position?["text/plain"], "[1, 7]")

        // The cell moves the pointer and the sliders follow.
        guard case .success = interpreter.execute("nav.moveTo(row: 2, column: 3)") else { return XCTFail() }
        XCTAssertEqual(host.lastUpdate(row, "value") as? Int, 2)
        XCTAssertEqual(host.lastUpdate(column, "value") as? Int, 3)

        // The button keeps the pointer.
        let button = try XCTUnwrap(host.model("ButtonModel"))
        interpreter.widgets.handle(id: button, data: message(["method": "custom", "content": ["event": "click"]]))
        guard case .success(let marked) = interpreter.execute("nav.marked") else { return XCTFail() }
        XCTAssertEqual(marked?["text/plain"], "[[2, 3]]")

        // The frame-rate slider re-bins the scan: at 25 FPS pixel column 3 lies in combined column 0.
        let rate = try XCTUnwrap(host.model("SelectionSliderModel"))
        interpreter.widgets.handle(id: rate, data: message(["method": "update", "state": ["index": 3]]))
        guard case .success(let fps) = interpreter.execute("nav.frameRate") else { return XCTFail() }
        XCTAssertEqual(fps?["text/plain"], "25")
    }

    func testNavigateRefusesOverlaysOfAnotherGrid() {
        let interpreter = Interpreter.rapidEELS(output: CommCapture())
        let code = "let d = simulatePaperDataset(seed: 3, scale: 0.02)\nnavigate(d.test[0], truth: d.test[0].simulateFrameRate(100))"
        guard case .failure(let error) = interpreter.execute(code) else { return XCTFail("accepted") }
        XCTAssertEqual(error.kind, "ValueError")
        XCTAssertTrue(error.message.contains("pixels"), error.message)
    }

    func testNavigateOverAGivenMapAndRefusesOneOfAnotherGrid() {
        let interpreter = Interpreter.rapidEELS(output: CommCapture())
        let setup = "let si = simulatePaperDataset(seed: 3, scale: 0.02).test[0]\nlet m = si[0..<si.rows, 0..<si.columns, 100]\n"
        guard case .success(let bundle) = interpreter.execute(setup + "navigate(si, map: m)") else {
            return XCTFail("navigate over a map failed")
        }
        let svg = bundle?["image/svg+xml"] ?? ""
        XCTAssertFalse(svg.contains("counts in"), "the given map replaces the integrated counts")
        guard case .failure(let error) = interpreter.execute("navigate(si, map: si[0..<2, 0..<3, 100])") else {
            return XCTFail("a map of another grid was accepted")
        }
        XCTAssertEqual(error.kind, "ValueError")
        XCTAssertTrue(error.message.contains("2 x 3"), error.message)
        guard case .failure(let typeError) = interpreter.execute("navigate(si, map: 3)") else { return XCTFail() }
        XCTAssertEqual(typeError.kind, "TypeError")
    }
}

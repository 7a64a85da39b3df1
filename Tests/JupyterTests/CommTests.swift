import Foundation
import Jupyter
import XCTest

/// A language with one comm target, "echo": a cell `open ID` opens a comm from the kernel; every comm_msg is
/// answered with the same data on the same comm.
final class EchoCommInterpreter: KernelInterpreter, KernelCommHandler, @unchecked Sendable {
    var opened: [String] = []
    var closed: [String] = []

    func execute(_ code: String, output: CellOutput, cancellation: CancellationToken) -> ExecuteOutcome {
        if code.hasPrefix("open ") {
            output.openComm(id: String(code.dropFirst(5)), target: "echo", data: ["hello": 1], metadata: ["version": "2.1.0"])
        }
        if code.hasPrefix("close ") { output.closeComm(id: String(code.dropFirst(6))) }
        return .success(nil)
    }
    func evaluate(expression: String, cancellation: CancellationToken) -> ExecuteOutcome { .success(nil) }
    func complete(_ code: String, cursor: Int) -> CompletionResult { CompletionResult(matches: [], cursorStart: 0, cursorEnd: 0) }
    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> DisplayBundle? { nil }
    func isComplete(_ code: String) -> CompletenessResult { .complete }

    func acceptsComm(target: String) -> Bool { target == "echo" }
    func commOpened(id: String, target: String, data: JSON, output: CellOutput) { opened.append(id) }
    func commMessage(id: String, data: JSON, output: CellOutput) { output.sendComm(id: id, data: data) }
    func commClosed(id: String, data: JSON) { closed.append(id) }
}

final class CommTests: XCTestCase {
    private var transport: RecordingTransport!
    private var language: EchoCommInterpreter!
    private var server: KernelServer!
    private var counter = 0

    override func setUp() {
        transport = RecordingTransport()
        language = EchoCommInterpreter()
        let info = KernelInfo(implementation: "test", implementationVersion: "1", languageName: "swift",
                              languageVersion: "6", mimetype: "text/x-swift", fileExtension: ".swift",
                              codemirrorMode: "swift", pygmentsLexer: "swift", banner: "hi")
        server = KernelServer(interpreter: language, info: info, transport: transport, session: "kernel-session")
        server.commHandler = language
        server.start()
    }

    @discardableResult
    private func send(_ type: String, _ content: JSON) -> String {
        counter += 1
        let id = "req-\(counter)"
        var header = JupyterMessage.makeHeader(type: type, session: "client")
        header["msg_id"] = .string(id)
        server.receive(JupyterMessage(identities: [Data("client".utf8)], header: header, content: content), on: .shell)
        return id
    }

    /// The iopub messages of request `id` up to its idle.
    private func iopub(_ id: String) -> [JupyterMessage] {
        let all = transport.waitUntil { all in
            all.contains { $0.0 == .iopub && $0.1.messageType == "status" && $0.1.content["execution_state"] == "idle"
                && $0.1.parentHeader["msg_id"]?.stringValue == id }
        }
        return transport.iopub(parent: id, in: all)
    }

    private func commInfo(_ target: String?) -> JSON? {
        let id = send("comm_info_request", target.map { ["target_name": .string($0)] } ?? .emptyObject)
        _ = iopub(id)
        let reply = transport.waitUntil { $0.contains { $0.1.messageType == "comm_info_reply" && $0.1.parentHeader["msg_id"]?.stringValue == id } }
            .first { $0.1.messageType == "comm_info_reply" && $0.1.parentHeader["msg_id"]?.stringValue == id }?.1
        XCTAssertEqual(reply?.content["status"], "ok")
        return reply?.content["comms"]
    }

    func testFrontEndOpensSendsAndClosesAComm() throws {
        let open = send("comm_open", ["comm_id": "c1", "target_name": "echo", "data": .emptyObject])
        XCTAssertEqual(iopub(open).map(\.messageType), ["status", "status"])
        XCTAssertEqual(language.opened, ["c1"])
        XCTAssertEqual(commInfo(nil), ["c1": ["target_name": "echo"]])

        let message = send("comm_msg", ["comm_id": "c1", "data": ["method": "update", "state": ["value": 3]]])
        let echoed = iopub(message).filter { $0.messageType == "comm_msg" }
        XCTAssertEqual(echoed.count, 1)
        XCTAssertEqual(echoed.first?.content["comm_id"], "c1")
        XCTAssertEqual(echoed.first?.content["data"]?["state"]?["value"], 3)

        _ = iopub(send("comm_close", ["comm_id": "c1", "data": .emptyObject]))
        XCTAssertEqual(language.closed, ["c1"])
        XCTAssertEqual(commInfo(nil), .emptyObject)
        // A message for a closed comm goes nowhere.
        XCTAssertEqual(iopub(send("comm_msg", ["comm_id": "c1", "data": ["x": 1]])).map(\.messageType), ["status", "status"])
    }

    func testUnknownTargetIsAnsweredWithCommClose() {
        let open = send("comm_open", ["comm_id": "c2", "target_name": "jupyter.widget.nothing", "data": .emptyObject])
        let messages = iopub(open)
        XCTAssertEqual(messages.map(\.messageType), ["status", "comm_close", "status"])
        XCTAssertEqual(messages[1].content["comm_id"], "c2")
        XCTAssertEqual(commInfo(nil), .emptyObject)
        XCTAssertTrue(language.opened.isEmpty)
    }

    func testKernelOpenedCommsAreListedByTargetAndCarryTheirCellAsParent() {
        let cell = send("execute_request", ["code": "open k1"])
        let opened = iopub(cell).filter { $0.messageType == "comm_open" }
        XCTAssertEqual(opened.count, 1)
        XCTAssertEqual(opened.first?.content["target_name"], "echo")
        XCTAssertEqual(opened.first?.content["data"], ["hello": 1])
        XCTAssertEqual(opened.first?.metadata, ["version": "2.1.0"], "the message's metadata, not its content")
        XCTAssertNil(opened.first?.content["metadata"])
        XCTAssertEqual(commInfo("echo"), ["k1": ["target_name": "echo"]])
        XCTAssertEqual(commInfo("other"), .emptyObject)
        let close = send("execute_request", ["code": "close k1"])
        XCTAssertEqual(iopub(close).filter { $0.messageType == "comm_close" }.count, 1)
        XCTAssertEqual(commInfo(nil), .emptyObject)
    }

    func testWithoutAHandlerEveryOpenIsClosed() {
        server.commHandler = nil
        let messages = iopub(send("comm_open", ["comm_id": "c3", "target_name": "echo", "data": .emptyObject]))
        XCTAssertEqual(messages.map(\.messageType), ["status", "comm_close", "status"])
    }

    func testJSONMimeTypesGoOutAsJSON() {
        let bundle = JSON(bundle: ["text/plain": "w", "application/vnd.jupyter.widget-view+json": #"{"model_id":"m"}"#,
                                   "text/html": #"{"not":"json"}"#])
        XCTAssertEqual(bundle["application/vnd.jupyter.widget-view+json"], ["model_id": "m"])
        XCTAssertEqual(bundle["text/html"], .string(#"{"not":"json"}"#))
    }
}

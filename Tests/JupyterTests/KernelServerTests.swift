import Foundation
import Jupyter
import XCTest

/// Collects everything the kernel sends, in order, without sockets.
final class RecordingTransport: KernelTransport, @unchecked Sendable {
    private let condition = NSCondition()
    private var sent: [(Channel, JupyterMessage)] = []
    /// Called on the sending thread after each message is recorded (to act at an exact point of the protocol).
    var onSend: ((JupyterMessage, Channel) -> Void)?

    func send(_ message: JupyterMessage, on channel: Channel) {
        condition.lock()
        sent.append((channel, message))
        condition.broadcast()
        condition.unlock()
        onSend?(message, channel)
    }

    /// Waits until `count` messages on `channel` of `type` exist, then returns everything sent so far.
    func waitFor(_ type: String, on channel: Channel, count: Int = 1, timeout: TimeInterval = 5)
        -> [(Channel, JupyterMessage)]
    {
        waitUntil(timeout: timeout) { all in all.filter { $0.0 == channel && $0.1.messageType == type }.count >= count }
    }

    /// Waits until `done` holds for everything sent so far (or the timeout passes), then returns it.
    func waitUntil(timeout: TimeInterval = 5, _ done: ([(Channel, JupyterMessage)]) -> Bool)
        -> [(Channel, JupyterMessage)]
    {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !done(sent) {
            if !condition.wait(until: deadline) { break }
        }
        return sent
    }

    func iopub(parent: String, in all: [(Channel, JupyterMessage)]) -> [JupyterMessage] {
        all.filter { $0.0 == .iopub && $0.1.parentHeader["msg_id"]?.stringValue == parent }.map { $0.1 }
    }
}

/// A test double for the language: each line is a command (not a language; just enough to drive the protocol).
final class ScriptedInterpreter: KernelInterpreter, @unchecked Sendable {
    var variables: [String: String] = [:]

    func execute(_ code: String, output: CellOutput, cancellation: CancellationToken) -> ExecuteOutcome {
        for line in code.split(separator: "\n").map(String.init) {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            let argument = words.count > 1 ? words[1] : ""
            switch words.first ?? "" {
            case "out": output.stream(.stdout, argument + "\n")
            case "err": output.stream(.stderr, argument + "\n")
            case "set": let kv = argument.split(separator: "="); variables[String(kv[0])] = String(kv[1])
            case "show": output.display(["text/plain": argument], displayID: nil, update: false)
            case "progress":
                output.display(["text/plain": "0%"], displayID: argument, update: false)
                output.display(["text/plain": "100%"], displayID: argument, update: true)
                output.clearOutput(wait: true)
            case "value": return .success(["text/plain": argument])
            case "fail": return .failure(ename: "ValueError", evalue: argument, traceback: ["ValueError: \(argument)"])
            case "ask": output.stream(.stdout, "got \(output.readLine(prompt: argument) ?? "nil")\n")
            case "block":
                while !cancellation.isCancelled { usleep(1000) }
                return .failure(ename: "Interrupted", evalue: "interrupted", traceback: [])
            default: break
            }
        }
        return .success(nil)
    }

    func evaluate(expression: String, cancellation: CancellationToken) -> ExecuteOutcome {
        if let value = variables[expression] { return .success(["text/plain": value]) }
        return .failure(ename: "NameError", evalue: expression, traceback: [])
    }

    func complete(_ code: String, cursor: Int) -> CompletionResult {
        CompletionResult(matches: variables.keys.sorted(), cursorStart: 0, cursorEnd: cursor)
    }

    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> DisplayBundle? {
        variables[code].map { ["text/plain": "\(code) = \($0) (detail \(detailLevel))"] }
    }

    func isComplete(_ code: String) -> CompletenessResult { code.hasSuffix("{") ? .incomplete(indent: "    ") : .complete }
}

final class KernelServerTests: XCTestCase {
    private var transport: RecordingTransport!
    private var interpreter: ScriptedInterpreter!
    private var server: KernelServer!
    private var counter = 0

    override func setUp() {
        transport = RecordingTransport()
        interpreter = ScriptedInterpreter()
        let info = KernelInfo(implementation: "test", implementationVersion: "1", languageName: "swift",
                              languageVersion: "6", mimetype: "text/x-swift", fileExtension: ".swift",
                              codemirrorMode: "swift", pygmentsLexer: "swift", banner: "hi",
                              helpLinks: [(text: "Docs", url: "https://example.org")])
        server = KernelServer(interpreter: interpreter, info: info, transport: transport, session: "kernel-session")
        server.start()
    }

    @discardableResult
    private func request(_ type: String, _ content: JSON, on channel: Channel = .shell) -> String {
        counter += 1
        let id = "req-\(counter)"
        var header = JupyterMessage.makeHeader(type: type, session: "client")
        header["msg_id"] = .string(id)
        server.receive(JupyterMessage(identities: [Data("client".utf8)], header: header, content: content), on: channel)
        return id
    }

    private func reply(to id: String, type: String, on channel: Channel = .shell) -> JupyterMessage? {
        let match = { (item: (Channel, JupyterMessage)) in
            item.0 == channel && item.1.messageType == type && item.1.parentHeader["msg_id"]?.stringValue == id
        }
        return transport.waitUntil { $0.contains(where: match) }.first(where: match)?.1
    }

    /// Waits until the cell `id` has started (its execute_input is out).
    private func waitUntilRunning(_ id: String) {
        _ = transport.waitUntil { all in
            all.contains { $0.1.messageType == "execute_input" && $0.1.parentHeader["msg_id"]?.stringValue == id }
        }
    }

    func testStartingOnceThenBusyOutputsIdleAroundExecute() throws {
        let id = request("execute_request", ["code": "out hello\nvalue 42"])
        let reply = try XCTUnwrap(reply(to: id, type: "execute_reply"))
        XCTAssertEqual(reply.content["status"], "ok")
        XCTAssertEqual(reply.content["execution_count"], 1)
        XCTAssertEqual(reply.identities, [Data("client".utf8)])
        let all = transport.waitFor("status", on: .iopub, count: 3)
        XCTAssertEqual(all.first?.1.content["execution_state"], "starting")
        let types = transport.iopub(parent: id, in: all).map(\.messageType)
        XCTAssertEqual(types, ["status", "execute_input", "stream", "execute_result", "status"])
        let states = transport.iopub(parent: id, in: all).filter { $0.messageType == "status" }
            .map { $0.content["execution_state"]?.stringValue }
        XCTAssertEqual(states, ["busy", "idle"])
    }

    func testExecutionCountRulesForSilentAndStoreHistory() throws {
        let a = request("execute_request", ["code": "out a"])
        let b = request("execute_request", ["code": "value 1", "silent": true])
        let c = request("execute_request", ["code": "out c", "store_history": false])
        let d = request("execute_request", ["code": "out d"])
        XCTAssertEqual(reply(to: d, type: "execute_reply")?.content["execution_count"], 2)
        XCTAssertEqual(reply(to: a, type: "execute_reply")?.content["execution_count"], 1)
        XCTAssertEqual(reply(to: b, type: "execute_reply")?.content["execution_count"], 1)
        XCTAssertEqual(reply(to: c, type: "execute_reply")?.content["execution_count"], 1)
        let silent = transport.iopub(parent: b, in: transport.waitFor("status", on: .iopub)).map(\.messageType)
        XCTAssertEqual(silent, ["status", "status"], "silent: no execute_input, no execute_result")
    }

    func testErrorPublishesErrorAndAbortsQueuedCellsWhenStopOnError() throws {
        let blocker = request("execute_request", ["code": "block", "stop_on_error": false])
        let failing = request("execute_request", ["code": "fail bad value"])
        let queued = request("execute_request", ["code": "out never"])
        let kept = request("kernel_info_request", .emptyObject)
        waitUntilRunning(blocker)
        server.interrupt()
        XCTAssertEqual(reply(to: blocker, type: "execute_reply")?.content["ename"], "Interrupted")
        let error = try XCTUnwrap(reply(to: failing, type: "execute_reply"))
        XCTAssertEqual(error.content["status"], "error")
        XCTAssertEqual(error.content["evalue"], "bad value")
        let aborted = try XCTUnwrap(reply(to: queued, type: "execute_reply"))
        XCTAssertEqual(aborted.content["status"], "error")
        XCTAssertEqual(aborted.content["ename"], "Aborted")
        XCTAssertNotNil(reply(to: kept, type: "kernel_info_reply"), "other requests are not aborted")
        let all = transport.waitFor("status", on: .iopub)
        XCTAssertFalse(transport.iopub(parent: queued, in: all).contains { $0.messageType == "stream" })
        XCTAssertTrue(transport.iopub(parent: failing, in: all).contains { $0.messageType == "error" })
    }

    /// An interrupt sent the moment execute_input is out reaches the cell (the stop flag must exist by then).
    func testAnInterruptRightAfterExecuteInputStopsTheCell() throws {
        transport.onSend = { [unowned self] message, _ in
            if message.messageType == "execute_input" { server.interrupt() }
        }
        let cell = request("execute_request", ["code": "block"])
        XCTAssertEqual(reply(to: cell, type: "execute_reply")?.content["ename"], "Interrupted")
        transport.onSend = nil
    }

    func testStopOnErrorFalseKeepsQueuedCells() throws {
        let blocker = request("execute_request", ["code": "block", "stop_on_error": false])
        request("execute_request", ["code": "fail x", "stop_on_error": false])
        let next = request("execute_request", ["code": "out ran"])
        waitUntilRunning(blocker)
        server.interrupt()
        _ = reply(to: blocker, type: "execute_reply")
        XCTAssertEqual(reply(to: next, type: "execute_reply")?.content["status"], "ok")
    }

    func testControlAnswersWhileACellRuns() throws {
        let cell = request("execute_request", ["code": "set x=5\nblock"])
        waitUntilRunning(cell)
        let info = request("kernel_info_request", .emptyObject, on: .control)
        let infoReply = try XCTUnwrap(reply(to: info, type: "kernel_info_reply", on: .control))
        XCTAssertEqual(infoReply.content["language_info"]?["file_extension"], ".swift")
        XCTAssertEqual(infoReply.content["protocol_version"], "5.4")
        let interrupt = request("interrupt_request", .emptyObject, on: .control)
        XCTAssertEqual(reply(to: interrupt, type: "interrupt_reply", on: .control)?.content["status"], "ok")
        XCTAssertEqual(reply(to: cell, type: "execute_reply")?.content["ename"], "Interrupted")
        XCTAssertEqual(interpreter.variables["x"], "5")
    }

    func testUserExpressionsCompleteInspectIsComplete() throws {
        let exec = request("execute_request", ["code": "set answer=42",
                                               "user_expressions": ["a": "answer", "b": "missing"]])
        let expressions = try XCTUnwrap(reply(to: exec, type: "execute_reply")?.content["user_expressions"])
        XCTAssertEqual(expressions["a"]?["data"]?["text/plain"], "42")
        XCTAssertEqual(expressions["b"]?["status"], "error")
        let complete = request("complete_request", ["code": "ans", "cursor_pos": 3])
        let completion = try XCTUnwrap(reply(to: complete, type: "complete_reply"))
        XCTAssertEqual(completion.content["matches"], ["answer"])
        XCTAssertEqual(completion.content["cursor_end"], 3)
        let inspect = request("inspect_request", ["code": "answer", "cursor_pos": 6, "detail_level": 1])
        XCTAssertEqual(reply(to: inspect, type: "inspect_reply")?.content["data"]?["text/plain"], "answer = 42 (detail 1)")
        let missing = request("inspect_request", ["code": "nope", "cursor_pos": 4])
        XCTAssertEqual(reply(to: missing, type: "inspect_reply")?.content["found"], false)
        let incomplete = request("is_complete_request", ["code": "for x in y {"])
        XCTAssertEqual(reply(to: incomplete, type: "is_complete_reply")?.content, ["status": "incomplete", "indent": "    "])
    }

    func testHelpSyntaxPagesTheInspection() throws {
        request("execute_request", ["code": "set plot=a command"])
        let page = request("execute_request", ["code": "plot?"])
        let payload = try XCTUnwrap(reply(to: page, type: "execute_reply")?.content["payload"]?.arrayValue)
        XCTAssertEqual(payload.first?["source"], "page")
        XCTAssertEqual(payload.first?["data"]?["text/plain"], "plot = a command (detail 0)")
        let unknown = request("execute_request", ["code": "?nothing"])
        XCTAssertEqual(reply(to: unknown, type: "execute_reply")?.content["ename"], "NameError")
    }

    func testHistoryTailRangeSearch() throws {
        for code in ["value 1", "out 2", "value 1", "value 3"] { request("execute_request", ["code": .string(code)]) }
        let tail = request("history_request", ["hist_access_type": "tail", "n": 2, "output": true])
        XCTAssertEqual(reply(to: tail, type: "history_reply")?.content["history"],
                       [[1, 3, ["value 1", "1"]], [1, 4, ["value 3", "3"]]])
        let range = request("history_request", ["hist_access_type": "range", "session": 0, "start": 2, "stop": 3])
        XCTAssertEqual(reply(to: range, type: "history_reply")?.content["history"], [[1, 2, "out 2"]])
        let search = request("history_request", ["hist_access_type": "search", "pattern": "value ?", "unique": true])
        XCTAssertEqual(reply(to: search, type: "history_reply")?.content["history"],
                       [[1, 3, "value 1"], [1, 4, "value 3"]])
        let n = request("history_request", ["hist_access_type": "search", "pattern": "value*", "n": 2])
        XCTAssertEqual(reply(to: n, type: "history_reply")?.content["history"], [[1, 3, "value 1"], [1, 4, "value 3"]])
    }

    func testInputRequestOnStdinWhenAllowed() throws {
        let cell = request("execute_request", ["code": "ask name?", "allow_stdin": true])
        let all = transport.waitFor("input_request", on: .stdin)
        let inputRequest = try XCTUnwrap(all.first { $0.0 == .stdin }?.1)
        XCTAssertEqual(inputRequest.content["prompt"], "name?")
        XCTAssertEqual(inputRequest.parentHeader["msg_id"]?.stringValue, cell)
        var header = JupyterMessage.makeHeader(type: "input_reply", session: "client")
        header["msg_id"] = "in-1"
        server.receive(JupyterMessage(header: header, content: ["value": "Ada"]), on: .stdin)
        _ = reply(to: cell, type: "execute_reply")
        let streams = transport.iopub(parent: cell, in: transport.waitFor("stream", on: .iopub))
        XCTAssertEqual(streams.first { $0.messageType == "stream" }?.content["text"], "got Ada\n")
        let denied = request("execute_request", ["code": "ask x", "allow_stdin": false])
        _ = reply(to: denied, type: "execute_reply")
        let text = transport.iopub(parent: denied, in: transport.waitFor("stream", on: .iopub, count: 2))
            .first { $0.messageType == "stream" }?.content["text"]
        XCTAssertEqual(text, "got nil\n")
    }

    func testDisplayUpdatesCarryTheDisplayIDAndClearOutputItsWaitFlag() throws {
        let id = request("execute_request", ["code": "progress bar-1"])
        _ = reply(to: id, type: "execute_reply")
        let messages = transport.iopub(parent: id, in: transport.waitFor("clear_output", on: .iopub))
        let displays = messages.filter { $0.messageType.hasSuffix("display_data") }
        XCTAssertEqual(displays.map(\.messageType), ["display_data", "update_display_data"])
        XCTAssertEqual(displays.map { $0.content["transient"]?["display_id"] }, ["bar-1", "bar-1"])
        XCTAssertEqual(displays.last?.content["data"]?["text/plain"], "100%")
        XCTAssertEqual(messages.first { $0.messageType == "clear_output" }?.content["wait"], true)
    }

    func testShutdownRepliesThenCallsBack() throws {
        let called = expectation(description: "onShutdown")
        server.onShutdown = { restart in XCTAssertTrue(restart); called.fulfill() }
        let id = request("shutdown_request", ["restart": true], on: .control)
        wait(for: [called], timeout: 2)
        XCTAssertEqual(reply(to: id, type: "shutdown_reply", on: .control)?.content["restart"], true)
    }
}

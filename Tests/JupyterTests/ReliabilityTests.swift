import Foundation
import Jupyter
import XCTest

/// Issue 19 in the protocol layer: stream coalescing and its limit, replay, history and connection limits.
final class StreamCoalescingTests: XCTestCase {
    private final class Lines: KernelInterpreter, @unchecked Sendable {
        let count: Int
        init(_ count: Int) { self.count = count }
        func execute(_ code: String, output: CellOutput, cancellation: CancellationToken) -> ExecuteOutcome {
            for i in 0..<count { output.stream(.stdout, "line \(i)\n") }
            output.stream(.stderr, "done\n")
            return .success(nil)
        }
        func evaluate(expression: String, cancellation: CancellationToken) -> ExecuteOutcome { .success(nil) }
        func complete(_ code: String, cursor: Int) -> CompletionResult { CompletionResult(matches: [], cursorStart: 0, cursorEnd: 0) }
        func inspect(_ code: String, cursor: Int, detailLevel: Int) -> DisplayBundle? { nil }
        func isComplete(_ code: String) -> CompletenessResult { .complete }
    }

    /// A transport whose iopub readers are `backlog` bytes behind.
    private final class Backlogged: KernelTransport, @unchecked Sendable {
        let recording = RecordingTransport()
        let backlog: Int
        init(backlog: Int) { self.backlog = backlog }
        func send(_ message: JupyterMessage, on channel: Channel) { recording.send(message, on: channel) }
        var iopubBacklogBytes: Int { backlog }
    }

    private func run(lines: Int, limits: KernelLimits, backlog: Int = 0) throws -> [JupyterMessage] {
        let backlogged = Backlogged(backlog: backlog)
        let transport = backlogged.recording
        let info = KernelInfo(implementation: "t", implementationVersion: "1", languageName: "swift", languageVersion: "6",
                              mimetype: "text/x-swift", fileExtension: ".swift", codemirrorMode: "swift",
                              pygmentsLexer: "swift", banner: "", helpLinks: [])
        let server = KernelServer(interpreter: Lines(lines), info: info, transport: backlogged, limits: limits)
        server.start()
        var header = JupyterMessage.makeHeader(type: "execute_request", session: "c")
        header["msg_id"] = "flood"
        server.receive(JupyterMessage(header: header, content: ["code": ""]), on: .shell)
        let all = transport.waitUntil(timeout: 30) { all in
            all.contains { $0.1.messageType == "status" && $0.1.content["execution_state"] == "idle"
                && $0.1.parentHeader["msg_id"] == "flood" }
        }
        return transport.iopub(parent: "flood", in: all)
    }

    func testTwentyThousandPrintsBecomeAFewMessagesInOrder() throws {
        let messages = try run(lines: 20_000, limits: KernelLimits())
        let streams = messages.filter { $0.messageType == "stream" }
        XCTAssertLessThan(streams.count, 50, "one message per print is what lost output")
        let stdout = streams.filter { $0.content["name"] == "stdout" }.compactMap { $0.content["text"]?.stringValue }
        XCTAssertEqual(stdout.joined(), (0..<20_000).map { "line \($0)\n" }.joined())
        XCTAssertEqual(streams.last?.content["text"], "done\n")
        XCTAssertEqual(messages.last?.content["execution_state"], "idle")
    }

    func testOutputIsCutAndReportedWhileTheReaderIsFarBehind() throws {
        let messages = try run(lines: 1_000, limits: KernelLimits(), backlog: 100 << 20)
        let texts = messages.filter { $0.messageType == "stream" }.compactMap { $0.content["text"]?.stringValue }
        XCTAssertFalse(texts.contains { $0.contains("line 0\n") })
        XCTAssertTrue(texts.joined().contains("did not read output fast enough"), texts.joined())
        XCTAssertEqual(messages.last?.content["execution_state"], "idle")
    }

    func testOutputPastTheLimitIsCountedAndReportedOnce() throws {
        var limits = KernelLimits()
        limits.maxOutputBytes = 10_000
        let messages = try run(lines: 5_000, limits: limits)
        let stdout = messages.filter { $0.messageType == "stream" && $0.content["name"] == "stdout" }
            .compactMap { $0.content["text"]?.stringValue }.joined()
        let all = (0..<5_000).map { "line \($0)\n" }.joined()
        XCTAssertEqual(stdout.utf8.count, 10_000)
        XCTAssertTrue(all.hasPrefix(stdout))
        let notes = messages.filter { $0.messageType == "stream" && $0.content["name"] == "stderr" }
            .compactMap { $0.content["text"]?.stringValue }.joined()
        let cut = all.utf8.count - 10_000 + "done\n".utf8.count
        XCTAssertTrue(notes.contains("output truncated after 9 KB: \(cut) more bytes"), notes)
        XCTAssertEqual(messages.last?.content["execution_state"], "idle")
    }

}

final class ProtectionTests: XCTestCase {
    func testReplayGuardRefusesARepeatAndForgetsTheOldest() {
        var replays = ReplayGuard(capacity: 2)
        let a = Data(String(repeating: "a", count: 64).utf8), b = Data(String(repeating: "b", count: 64).utf8)
        let c = Data(String(repeating: "c", count: 64).utf8)
        XCTAssertTrue(replays.accept(a))
        XCTAssertFalse(replays.accept(a))
        XCTAssertTrue(replays.accept(b))
        XCTAssertTrue(replays.accept(c))   // forgets a
        XCTAssertTrue(replays.accept(a))
        XCTAssertFalse(replays.accept(c))
        XCTAssertTrue(replays.accept(Data()))
        XCTAssertTrue(replays.accept(Data()))
    }

    func testHistoryClipsHugeInputsAndDropsTheOldest() {
        var history = History(maxBytes: 64 << 10)
        history.append(String(repeating: "x", count: 1 << 20))
        XCTAssertLessThan(history.entries[0].input.utf8.count, 5 << 10)
        XCTAssertTrue(history.entries[0].input.contains("history keeps the first"))
        for i in 0..<100 { history.append(String(repeating: "\(i % 10)", count: 2000)) }
        XCTAssertEqual(history.lastLine, 101)
        XCTAssertEqual(history.entries.last?.line, 101)
        XCTAssertLessThan(history.entries.count, 40)
        history.setOutput("out", line: 101)
        XCTAssertEqual(history.entries.last?.output, "out")
        XCTAssertEqual(history.range(session: 0, start: 100, stop: nil).map(\.line), [100, 101])
        var small = History(maxBytes: 1024)   // inputs keep at most 64 bytes, cut on a character boundary
        small.append(String(repeating: "é", count: 100))
        XCTAssertTrue(small.entries[0].input.hasPrefix(String(repeating: "é", count: 32) + "\n"))
    }

    func testIPv6AndLocalhostEndpoints() throws {
        let base = #""shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5"#
        let v6 = try ConnectionInfo(json: Data("{\"ip\": \"::1\", \(base)}".utf8))
        XCTAssertEqual(v6.endpoint(.shell), "tcp://[::1]:1")
        XCTAssertTrue(v6.needsIPv6)
        let local = try ConnectionInfo(json: Data("{\"ip\": \"localhost\", \(base)}".utf8))
        XCTAssertEqual(local.bindEndpoints(.iopub).map(\.endpoint), ["tcp://127.0.0.1:2", "tcp://[::1]:2"])
        let v4 = try ConnectionInfo(json: Data("{\"ip\": \"127.0.0.1\", \(base)}".utf8))
        XCTAssertFalse(v4.needsIPv6)
        XCTAssertEqual(v4.bindEndpoints(.heartbeat).map(\.endpoint), ["tcp://127.0.0.1:5"])
    }

    func testLimitsFromTheEnvironment() {
        let limits = KernelLimits.fromEnvironment(["RAPIDEELS_MAX_MESSAGE_MB": "2", "RAPIDEELS_MAX_OUTPUT_MB": "0.5",
                                                   "RAPIDEELS_HISTORY_MB": "nonsense"])
        XCTAssertEqual(limits.maxMessageBytes, 2 << 20)
        XCTAssertEqual(limits.maxOutputBytes, 512 << 10)
        XCTAssertEqual(limits.maxHistoryBytes, KernelLimits().maxHistoryBytes)
    }

    func testParentWatchNeedsJPYParentPID() {
        XCTAssertFalse(ParentWatch.start(environment: [:]))
        XCTAssertFalse(ParentWatch.start(environment: ["JPY_PARENT_PID": "1"]))
        let gone = expectation(description: "parent gone")
        // A pid that cannot exist (beyond pid_max) counts as gone.
        XCTAssertTrue(ParentWatch.start(environment: ["JPY_PARENT_PID": "2147483000"], interval: 0.05) { reason in
            XCTAssertTrue(reason.contains("2147483000"))
            gone.fulfill()
        })
        wait(for: [gone], timeout: 5)
    }
}

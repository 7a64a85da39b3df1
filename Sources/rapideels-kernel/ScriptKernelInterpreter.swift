import Foundation
import Jupyter
import Script
import ScriptLanguage

/// Adapts `ScriptLanguage.Interpreter` (with the RapidEELS commands) to the Jupyter module's `KernelInterpreter` (Jupyter knows nothing of Script).
///
/// The interpreter keeps one `ScriptOutput` for its lifetime; this adapter points it at the running cell's
/// `CellOutput`, so a cell's `print` and `display` become iopub messages with the cell's parent header.
final class ScriptKernelInterpreter: KernelInterpreter {
    private let bridge = OutputBridge()
    private let interpreter: Interpreter

    init() {
        interpreter = Interpreter.rapidEELS(output: bridge)
    }

    /// kernel_info for RapidEELS Script.
    static func kernelInfo(version: String) -> KernelInfo {
        KernelInfo(implementation: "rapideels", implementationVersion: version, languageName: "swift",
                   languageVersion: KernelVersion.language, mimetype: "text/x-swift", fileExtension: ".swift",
                   codemirrorMode: "swift", pygmentsLexer: "swift",
                   banner: "RapidEELS Script \(KernelVersion.language): Swift syntax, interpreted; "
                       + "type help(command) or command? for documentation",
                   helpLinks: [(text: "The RapidEELS paper (Sci. Rep. 11, 2021)", url: "https://doi.org/10.1038/s41598-021-97668-8"),
                               (text: "Swift language guide", url: "https://docs.swift.org/swift-book/")])
    }

    func execute(_ code: String, output: CellOutput, cancellation: CancellationToken) -> ExecuteOutcome {
        bridge.cell = output
        defer { bridge.cell = nil }
        return Self.outcome(interpreter.execute(code, cancellation: Cancellation(polling: { cancellation.isCancelled })))
    }

    func evaluate(expression: String, cancellation: CancellationToken) -> ExecuteOutcome {
        Self.outcome(interpreter.evaluate(expression: expression,
                                          cancellation: Cancellation(polling: { cancellation.isCancelled })))
    }

    func complete(_ code: String, cursor: Int) -> CompletionResult {
        let completion = interpreter.complete(code, cursor: cursor)
        return CompletionResult(matches: completion.matches, cursorStart: completion.cursorStart,
                                cursorEnd: completion.cursorEnd)
    }

    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> Jupyter.DisplayBundle? {
        interpreter.inspect(code, cursor: cursor, detailLevel: detailLevel)?.representations
    }

    func isComplete(_ code: String) -> CompletenessResult {
        switch interpreter.isComplete(code) {
        case .complete: return .complete
        case .incomplete(let indent): return .incomplete(indent: indent)
        case .invalid: return .invalid
        }
    }

    /// Runs `body` with the interpreter's output pointed at `output` (a cell's, or a comm message's).
    private func with(_ output: CellOutput, _ body: () -> Void) {
        let previous = bridge.cell
        bridge.cell = output
        defer { bridge.cell = previous }
        body()
    }

    private static func outcome(_ result: ExecutionResult) -> ExecuteOutcome {
        switch result {
        case .success(let bundle): return .success(bundle?.representations)
        case .failure(let error): return .failure(ename: error.kind, evalue: error.message, traceback: error.traceback)
        }
    }
}

/// Jupyter widgets: the front end's widget manager opens the control comm; models are the kernel's.
extension ScriptKernelInterpreter: KernelCommHandler {
    func acceptsComm(target: String) -> Bool { interpreter.widgets.accepts(target: target) }

    func commOpened(id: String, target: String, data: JSON, output: CellOutput) {
        interpreter.widgets.controlOpened(id: id)
    }

    func commMessage(id: String, data: JSON, output: CellOutput) {
        with(output) { interpreter.widgets.handle(id: id, data: data.serialized()) }
    }

    func commClosed(id: String, data: JSON) {
        interpreter.widgets.closed(id: id)
    }
}

/// Forwards the interpreter's output to the running cell (or to the process streams between cells).
private final class OutputBridge: ScriptOutput {
    var cell: CellOutput?

    func stream(_ name: StreamName, _ text: String) {
        if let cell {
            cell.stream(name == .stdout ? .stdout : .stderr, text)
        } else {
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    func display(_ bundle: ScriptLanguage.DisplayBundle, displayID: String?, update: Bool) {
        cell?.display(bundle.representations, displayID: displayID, update: update)
    }

    func clearOutput(wait: Bool) {
        cell?.clearOutput(wait: wait)
    }

    func readLine(prompt: String, password: Bool) -> String? {
        cell?.readLine(prompt: prompt, password: password)
    }

    func openComm(id: String, target: String, data: Data, metadata: Data) -> Bool {
        guard let cell, let data = try? JSON.parse(data), let metadata = try? JSON.parse(metadata) else { return false }
        cell.openComm(id: id, target: target, data: data, metadata: metadata)
        return true
    }

    func sendComm(id: String, data: Data) {
        guard let data = try? JSON.parse(data) else { return }
        cell?.sendComm(id: id, data: data)
    }
}

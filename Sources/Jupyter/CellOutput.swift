import Foundation

/// Where a running cell's output goes: iopub messages with the cell's request as parent header.
///
/// The kernel hands one to `KernelInterpreter.execute`; call it from the thread that runs the cell.
///
///     output.stream(.stdout, "hello\n")
///     output.display(["text/plain": "<svg>", "image/svg+xml": svg], displayID: nil, update: false)
public final class CellOutput {
    /// The two streams of a cell.
    public enum Stream: String, Sendable {
        case stdout, stderr
    }

    unowned let server: KernelServer
    /// The execute_request this output belongs to.
    public let parent: JupyterMessage
    /// Whether the frontend accepts input_request (the request's allow_stdin).
    public let allowsStdin: Bool

    init(server: KernelServer, parent: JupyterMessage, allowsStdin: Bool) {
        self.server = server
        self.parent = parent
        self.allowsStdin = allowsStdin
    }

    /// Publishes a stream message (text as written; newlines are the caller's).
    public func stream(_ name: Stream, _ text: String) {
        guard !text.isEmpty else { return }
        server.publish("stream", ["name": .string(name.rawValue), "text": .string(text)], parent: parent)
    }

    /// Publishes display_data, or update_display_data when `update` is true (then `displayID` names the display).
    public func display(_ bundle: DisplayBundle, displayID: String? = nil, update: Bool = false) {
        var transient: JSON = .emptyObject
        if let displayID { transient = ["display_id": .string(displayID)] }
        let type = update && displayID != nil ? "update_display_data" : "display_data"
        server.publish(type, ["data": JSON(bundle: bundle), "metadata": .emptyObject, "transient": transient],
                       parent: parent)
    }

    /// Publishes clear_output.
    public func clearOutput(wait: Bool) {
        server.publish("clear_output", ["wait": .bool(wait)], parent: parent)
    }

    /// Asks the frontend for one line (input_request on stdin) and waits for it; nil when the frontend does not
    /// allow stdin or the cell is interrupted while waiting.
    public func readLine(prompt: String, password: Bool = false) -> String? {
        guard allowsStdin else { return nil }
        return server.requestInput(prompt: prompt, password: password, parent: parent)
    }
}

import Foundation

/// The kernel language's side of comms (the messaging spec's comm_open / comm_msg / comm_close), for example
/// the Jupyter widget protocol. Called on the executor thread, between cells, in the order messages arrive.
///
///     final class Widgets: KernelCommHandler {
///         func acceptsComm(target: String) -> Bool { target == "jupyter.widget.control" }
///         func commOpened(id: String, target: String, data: JSON, output: CellOutput) { ... }
///         func commMessage(id: String, data: JSON, output: CellOutput) { output.sendComm(id: id, data: reply) }
///         func commClosed(id: String, data: JSON) {}
///     }
public protocol KernelCommHandler: AnyObject {
    /// Whether the front end may open a comm with `target`; the kernel closes refused ones at once.
    func acceptsComm(target: String) -> Bool
    /// The front end opened a comm on an accepted target. `output` publishes with the comm_open as parent.
    func commOpened(id: String, target: String, data: JSON, output: CellOutput)
    /// A comm_msg for an open comm (one the kernel or the front end opened).
    func commMessage(id: String, data: JSON, output: CellOutput)
    /// The front end closed a comm.
    func commClosed(id: String, data: JSON)
}

/// The comms open between this kernel and its front ends: comm id -> target name (for comm_info_request).
final class CommTable: @unchecked Sendable {
    private let lock = NSLock()
    private var targets: [String: String] = [:]
    /// Open comms are bounded: a front end that opens without closing cannot grow the kernel without limit.
    static let limit = 100_000

    func open(_ id: String, target: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard targets[id] != nil || targets.count < Self.limit else { return false }
        targets[id] = target
        return true
    }
    func close(_ id: String) { lock.lock(); targets[id] = nil; lock.unlock() }
    func target(of id: String) -> String? { lock.lock(); defer { lock.unlock() }; return targets[id] }
    func all(target: String?) -> [String: String] {
        lock.lock(); defer { lock.unlock() }
        guard let target else { return targets }
        return targets.filter { $0.value == target }
    }
}

extension KernelServer {
    /// Answers comm_info_request: the open comms, only those of `target_name` when the request names one.
    func commInfo(_ content: JSON) -> JSON {
        let target = content["target_name"]?.stringValue
        let comms = comms.all(target: target?.isEmpty == true ? nil : target)
        return ["status": "ok", "comms": .object(comms.mapValues { ["target_name": .string($0)] })]
    }

    /// Routes comm_open / comm_msg / comm_close from the front end (shell, executor thread).
    func handleComm(_ message: JupyterMessage) {
        let content = message.content
        guard let id = content["comm_id"]?.stringValue, !id.isEmpty else {
            KernelLog.write("\(message.messageType) without a comm_id: ignored")
            return
        }
        let data = content["data"] ?? .emptyObject
        let output = CellOutput(server: self, parent: message, allowsStdin: false)
        switch message.messageType {
        case "comm_open":
            let target = content["target_name"]?.stringValue ?? ""
            guard let handler = commHandler, handler.acceptsComm(target: target), comms.open(id, target: target) else {
                // The spec: an unknown target is answered with comm_close at once.
                publish("comm_close", ["comm_id": .string(id), "data": .emptyObject], parent: message)
                return
            }
            handler.commOpened(id: id, target: target, data: data, output: output)
        case "comm_msg":
            guard comms.target(of: id) != nil else {
                KernelLog.write("comm_msg for unknown comm \(id.prefix(40)): ignored")
                return
            }
            commHandler?.commMessage(id: id, data: data, output: output)
        default:  // comm_close
            guard comms.target(of: id) != nil else { return }
            comms.close(id)
            commHandler?.commClosed(id: id, data: data)
        }
    }
}

extension CellOutput {
    /// Opens a comm from the kernel (comm_open on iopub) and remembers it for comm_info. `metadata` goes in the
    /// message's metadata, where front ends look for it (the widget protocol's version).
    ///
    ///     output.openComm(id: modelID, target: "jupyter.widget", data: ["state": state], metadata: ["version": "2.1.0"])
    public func openComm(id: String, target: String, data: JSON, metadata: JSON = .emptyObject) {
        guard server.comms.open(id, target: target) else {
            KernelLog.write("too many open comms (\(CommTable.limit)): comm \(id.prefix(40)) not opened")
            return
        }
        server.publish("comm_open", ["comm_id": .string(id), "target_name": .string(target), "data": data],
                       parent: parent, metadata: metadata)
    }

    /// Sends a comm_msg on an open comm.
    public func sendComm(id: String, data: JSON) {
        guard server.comms.target(of: id) != nil else { return }
        server.publish("comm_msg", ["comm_id": .string(id), "data": data], parent: parent)
    }

    /// Closes a comm from the kernel.
    public func closeComm(id: String, data: JSON = .emptyObject) {
        guard server.comms.target(of: id) != nil else { return }
        server.comms.close(id)
        server.publish("comm_close", ["comm_id": .string(id), "data": data], parent: parent)
    }
}

import Foundation

/// One Jupyter message: routing identities, the four JSON parts and optional binary buffers.
///
///     let reply = JupyterMessage.reply(to: request, type: "kernel_info_reply", content: ["status": "ok"],
///                                      session: session)
public struct JupyterMessage: Sendable {
    /// ZeroMQ routing identities (ROUTER sockets) or the topic (iopub), before `<IDS|MSG>`.
    public var identities: [Data]
    /// msg_id, session, username, date, msg_type, version.
    public var header: JSON
    /// The header of the request this message answers; `{}` when none.
    public var parentHeader: JSON
    public var metadata: JSON
    public var content: JSON
    /// Binary buffers after the content frame.
    public var buffers: [Data]

    public init(identities: [Data] = [], header: JSON, parentHeader: JSON = .emptyObject,
                metadata: JSON = .emptyObject, content: JSON = .emptyObject, buffers: [Data] = []) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// header.msg_type, e.g. "execute_request"; "" when missing.
    public var messageType: String { header["msg_type"]?.stringValue ?? "" }
    /// header.msg_id; "" when missing.
    public var messageID: String { header["msg_id"]?.stringValue ?? "" }
    /// header.session; "" when missing.
    public var session: String { header["session"]?.stringValue ?? "" }

    /// A new header (protocol 5.4, current date with zone).
    public static func makeHeader(type: String, session: String, username: String = "kernel") -> JSON {
        [
            "msg_id": .string(UUID().uuidString.lowercased()),
            "session": .string(session),
            "username": .string(username),
            "date": .string(ISODate.now()),
            "msg_type": .string(type),
            "version": .string(JupyterProtocol.version),
        ]
    }

    /// A message answering or caused by `parent`: same identities, parent header set.
    public static func reply(to parent: JupyterMessage, type: String, content: JSON, session: String,
                             metadata: JSON = .emptyObject) -> JupyterMessage {
        JupyterMessage(identities: parent.identities, header: makeHeader(type: type, session: session),
                       parentHeader: parent.header, metadata: metadata, content: content)
    }
}

/// The Jupyter messaging protocol (version 5.4) over ZeroMQ. Knows nothing of EELS.
public enum JupyterProtocol {
    /// The protocol version written in every header.
    public static let version = "5.4"
}

/// ISO 8601 timestamps with microseconds and zone, as Jupyter headers carry them.
public enum ISODate {
    /// The current UTC time, e.g. "2026-11-25T01:40:35.123456Z".
    public static func now() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var seconds = tv.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(tv.tv_usec))
    }
}

extension JupyterMessage {
    /// About how many bytes the message takes on the wire: the UTF-8 of every string in its content plus the
    /// buffers and a fixed allowance for the header (cheap: nothing is encoded).
    public var approximateSize: Int {
        func size(_ value: JSON) -> Int {
            switch value {
            case .string(let s): return s.utf8.count + 2
            case .array(let items): return items.reduce(2) { $0 + size($1) + 1 }
            case .object(let members): return members.reduce(2) { $0 + $1.key.utf8.count + size($1.value) + 4 }
            default: return 8
            }
        }
        return 512 + size(content) + buffers.reduce(0) { $0 + $1.count }
    }
}

import Foundation

/// Why a connection file cannot be used.
public enum ConnectionError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidJSON(String)
    case missingField(String)
    case invalidField(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read connection file \(path): \(reason)"
        case .invalidJSON(let reason): return "connection file is not valid JSON: \(reason)"
        case .missingField(let name): return "connection file lacks \"\(name)\""
        case .invalidField(let name, let reason): return "connection file field \"\(name)\" \(reason)"
        }
    }
}

/// The five Jupyter channels.
public enum Channel: String, CaseIterable, Sendable {
    case shell, iopub, stdin, control, heartbeat = "hb"
}

/// The contents of a kernel connection file (written by jupyter_client).
///
///     let info = try ConnectionInfo(contentsOf: "/tmp/kernel-1.json")
///     info.endpoint(.shell)   // "tcp://127.0.0.1:53794"
public struct ConnectionInfo: Equatable, Sendable {
    /// "tcp" or "ipc".
    public var transport: String
    /// The address (tcp) or path prefix (ipc).
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var heartbeatPort: Int
    /// The HMAC key (UTF-8); "" means unsigned messages.
    public var key: String
    /// "hmac-sha256" (the only scheme supported).
    public var signatureScheme: String
    public var kernelName: String?
    /// CurveZMQ server keys (Z85, 40 characters each) when the client asks for encryption.
    public var curvePublicKey: String?
    public var curveSecretKey: String?

    /// Reads and validates the connection file at `path`.
    /// - Throws: `ConnectionError` naming the unreadable file or the missing or invalid field.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConnectionError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(json: data)
    }

    /// Parses connection-file JSON.
    /// - Throws: `ConnectionError` for invalid JSON or a missing or invalid field.
    public init(json data: Data) throws {
        let value: JSON
        do { value = try JSON.parse(data) } catch { throw ConnectionError.invalidJSON("\(error)") }
        guard case .object(let fields) = value else { throw ConnectionError.invalidJSON("the top level is not an object") }

        func string(_ name: String, default fallback: String? = nil) throws -> String {
            guard let field = fields[name] else {
                if let fallback { return fallback }
                throw ConnectionError.missingField(name)
            }
            guard let s = field.stringValue else { throw ConnectionError.invalidField(name, "is not a string") }
            return s
        }
        func port(_ name: String) throws -> Int {
            guard let field = fields[name] else { throw ConnectionError.missingField(name) }
            guard let p = field.intValue, (0...65535).contains(p) else {
                throw ConnectionError.invalidField(name, "is not a port number (0-65535)")
            }
            return p
        }

        transport = try string("transport", default: "tcp")
        guard transport == "tcp" || transport == "ipc" else {
            throw ConnectionError.invalidField("transport", "must be \"tcp\" or \"ipc\", not \"\(transport)\"")
        }
        ip = try string("ip", default: transport == "tcp" ? "127.0.0.1" : "kernel-ipc")
        shellPort = try port("shell_port")
        iopubPort = try port("iopub_port")
        stdinPort = try port("stdin_port")
        controlPort = try port("control_port")
        heartbeatPort = try port("hb_port")
        key = try string("key", default: "")
        signatureScheme = try string("signature_scheme", default: "hmac-sha256")
        if !key.isEmpty && signatureScheme != "hmac-sha256" {
            throw ConnectionError.invalidField("signature_scheme",
                                               "must be \"hmac-sha256\", not \"\(signatureScheme)\"")
        }
        kernelName = fields["kernel_name"]?.stringValue
        curvePublicKey = fields["curve_publickey"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        curveSecretKey = fields["curve_secretkey"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if (curvePublicKey == nil) != (curveSecretKey == nil) {
            throw ConnectionError.invalidField("curve_secretkey", "and curve_publickey must be given together")
        }
        for (name, k) in [("curve_publickey", curvePublicKey), ("curve_secretkey", curveSecretKey)] {
            if let k, k.utf8.count != 40 {
                throw ConnectionError.invalidField(name, "must be a 40-character Z85 key")
            }
        }
    }

    /// The port of `channel`.
    public func port(_ channel: Channel) -> Int {
        switch channel {
        case .shell: return shellPort
        case .iopub: return iopubPort
        case .stdin: return stdinPort
        case .control: return controlPort
        case .heartbeat: return heartbeatPort
        }
    }

    /// The ZeroMQ endpoint of `channel`: "tcp://ip:port", "tcp://[v6]:port" for an IPv6 address, or
    /// "ipc://ip-port" (jupyter_client's ipc naming).
    public func endpoint(_ channel: Channel) -> String {
        if transport == "ipc" { return "ipc://\(ip)-\(port(channel))" }
        return isIPv6 ? "tcp://[\(bareIP)]:\(port(channel))" : "tcp://\(ip):\(port(channel))"
    }

    /// The endpoints to bind for `channel`. libzmq binds interfaces and addresses, not host names, so
    /// "localhost" binds 127.0.0.1 and, where the host has IPv6, [::1] (optional: its failure is ignored).
    public func bindEndpoints(_ channel: Channel) -> [(endpoint: String, optional: Bool)] {
        guard transport == "tcp", ip.lowercased() == "localhost" else { return [(endpoint(channel), false)] }
        return [("tcp://127.0.0.1:\(port(channel))", false), ("tcp://[::1]:\(port(channel))", true)]
    }

    /// Whether the sockets need ZMQ_IPV6 (an IPv6 address, or "localhost", which may mean ::1).
    public var needsIPv6: Bool { transport == "tcp" && (isIPv6 || ip.lowercased() == "localhost") }

    /// An IPv6 address ("::1", "[::1]", "fe80::1%eth0").
    private var isIPv6: Bool { transport == "tcp" && ip.contains(":") }
    private var bareIP: String { ip.hasPrefix("[") && ip.hasSuffix("]") ? String(ip.dropFirst().dropLast()) : ip }

    /// Whether the sockets use CurveZMQ encryption.
    public var usesCurve: Bool { curveSecretKey != nil }
}

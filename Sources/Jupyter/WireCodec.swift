import Foundation

/// Why a multipart ZeroMQ message is not a valid Jupyter message.
public enum WireError: Error, Equatable, CustomStringConvertible {
    /// No `<IDS|MSG>` delimiter frame.
    case missingDelimiter
    /// Fewer than the signature and four JSON frames after the delimiter.
    case tooFewFrames(Int)
    /// The HMAC signature does not match (or is missing while a key is set).
    case badSignature
    /// A JSON frame (header, parent_header, metadata or content) does not parse.
    case invalidJSON(frame: String)

    public var description: String {
        switch self {
        case .missingDelimiter: return "no <IDS|MSG> delimiter frame"
        case .tooFewFrames(let n): return "expected a signature and 4 JSON frames after <IDS|MSG>, got \(n) frames"
        case .badSignature: return "invalid HMAC signature"
        case .invalidJSON(let frame): return "frame \(frame) is not valid JSON"
        }
    }
}

/// Encodes and decodes the Jupyter wire format:
/// `[identities..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers...]`.
///
///     let codec = WireCodec(signer: MessageSigner(key: key))
///     let message = try codec.decode(frames)       // verifies the signature first
///     let frames = codec.encode(reply)
public struct WireCodec: Sendable {
    /// The delimiter frame between identities and the signature.
    public static let delimiter = Data("<IDS|MSG>".utf8)
    public let signer: MessageSigner

    public init(signer: MessageSigner) {
        self.signer = signer
    }

    /// The frames of `message`, signed.
    public func encode(_ message: JupyterMessage) -> [Data] {
        let parts = [message.header.serialized(), message.parentHeader.serialized(),
                     message.metadata.serialized(), message.content.serialized()]
        let signature = Data(signer.signature(for: parts).utf8)
        return message.identities + [WireCodec.delimiter, signature] + parts + message.buffers
    }

    /// Parses frames into a message after checking the signature over the four JSON frames as received.
    ///
    /// - Throws: `WireError` for a missing delimiter, too few frames, a bad signature or invalid JSON.
    public func decode(_ frames: [Data]) throws -> JupyterMessage {
        guard let split = frames.firstIndex(of: WireCodec.delimiter) else { throw WireError.missingDelimiter }
        let rest = Array(frames[(split + 1)...])
        guard rest.count >= 5 else { throw WireError.tooFewFrames(rest.count) }
        let parts = Array(rest[1...4])
        guard signer.isValid(rest[0], for: parts) else { throw WireError.badSignature }
        let names = ["header", "parent_header", "metadata", "content"]
        var values = [JSON]()
        for (name, frame) in zip(names, parts) {
            guard let value = try? JSON.parse(frame) else { throw WireError.invalidJSON(frame: name) }
            values.append(value)
        }
        guard case .object = values[0] else { throw WireError.invalidJSON(frame: "header") }
        return JupyterMessage(identities: Array(frames[..<split]), header: values[0], parentHeader: values[1],
                              metadata: values[2], content: values[3], buffers: Array(rest.dropFirst(5)))
    }

    /// For frames that `decode` refused because a frame other than the header is not valid JSON: the request
    /// with its identities and header (everything else empty), so that it can be answered with an error.
    /// Checks the signature again; nil when the header is not readable either.
    public func requestHeader(_ frames: [Data]) -> JupyterMessage? {
        guard let split = frames.firstIndex(of: WireCodec.delimiter), frames.count >= split + 6,
              signer.isValid(frames[split + 1], for: Array(frames[(split + 2)...(split + 5)])),
              let header = try? JSON.parse(frames[split + 2]), case .object = header else { return nil }
        return JupyterMessage(identities: Array(frames[..<split]), header: header)
    }
}

import COpenSSL
import Foundation

/// Signs and verifies Jupyter messages with HMAC-SHA256 (the connection file's `signature_scheme`).
///
/// The signature is the lower-case hex HMAC of the header, parent header, metadata and content frames, in that
/// order, exactly as they travel. An empty key means no signing: signatures are empty and not checked.
///
///     let signer = MessageSigner(key: "secret")
///     let hex = signer.signature(for: frames)   // 64 hex digits
///     signer.isValid(hex, for: frames)           // true
public struct MessageSigner: Sendable {
    /// The key bytes (UTF-8 of the connection file's "key").
    public let key: [UInt8]

    /// A signer for `key`; the empty string disables signing.
    public init(key: String) {
        self.key = Array(key.utf8)
    }

    /// Whether messages are signed at all.
    public var isSigning: Bool { !key.isEmpty }

    /// The hex HMAC-SHA256 of the concatenated frames; "" when the key is empty.
    public func signature(for frames: [Data]) -> String {
        guard isSigning else { return "" }
        let digest = hmac(frames)
        return MessageSigner.hex(digest)
    }

    /// Checks `signature` (hex, as received) against the frames in constant time (OpenSSL's CRYPTO_memcmp).
    ///
    /// With an empty key every signature is accepted, as the protocol says.
    public func isValid(_ signature: Data, for frames: [Data]) -> Bool {
        guard isSigning else { return true }
        let expected = Array(MessageSigner.hex(hmac(frames)).utf8)
        guard signature.count == expected.count else { return false }
        let received = [UInt8](signature)
        return received.withUnsafeBytes { r in
            expected.withUnsafeBytes { e in
                CRYPTO_memcmp(r.baseAddress, e.baseAddress, e.count) == 0
            }
        }
    }

    private func hmac(_ frames: [Data]) -> [UInt8] {
        var joined = Data()
        joined.reserveCapacity(frames.reduce(0) { $0 + $1.count })
        for frame in frames { joined.append(frame) }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok = key.withUnsafeBytes { k in
            joined.withUnsafeBytes { d in
                out.withUnsafeMutableBytes { o in
                    HMAC(EVP_sha256(), k.baseAddress, Int32(k.count),
                         d.bindMemory(to: UInt8.self).baseAddress, d.count,
                         o.bindMemory(to: UInt8.self).baseAddress, &outLength) != nil
                }
            }
        }
        // HMAC with SHA-256 only fails on allocation failure; an empty digest then verifies nothing.
        return ok ? Array(out.prefix(Int(outLength))) : []
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var chars = [UInt8]()
        chars.reserveCapacity(bytes.count * 2)
        for b in bytes {
            chars.append(hexDigits[Int(b >> 4)])
            chars.append(hexDigits[Int(b & 0x0f)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}

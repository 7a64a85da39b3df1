import Foundation
import Jupyter
import XCTest

/// Signatures here were computed with Python's `hmac.new(key, b"".join(frames), hashlib.sha256).hexdigest()`.
final class WireCodecTests: XCTestCase {
    private let frames = [#"{"msg_id":"1","msg_type":"kernel_info_request"}"#, "{}", "{}", "{}"].map { Data($0.utf8) }

    func testSignatureMatchesPythonHMAC() {
        let signer = MessageSigner(key: "secret-key")
        XCTAssertEqual(signer.signature(for: frames),
                       "d24613c901272087168eb7a17b371d2f54d14044dca08737846f4baf86191b6a")
    }

    func testSignatureOfNonASCIIKeyAndFramesMatchesPythonHMAC() {
        let signer = MessageSigner(key: "clé-ü")
        let frames = [#"{"a":"é"}"#, #"{"b":1}"#, "{}", #"{"code":"print(1)"}"#].map { Data($0.utf8) }
        XCTAssertEqual(signer.signature(for: frames),
                       "91c2594056e44503d35d1fd206a768c46486470bdebbf8e18ac86c1574382c17")
    }

    func testEmptyKeyMeansNoSignatureAndAcceptsAny() {
        let signer = MessageSigner(key: "")
        XCTAssertEqual(signer.signature(for: frames), "")
        XCTAssertTrue(signer.isValid(Data("whatever".utf8), for: frames))
    }

    func testVerificationRejectsWrongKeyTruncatedAndTamperedSignatures() {
        let signer = MessageSigner(key: "secret-key")
        let good = Data("d24613c901272087168eb7a17b371d2f54d14044dca08737846f4baf86191b6a".utf8)
        XCTAssertTrue(signer.isValid(good, for: frames))
        XCTAssertFalse(signer.isValid(Data(MessageSigner(key: "other").signature(for: frames).utf8), for: frames))
        XCTAssertFalse(signer.isValid(good.dropLast(), for: frames))
        XCTAssertFalse(signer.isValid(Data(), for: frames))
        var tampered = [UInt8](good)
        tampered[10] = UInt8(ascii: "0") == tampered[10] ? UInt8(ascii: "1") : UInt8(ascii: "0")
        XCTAssertFalse(signer.isValid(Data(tampered), for: frames))
        var changedFrames = frames
        changedFrames[3] = Data(#"{"x":1}"#.utf8)
        XCTAssertFalse(signer.isValid(good, for: changedFrames))
    }

    func testDecodeSplitsIdentitiesAndVerifiesFramesAsReceived() throws {
        let codec = WireCodec(signer: MessageSigner(key: "secret-key"))
        // Frames with unusual spacing: the signature covers the bytes as received, not a re-serialisation.
        let parts = [#"{ "msg_id": "1", "msg_type": "kernel_info_request" }"#, "{}", "{}", #"{"a":  [1, 2.5]}"#]
            .map { Data($0.utf8) }
        let signature = Data(MessageSigner(key: "secret-key").signature(for: parts).utf8)
        let identities = [Data("id-1".utf8), Data([0, 1, 2])]
        let wire = identities + [WireCodec.delimiter, signature] + parts + [Data([9, 9])]
        let message = try codec.decode(wire)
        XCTAssertEqual(message.identities, identities)
        XCTAssertEqual(message.messageType, "kernel_info_request")
        XCTAssertEqual(message.content, ["a": [1, 2.5]])
        XCTAssertEqual(message.buffers, [Data([9, 9])])
    }

    func testDecodeErrorsNameTheProblem() {
        let codec = WireCodec(signer: MessageSigner(key: "k"))
        XCTAssertThrowsError(try codec.decode([Data("x".utf8)])) { XCTAssertEqual($0 as? WireError, .missingDelimiter) }
        XCTAssertThrowsError(try codec.decode([WireCodec.delimiter, Data()])) {
            XCTAssertEqual($0 as? WireError, .tooFewFrames(1))
        }
        XCTAssertThrowsError(try codec.decode([WireCodec.delimiter, Data("bad".utf8)] + frames)) {
            XCTAssertEqual($0 as? WireError, .badSignature)
        }
        let parts = ["{}", "{}", "{}", "not json"].map { Data($0.utf8) }
        let signature = Data(MessageSigner(key: "k").signature(for: parts).utf8)
        XCTAssertThrowsError(try codec.decode([WireCodec.delimiter, signature] + parts)) {
            XCTAssertEqual($0 as? WireError, .invalidJSON(frame: "content"))
            XCTAssertEqual("\($0)", "frame content is not valid JSON")
        }
    }

    func testEncodeThenDecodeRoundTrips() throws {
        let codec = WireCodec(signer: MessageSigner(key: "abc"))
        let header = JupyterMessage.makeHeader(type: "execute_reply", session: "s1")
        let message = JupyterMessage(identities: [Data("peer".utf8)], header: header,
                                     parentHeader: ["msg_id": "p"], content: ["status": "ok", "execution_count": 3,
                                                                              "text": "é\n\"q\"", "x": nil])
        let wire = codec.encode(message)
        XCTAssertEqual(wire[1], WireCodec.delimiter)
        XCTAssertEqual(wire[2].count, 64)
        let decoded = try codec.decode(wire)
        XCTAssertEqual(decoded.header, header)
        XCTAssertEqual(decoded.parentHeader, ["msg_id": "p"])
        XCTAssertEqual(decoded.content, message.content)
        XCTAssertEqual(decoded.identities, [Data("peer".utf8)])
    }

    func testHeadersCarryVersionAndZonedDate() {
        let header = JupyterMessage.makeHeader(type: "status", session: "s")
        XCTAssertEqual(header["version"], "5.4")
        let date = header["date"]?.stringValue ?? ""
        XCTAssertNotNil(date.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression), date)
    }
}

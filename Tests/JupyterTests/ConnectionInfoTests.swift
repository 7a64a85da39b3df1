import Foundation
import Jupyter
import XCTest

final class ConnectionInfoTests: XCTestCase {
    private func parse(_ text: String) throws -> ConnectionInfo { try ConnectionInfo(json: Data(text.utf8)) }

    private let tcp = """
    {"shell_port": 53794, "iopub_port": 53795, "stdin_port": 53796, "control_port": 53797, "hb_port": 53798,
     "ip": "127.0.0.1", "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84", "transport": "tcp",
     "signature_scheme": "hmac-sha256", "kernel_name": "rapideels"}
    """

    func testParsesTCPFileAsJupyterClientWritesIt() throws {
        let info = try parse(tcp)
        XCTAssertEqual(info.endpoint(.shell), "tcp://127.0.0.1:53794")
        XCTAssertEqual(info.endpoint(.iopub), "tcp://127.0.0.1:53795")
        XCTAssertEqual(info.endpoint(.stdin), "tcp://127.0.0.1:53796")
        XCTAssertEqual(info.endpoint(.control), "tcp://127.0.0.1:53797")
        XCTAssertEqual(info.endpoint(.heartbeat), "tcp://127.0.0.1:53798")
        XCTAssertEqual(info.key, "a0436f6c-1916-498b-8eb9-e81ab9368e84")
        XCTAssertEqual(info.kernelName, "rapideels")
        XCTAssertFalse(info.usesCurve)
    }

    func testIPCEndpointsFollowJupyterClientNaming() throws {
        let info = try parse(tcp.replacingOccurrences(of: #""tcp""#, with: #""ipc""#)
            .replacingOccurrences(of: "127.0.0.1", with: "/tmp/kernel-x"))
        XCTAssertEqual(info.endpoint(.control), "ipc:///tmp/kernel-x-53797")
    }

    func testCurveKeysAreRead() throws {
        let pub = String(repeating: "P", count: 40), sec = String(repeating: "S", count: 40)
        let info = try parse(tcp.replacingOccurrences(of: "{", with: #"{"curve_publickey": "\#(pub)", "curve_secretkey": "\#(sec)", "#))
        XCTAssertTrue(info.usesCurve)
        XCTAssertEqual(info.curveSecretKey, sec)
        XCTAssertEqual(info.curvePublicKey, pub)
    }

    func testErrorsNameTheField() {
        let cases: [(String, String)] = [
            ("[1]", "connection file is not valid JSON: the top level is not an object"),
            (tcp.replacingOccurrences(of: #""hb_port": 53798,"#, with: ""), #"connection file lacks "hb_port""#),
            (tcp.replacingOccurrences(of: "53794", with: "70000"),
             #"connection file field "shell_port" is not a port number (0-65535)"#),
            (tcp.replacingOccurrences(of: #""tcp""#, with: #""udp""#),
             #"connection file field "transport" must be "tcp" or "ipc", not "udp""#),
            (tcp.replacingOccurrences(of: "hmac-sha256", with: "hmac-md5"),
             #"connection file field "signature_scheme" must be "hmac-sha256", not "hmac-md5""#),
            (tcp.replacingOccurrences(of: "{", with: #"{"curve_secretkey": "short", "curve_publickey": "short", "#),
             #"connection file field "curve_publickey" must be a 40-character Z85 key"#),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try parse(text)) { XCTAssertEqual("\($0)", message) }
        }
        XCTAssertThrowsError(try ConnectionInfo(contentsOf: "/nonexistent/kernel.json")) {
            XCTAssertTrue("\($0)".hasPrefix("cannot read connection file /nonexistent/kernel.json"), "\($0)")
        }
    }
}

// protocol-probe-kernel: the Jupyter module serving `ProtocolProbe`, a test double for the language, so that
// integration/test_execution.py can drive interrupts, streaming, native output capture and stdin without the
// cell language. Built for the tests only (`make integration-test`); never installed.
//
//   protocol-probe-kernel --connection-file FILE
import Foundation
import Jupyter

let arguments = CommandLine.arguments
guard let flag = arguments.firstIndex(of: "--connection-file"), flag + 1 < arguments.count else {
    FileHandle.standardError.write(Data("usage: protocol-probe-kernel --connection-file FILE\n".utf8))
    exit(2)
}
do {
    let kernel = try ZeroMQKernel(connection: try ConnectionInfo(contentsOf: arguments[flag + 1]))
    let info = KernelInfo(implementation: "protocol-probe", implementationVersion: "0", languageName: "probe",
                          languageVersion: "0", mimetype: "text/plain", fileExtension: ".txt",
                          codemirrorMode: "text", pygmentsLexer: "text", banner: "protocol probe (a test double)")
    kernel.serve(interpreter: ProtocolProbe(), info: info)
} catch {
    FileHandle.standardError.write(Data("protocol-probe-kernel: \(error)\n".utf8))
    exit(1)
}

import ArgumentParser
import Foundation
import Jupyter
import Script
import ScriptLanguage

/// `rapideels-kernel`: the RapidEELS Jupyter kernel, its installer and a headless script runner.
struct RapidEELSKernel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapideels-kernel",
        abstract: "The RapidEELS Jupyter kernel (RapidEELS Script, Swift syntax).",
        subcommands: [Serve.self, Install.self, RunScript.self, SimulateMn.self, SimulateAcquisition.self, Version.self],
        defaultSubcommand: Serve.self
    )
}

/// The kernel's version, shown by `version` and in kernel_info.
enum KernelVersion {
    static let string = "0.1.0"
    /// The RapidEELS Script language version reported in language_info.
    static let language = "0.1.0"
}

/// `rapideels-kernel --connection-file F` (or `rapideels-kernel F`): serves one Jupyter session.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve a Jupyter session described by a connection file.")

    @Option(name: .customLong("connection-file"), help: "The connection file written by jupyter_client.")
    var connectionFileOption: String?

    @Argument(help: "The connection file (instead of --connection-file).")
    var connectionFile: String?

    func validate() throws {
        if connectionFileOption == nil && connectionFile == nil {
            throw ValidationError("give the connection file: rapideels-kernel --connection-file FILE")
        }
        if connectionFileOption != nil && connectionFile != nil {
            throw ValidationError("give the connection file once, either positionally or with --connection-file")
        }
    }

    func run() throws {
        let path = connectionFileOption ?? connectionFile ?? ""
        let connection = try ConnectionInfo(contentsOf: path)
        if connection.usesCurve && !ZeroMQKernel.supportsCurve {
            throw ValidationError("the connection file asks for CurveZMQ but this libzmq was built without it")
        }
        let kernel = try ZeroMQKernel(connection: connection)
        let info = ScriptKernelInterpreter.kernelInfo(version: KernelVersion.string)
        kernel.serve(interpreter: ScriptKernelInterpreter(), info: info)
    }
}

/// `rapideels-kernel version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the kernel and protocol versions.")

    func run() {
        print("rapideels-kernel \(KernelVersion.string) (RapidEELS Script \(KernelVersion.language), "
              + "Jupyter protocol \(JupyterProtocol.version))")
    }
}

RapidEELSKernel.main()

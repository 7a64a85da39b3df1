import ArgumentParser
import Foundation

/// `rapideels-kernel install [--user | --sys-prefix | --prefix P] [--name N]`: writes the kernelspec.
struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install the kernelspec (kernel.json and logos) so that Jupyter offers \"RapidEELS (Swift)\".")

    @Flag(help: "Install for the current user (the default).")
    var user = false

    @Flag(name: .customLong("sys-prefix"), help: "Install into the active Python environment (sys.prefix).")
    var sysPrefix = false

    @Option(help: "Install under PREFIX/share/jupyter/kernels.")
    var prefix: String?

    @Option(help: "The kernelspec name.")
    var name = "rapideels"

    func validate() throws {
        let chosen = [user, sysPrefix, prefix != nil].filter { $0 }.count
        if chosen > 1 { throw ValidationError("choose one of --user, --sys-prefix and --prefix") }
        if name.isEmpty || name.contains("/") || name.contains(" ") {
            throw ValidationError("--name must be a non-empty name without '/' or spaces, not \"\(name)\"")
        }
    }

    func run() throws {
        let kernels = try kernelsFolder()
        let folder = kernels.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let spec: [String: Any] = [
            "argv": [Install.executablePath(), "--connection-file", "{connection_file}"],
            "display_name": "RapidEELS (Swift)",
            "language": "swift",
            "interrupt_mode": "message",
            "metadata": ["supported_encryption": ["curve"]],
        ]
        let json = try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try json.write(to: folder.appendingPathComponent("kernel.json"))
        for (file, data) in KernelspecFiles.logos {
            try data.write(to: folder.appendingPathComponent(file))
        }
        print("installed kernelspec \(name) in \(folder.path)")
    }

    /// The folder that holds kernelspecs for the chosen scope.
    private func kernelsFolder() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let prefix {
            return URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter/kernels")
        }
        if sysPrefix {
            guard let base = environment["VIRTUAL_ENV"] ?? environment["CONDA_PREFIX"] ?? Install.pythonPrefix() else {
                throw ValidationError("--sys-prefix: no active Python environment (VIRTUAL_ENV) and no python3 found")
            }
            return URL(fileURLWithPath: base).appendingPathComponent("share/jupyter/kernels")
        }
        if let data = environment["JUPYTER_DATA_DIR"] {
            return URL(fileURLWithPath: data).appendingPathComponent("kernels")
        }
        #if os(macOS)
        let base = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent("Library/Jupyter")
        #else
        let xdg = environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
        let base = xdg.appendingPathComponent("jupyter")
        #endif
        return base.appendingPathComponent("kernels")
    }

    /// The absolute path of the running binary (what kernel.json's argv must start with).
    static func executablePath() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        let argument = CommandLine.arguments[0]
        return URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// sys.prefix of `python3`, when there is one.
    private static func pythonPrefix() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys; print(sys.prefix)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let prefix = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return prefix.isEmpty ? nil : prefix
    }
}

import ArgumentParser
import Foundation
import Script

/// `rapideels-kernel run FILE`: executes a script headless, printing its outputs; exit code 1 on error.
struct RunScript: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Execute a RapidEELS Script file and print its outputs.")

    @Argument(help: "The script file (.swift).")
    var file: String

    func run() throws {
        let code: String
        do {
            code = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(file): \((error as NSError).localizedDescription)")
        }
        // Cells may recurse deeply: run on a thread with the executor's stack size, not the 8 MiB main thread.
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let interpreter = Interpreter(output: TerminalOutput())
            DisplayCommands.install(in: interpreter)
            box.result = interpreter.execute(code)
            done.signal()
        }
        thread.stackSize = 256 << 20
        thread.start()
        done.wait()
        switch box.result {
        case .success(let bundle):
            if let text = bundle?["text/plain"] { print(text) }
        case .failure(let error):
            FileHandle.standardError.write(Data((error.traceback.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

/// Script output on a terminal: streams as they are, displays as their text/plain.
final class TerminalOutput: ScriptOutput {
    func stream(_ name: StreamName, _ text: String) {
        let handle = name == .stdout ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }

    func display(_ bundle: [String: String], displayID: String?, update: Bool) {
        if let text = bundle["text/plain"] { print(text) }
    }

    func clearOutput(wait: Bool) {}

    func readLine(prompt: String, password: Bool) -> String? {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        return Swift.readLine()
    }
}

/// Carries the script's result from its thread back to `run` (written once before the semaphore signals).
private final class ResultBox: @unchecked Sendable {
    var result: ExecutionResult = .success(nil)
}

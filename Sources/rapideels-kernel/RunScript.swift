import ArgumentParser
import Foundation
import Script
import ScriptLanguage

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
        // Cells may recurse deeply: one thread with the stack the interpreter needs, not the 8 MiB main thread.
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let output = TerminalOutput()
            box.output = output
            let interpreter = Interpreter.rapidEELS(output: output)
            box.result = interpreter.execute(code)
            done.signal()
        }
        thread.stackSize = Interpreter.requiredStackSize
        thread.start()
        done.wait()
        box.output?.flushPendingUpdates()
        switch box.result {
        case .success(let bundle):
            if let text = bundle?["text/plain"] { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
        case .failure(let error):
            var text = error.traceback.joined(separator: "\n")
            // The traceback's colours are for Jupyter and terminals; a log file or a pipe gets plain text.
            if isatty(STDERR_FILENO) == 0 {
                text = text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
            }
            FileHandle.standardError.write(Data((text + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

/// Script output on a terminal: streams as they are, displays as their text/plain. An updating display (live
/// training progress) prints at most one line every `updateInterval` seconds, plus its final state.
final class TerminalOutput: ScriptOutput {
    /// Seconds between printed updates of one display.
    let updateInterval: TimeInterval
    private var lastPrinted: [String: Date] = [:]
    private var pending: [String: String] = [:]

    init(updateInterval: TimeInterval = 10) { self.updateInterval = updateInterval }

    func stream(_ name: StreamName, _ text: String) {
        flushPendingUpdates()
        let handle = name == .stdout ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }

    func display(_ bundle: DisplayBundle, displayID: String?, update: Bool) {
        guard let text = bundle["text/plain"] else { return }
        guard let displayID else {
            flushPendingUpdates()
            writeLine(text)
            return
        }
        let now = Date()
        if let last = lastPrinted[displayID], now.timeIntervalSince(last) < updateInterval {
            pending[displayID] = text
            return
        }
        pending[displayID] = nil
        lastPrinted[displayID] = now
        writeLine(text)
    }

    /// Prints the newest unprinted state of every updating display.
    func flushPendingUpdates() {
        for (id, text) in pending.sorted(by: { $0.key < $1.key }) {
            writeLine(text)
            lastPrinted[id] = Date()
        }
        pending.removeAll()
    }

    private func writeLine(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

    func clearOutput(wait: Bool) {}

    func readLine(prompt: String, password: Bool) -> String? {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        return Swift.readLine()
    }
}

/// Carries the script's result from its thread back to `run` (written once before the semaphore signals).
private final class ResultBox: @unchecked Sendable {
    var result: ExecutionResult = .success(nil)
    var output: TerminalOutput?
}

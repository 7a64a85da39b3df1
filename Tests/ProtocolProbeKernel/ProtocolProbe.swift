import Foundation
import Jupyter

/// A test double for the protocol layer, served by `protocol-probe-kernel`: each cell line is one probe
/// instruction, so that integration tests can exercise interrupts, busy heartbeats, streaming, native output
/// capture and stdin without depending on the cell language. It is not a language and users never see it.
///
///     say TEXT      stream TEXT on stdout        native TEXT   write TEXT to file descriptor 1 (dup2 capture)
///     warn TEXT     stream TEXT on stderr        ask PROMPT    input_request, then say what came back
///     spin SECONDS  busy loop (0 = forever) that stops on interrupt with an Interrupted error
///     set K=V / get K   keep / show a value      fail TEXT     a ValueError
final class ProtocolProbe: KernelInterpreter, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]

    func execute(_ code: String, output: CellOutput, cancellation: CancellationToken) -> ExecuteOutcome {
        var result: DisplayBundle?
        for line in code.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let argument = parts.count > 1 ? parts[1] : ""
            switch parts.first ?? "" {
            case "say": output.stream(.stdout, argument + "\n")
            case "warn": output.stream(.stderr, argument + "\n")
            case "native":
                fputs(argument + "\n", stdout)
                fflush(stdout)
            case "ask": output.stream(.stdout, "got \(output.readLine(prompt: argument) ?? "<no input>")\n")
            case "set":
                let kv = argument.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { return failure("ValueError", "set needs K=V") }
                lock.lock(); values[kv[0]] = kv[1]; lock.unlock()
            case "get":
                lock.lock(); let value = values[argument]; lock.unlock()
                guard let value else { return failure("NameError", "no value '\(argument)'") }
                result = ["text/plain": value]
            case "spin":
                let seconds = Double(argument) ?? 0
                let start = Date()
                var counter = 0
                while seconds == 0 || Date().timeIntervalSince(start) < seconds {
                    counter &+= 1
                    if counter % 1024 == 0 && cancellation.isCancelled { return failure("Interrupted", "interrupted by the user") }
                }
            case "fail": return failure("ValueError", argument)
            case "": continue
            default: return failure("SyntaxError", "unknown probe instruction '\(parts[0])'")
            }
        }
        return .success(result)
    }

    private func failure(_ name: String, _ message: String) -> ExecuteOutcome {
        .failure(ename: name, evalue: message, traceback: ["\(name): \(message)"])
    }

    func evaluate(expression: String, cancellation: CancellationToken) -> ExecuteOutcome {
        lock.lock(); let value = values[expression]; lock.unlock()
        return value.map { .success(["text/plain": $0]) } ?? failure("NameError", "no value '\(expression)'")
    }

    func complete(_ code: String, cursor: Int) -> CompletionResult {
        let words = ["say", "warn", "native", "ask", "set", "get", "spin", "fail"]
        let prefix = String(String.UnicodeScalarView(code.unicodeScalars.prefix(cursor)))
        let word = prefix.split(separator: " ").last.map(String.init) ?? ""
        return CompletionResult(matches: words.filter { $0.hasPrefix(word) }, cursorStart: cursor - word.count,
                                cursorEnd: cursor)
    }

    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> DisplayBundle? { nil }
    func isComplete(_ code: String) -> CompletenessResult { .complete }
}

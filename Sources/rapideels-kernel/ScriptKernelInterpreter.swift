import Foundation
import Jupyter
import Script

// TEMPORARY until `Script.Interpreter` lands on main: the kernel serves the protocol, and every cell answers
// with an error saying the language is missing. Replaced by the adapter over Script.Interpreter.
final class ScriptKernelInterpreter: KernelInterpreter {
    static func kernelInfo(version: String) -> KernelInfo {
        KernelInfo(implementation: "rapideels", implementationVersion: version, languageName: "swift",
                   languageVersion: ScriptInfo.languageVersion, mimetype: "text/x-swift", fileExtension: ".swift",
                   codemirrorMode: "swift", pygmentsLexer: "swift", banner: "RapidEELS Script",
                   helpLinks: [])
    }

    private static let missing = ExecuteOutcome.failure(
        ename: "NotAvailable", evalue: "the RapidEELS Script interpreter is not built into this kernel yet",
        traceback: ["NotAvailable: the RapidEELS Script interpreter is not built into this kernel yet"])

    func execute(_ code: String, output: CellOutput) -> ExecuteOutcome { Self.missing }
    func evaluate(expression: String) -> ExecuteOutcome { Self.missing }
    func complete(_ code: String, cursor: Int) -> CompletionResult {
        CompletionResult(matches: [], cursorStart: cursor, cursorEnd: cursor)
    }
    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> DisplayBundle? { nil }
    func isComplete(_ code: String) -> CompletenessResult { .unknown }
    func interrupt() {}
}

import ArgumentParser

struct RunScript: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Execute a RapidEELS Script file.")
    @Argument var file: String
    func run() throws { throw ValidationError("the RapidEELS Script interpreter is not built into this kernel yet") }
}

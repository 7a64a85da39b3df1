import RapidEELS
import Script
import ScriptLanguage

/// Collects everything a cell writes, for tests.
final class OutputCapture: ScriptOutput {
    var stdout = ""
    var stderr = ""
    var displays: [(DisplayBundle, String?, Bool)] = []
    var cleared = 0
    var inputs: [String] = []

    func stream(_ name: StreamName, _ text: String) {
        if name == .stdout { stdout += text } else { stderr += text }
    }
    func display(_ bundle: DisplayBundle, displayID: String?, update: Bool) { displays.append((bundle, displayID, update)) }
    func clearOutput(wait: Bool) { cleared += 1 }
    func readLine(prompt: String, password: Bool) -> String? { inputs.isEmpty ? nil : inputs.removeFirst() }
}

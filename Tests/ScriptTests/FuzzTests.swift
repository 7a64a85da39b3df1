import Foundation
import Script
import ScriptLanguage
import XCTest

/// A seeded random-program fuzzer for the lexer, parser and evaluator: programs are built from the golden cases'
/// fragments, random tokens and mutations (cut, splice, duplicate, byte flips). Every input must return a result or
/// a ScriptError within one second; a crash fails the whole run. `SCRIPT_FUZZ_ITERATIONS` sets the count
/// (CI runs a short version; the README gives the 10^6 command).
final class FuzzTests: XCTestCase {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let tokens = ["let", "var", "func", "if", "else", "for", "in", "while", "return", "break", "{", "}", "(",
                         ")", "[", "]", ",", ":", ";", "\n", "+", "-", "*", "/", "%", "==", "<", "...", "..<", "&&",
                         "||", "!", "?", "=", "+=", ".", "$0", "x", "y", "f", "0", "1", "2.5", "\"s\"", "\"\\(x)\"",
                         "true", "nil", "print", "map", "count", "[1, 2]", "{ $0 }", "1...3", "%who", "//", "/*", "*/",
                         "struct", "try", "import", "sum()", "9223372036854775807", "abs", "é", "\"\"\""]

    /// The RapidEELS data and model commands take seconds by design and are tested on their own (RapidEELSTests and
    /// the notebooks); the fuzzer leaves out programs that name them, so that every input has a 1 s budget.
    static let heavyCommands = ["load", "simulatePaperDataset", "groundTruth", "modelInput", "autoencoder", "train",
                                "denoise", "classify", "pca", "fit", "tsne", "dataset", "writeSimulatedMnExperiment",
                                "crossValidate", "driftMap", "watch", "startAcquisition"]

    static func callsHeavyCommand(_ program: String) -> Bool {
        heavyCommands.contains { program.contains($0) }
    }

    func testHeavyCommandFilter() {
        XCTAssertTrue(Self.callsHeavyCommand("let d = simulatePaperDataset()"))
        XCTAssertTrue(Self.callsHeavyCommand("trainClassifier(m, on: d)"))
        XCTAssertFalse(Self.callsHeavyCommand("let x = [1, 2].map { $0 * 2 }"))
    }

    func testRandomProgramsNeverCrashOrHang() {
        let iterations = Int(ProcessInfo.processInfo.environment["SCRIPT_FUZZ_ITERATIONS"] ?? "") ?? 3_000
        var rng = Generator(state: 20211125)
        let corpus = valueCases.map { $0.0 } + errorCases.map { $0.0 }
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        var slowest = 0.0, failures = 0
        for i in 0..<iterations {
            var program = ""
            repeat { program = Self.randomProgram(&rng, corpus) } while Self.callsHeavyCommand(program)
            // loops that would never end are the interrupt's job, not the fuzzer's: bound them
            if program.contains("while") { program = "var guardCount = 0\n" + program }
            let start = Date()
            let stop = Cancellation()
            let timer = DispatchWorkItem { stop.request() }
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.4, execute: timer)
            if case .failure = interpreter.execute(program, cancellation: stop) { failures += 1 }
            timer.cancel()
            _ = interpreter.complete(program, cursor: rng.below(program.unicodeScalars.count + 1))
            _ = interpreter.isComplete(program)
            let seconds = Date().timeIntervalSince(start)
            slowest = max(slowest, seconds)
            XCTAssertLessThan(seconds, 1.0, "input \(i) took \(seconds) s:\n\(program)")
            if i % 500 == 0 { _ = interpreter.execute("%reset") }
        }
        print("language fuzz: \(iterations) inputs, \(failures) errors reported, slowest \(slowest) s")
    }

    /// One input: random tokens, a splice of two corpus cells, byte flips of a cell, or a cell plus a token.
    static func randomProgram(_ rng: inout Generator, _ corpus: [String]) -> String {
        switch rng.below(4) {
        case 0:
            return (0..<(1 + rng.below(25))).map { _ in Self.tokens[rng.below(Self.tokens.count)] }
                .joined(separator: rng.below(2) == 0 ? " " : "")
        case 1:
            let a = Array(corpus[rng.below(corpus.count)].unicodeScalars)
            let b = Array(corpus[rng.below(corpus.count)].unicodeScalars)
            let cut = rng.below(a.count + 1), from = rng.below(b.count + 1)
            return String(String.UnicodeScalarView(a[..<cut] + b[from...]))
        case 2:
            var bytes = Array(corpus[rng.below(corpus.count)].utf8)
            for _ in 0..<(1 + rng.below(3)) where !bytes.isEmpty {
                bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
            }
            return String(decoding: bytes, as: UTF8.self)
        default:
            return corpus[rng.below(corpus.count)] + "\n" + Self.tokens[rng.below(Self.tokens.count)]
        }
    }
}

import Foundation
import Script
import ScriptLanguage
import XCTest

/// Command parameters are declared once, with their type and default: the signature and help show the declared
/// default, a body reads its arguments by name and gets that default, a wrong type names the label, and a body that
/// reads a name its declaration lacks fails loudly. A source scan checks every command's reads against its
/// declaration, so a typo fails here even on a path no other test runs.
final class CommandParameterTests: XCTestCase {
    /// An interpreter with a test command `fit2` declared with one parameter of each kind; `body` reads them.
    func interpreter(_ body: @escaping (Arguments, CallContext) throws -> Value) -> Interpreter {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        interpreter.registry.register(Command(name: "fit2", parameters: [
            .double("_ x", doc: "the data"), .int("epochs", default: 500), .double("rate", default: 0.25),
            .bool("verbose", default: false), .string("title", default: "t-SNE"),
            .symbol("background", type: "Background", allowed: ["linear", "powerLaw"], default: "linear"),
            .ints("window", default: [1, 1]), .range("span", default: 530...545), .seed(),
            .int("components", dynamic: "all"),
        ], returns: "Double", doc: "A test command.", body))
        return interpreter
    }

    func run(_ interpreter: Interpreter, _ code: String) -> Result<String, ScriptError> {
        switch interpreter.execute(code) {
        case .success(let bundle): return .success(bundle?["text/plain"] ?? "")
        case .failure(let error): return .failure(error)
        }
    }

    func testTheSignatureShowsEachDeclaredDefault() {
        let command = interpreter { _, _ in .none }.registry["fit2"]!
        XCTAssertEqual(command.signature, "fit2(_: Double, epochs: Int = 500, rate: Double = 0.25, "
            + "verbose: Bool = false, title: String = \"t-SNE\", background: Background = .linear, "
            + "window: [Int] = [1, 1], span: ClosedRange<Double> = 530...545, seed: Int = %seed, "
            + "components: Int = all) -> Double")
        XCTAssertTrue(command.helpText.contains("  _: the data"), command.helpText)
    }

    func testHelpOfARealCommandShowsItsDeclaredDefaults() throws {
        let output = OutputCapture()
        let interpreter = Interpreter.rapidEELS(output: output)
        _ = interpreter.execute("help(train)")
        XCTAssertTrue(output.stdout.hasPrefix("train(_: Autoencoder, on: Dataset, epochs: Int = 500, batchSize: Int = "
            + "512, noise: Noise = .resampled, seed: Int = %seed, validation: Double = 0, checkpoint: String = none) -> "
            + "TrainingHistory"),
            output.stdout)
        let tsne = try XCTUnwrap(interpreter.registry["tsne"])
        XCTAssertTrue(tsne.signature.contains("title: String = \"t-SNE\", method: Method = paperMethod()"),
                      tsne.signature)
    }

    func testAnOmittedArgumentTakesTheDeclaredDefault() {
        let i = interpreter { args, ctx in
            .string("\(try args.int("epochs")) \(try args.double("rate")) \(try args.bool("verbose")) "
                + "\(try args.string("title")) \(try args.symbol("background")) \(try args.ints("window")) "
                + "\(try args.range("span")) \(try args.seed(ctx)) \(try args.int("components", dynamic: 7))")
        }
        XCTAssertEqual(try run(i, "fit2(1)").get(), "\"500 0.25 false t-SNE linear [1, 1] 530.0...545.0 0 7\"")
        _ = i.execute("%seed 42")
        XCTAssertEqual(try run(i, "fit2(1, epochs: 3, rate: 1, verbose: true, title: \"a\", background: .powerLaw, "
            + "window: [3, 9], span: 1...2, components: 2)").get(), "\"3 1.0 true a powerLaw [3, 9] 1.0...2.0 42 2\"")
    }

    func testAWrongTypeNamesTheLabel() {
        let i = interpreter { args, _ in .int(try args.int("epochs")) }
        guard case .failure(let error) = run(i, "fit2(1, epochs: \"many\")") else { return XCTFail("should fail") }
        XCTAssertEqual(error.kind, "TypeError")
        XCTAssertEqual(error.message, "fit2: 'epochs:' must be an Int, not String")
        // A real command: load's column.
        guard case .failure(let load) = Interpreter.rapidEELS(output: OutputCapture()).execute("load(\"x.dm4\", column: \"2\")")
        else { return XCTFail("should fail") }
        XCTAssertEqual(load.message, "load: 'column:' must be an Int, not String")
    }

    func testReadingAnUndeclaredNameFailsLoudlyEvenWhenTheArgumentIsGiven() {
        let typo = interpreter { args, _ in .int(try args.int("epoch")) }
        guard case .failure(let error) = run(typo, "fit2(1, epochs: 3)") else { return XCTFail("should fail") }
        XCTAssertEqual(error.kind, "RuntimeError")
        XCTAssertTrue(error.message.hasPrefix("internal error: fit2 reads an argument 'epoch' that it does not "
            + "declare"), error.message)
        let wrongKind = interpreter { args, _ in .double(try args.double("epochs")) }
        guard case .failure(let kind) = run(wrongKind, "fit2(1, epochs: 3)") else { return XCTFail("should fail") }
        XCTAssertEqual(kind.message, "internal error: fit2 reads 'epochs' with double() but declares it Int")
        let wrongName = interpreter { args, _ in throw args.wrong("epoch", "an Int", .none) }
        guard case .failure(let report) = run(wrongName, "fit2(1)") else { return XCTFail("should fail") }
        XCTAssertEqual(report.message, "internal error: fit2 reports a wrong type for an argument 'epoch' that it "
            + "does not declare")
    }

    func testADynamicDefaultMustBeSuppliedAndAStaticOneMustNot() {
        let unsupplied = interpreter { args, _ in .int(try args.int("components")) }
        guard case .failure(let missing) = run(unsupplied, "fit2(1)") else { return XCTFail("should fail") }
        XCTAssertEqual(missing.message, "internal error: fit2 reads 'components' without supplying its default (all)")
        let duplicated = interpreter { args, _ in .int(try args.int("epochs", dynamic: 500)) }
        guard case .failure(let twice) = run(duplicated, "fit2(1, epochs: 3)") else { return XCTFail("should fail") }
        XCTAssertEqual(twice.message, "internal error: fit2 supplies a dynamic default for 'epochs', which declares "
            + "the default 500")
    }

    func testEveryRegisteredCommandDeclaresEachNameOnce() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        for name in interpreter.registry.order {
            let names = interpreter.registry[name]!.parameters.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "\(name) declares a name twice: \(names)")
        }
    }

    /// Every `args.int("name")` (and the other readers) inside a `Command(...)` of the sources reads a name that
    /// command declares; so does a function taking `args` that one command calls (`watchCommand(args, ctx)`).
    /// Reads through a variable name are checked when they run (the tests above).
    func testEveryLiteralReadInTheSourcesIsDeclaredByItsCommand() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources")
            .standardized
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let kinds = "int|double|bool|string|doubles|ints|range|symbol|object|value"
        let declared = try NSRegularExpression(pattern: #"(?<!args)\.(\#(kinds)|seed)\(\s*"(?:_ )?([A-Za-z0-9]+)""#)
        let read = try NSRegularExpression(pattern: #"(?:args\.(?:\#(kinds)|given|has|wrong)\(|\bargs, )"([A-Za-z0-9]+)""#)
        let helpers = ["methodParameter(": "method", ".seed()": "seed", "backgroundModelParameter()": "model"]
        func matches(_ regex: NSRegularExpression, _ text: String, group: Int) -> [String] {
            regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                String(text[Range($0.range(at: group), in: text)!])
            }
        }
        var checked = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            // One chunk per command declaration or function: to the next one, or to a member at file or type level.
            var chunks: [(line: Int, function: String?, text: String)] = []
            for (n, line) in text.components(separatedBy: "\n").enumerated() {
                if line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }  // doc examples
                if line.contains("Command(name:") || line.hasSuffix("Command(") {
                    chunks.append((n + 1, nil, line + "\n"))
                } else if let range = line.range(of: #"^ {0,4}(static |private |public |fileprivate )*(func|var|let|init)\b"#,
                                                  options: .regularExpression) {
                    let name = line[range.upperBound...].split(whereSeparator: { !$0.isLetter && !$0.isNumber }).first
                    chunks.append((n + 1, name.map(String.init) ?? "", ""))
                } else if !chunks.isEmpty {
                    chunks[chunks.count - 1].text += line + "\n"
                }
            }
            func declaredNames(_ chunk: String) -> Set<String> {
                var names = Set(matches(declared, chunk, group: 2))
                for (helper, name) in helpers where chunk.contains(helper) { names.insert(name) }
                return names
            }
            for chunk in chunks {
                let reads = matches(read, chunk.text, group: 1)
                if reads.isEmpty { continue }
                var names: Set<String>
                if let function = chunk.function {
                    // A function reading literal names serves the one command that calls it with its arguments.
                    let callers = chunks.filter { $0.function == nil && $0.text.contains(function + "(args") }
                    guard callers.count == 1 else {
                        XCTFail("\(file.lastPathComponent):\(chunk.line): \(function) reads \(reads) but is called by "
                            + "\(callers.count) commands; read names inside the command")
                        continue
                    }
                    names = declaredNames(callers[0].text)
                } else {
                    names = declaredNames(chunk.text)
                }
                for name in reads {
                    XCTAssertTrue(names.contains(name), "\(file.lastPathComponent):\(chunk.line) reads '\(name)' but "
                        + "declares only \(names.sorted())")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 200, "the scan found too few reads; has the reading syntax changed?")
    }
}

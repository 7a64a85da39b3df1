import EELS
import Foundation
import Script
import ScriptLanguage
import XCTest

/// `dataset`, `method`, k-class training and `confusionMatrix` from the cell language, on files written here;
/// every error is a typed ScriptError and the interpreter's variables survive it.
final class OwnDataCommandTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("own-data-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let axis = UniformAxis(offset: 600, scale: 0.25, size: 240)
        for (c, prefix) in ["s2", "s3", "s4"].enumerated() {
            for i in 1...3 {
                var rng = SeededGenerator(seed: UInt64(10 * c + i))
                var data: [Float] = []
                for _ in 0..<(4 * 8) {
                    for k in 0..<axis.size {
                        let e = axis.value(at: k), centre = 640 + 3 * Double(c)
                        let mean = 2e7 * pow(e, -2.4) + (e > 636 ? 30 * exp(-(e - centre) * (e - centre) / 3) + 6 : 0)
                        data.append(Float(rng.nextPoisson(mean: mean)))
                    }
                }
                let si = SpectrumImage(rows: 4, columns: 8, energy: axis, data: data)
                try NPYFormat.write(si, to: (folder as NSString).appendingPathComponent("\(prefix)_0\(i).npy"))
            }
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func run(_ interpreter: Interpreter, _ code: String) throws -> String {
        switch interpreter.execute(code) {
        case .success(let bundle): return bundle?["text/plain"] ?? ""
        case .failure(let error): throw error
        }
    }

    func testDatasetFromAFolderWithRegexLabelsAndAStratifiedSplit() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let shown = try run(interpreter, """
            let data = dataset("\(folder!)", labels: "/^(s[234])_/", classes: ["s2", "s3", "s4"], test: 0.3, seed: 2)
            data
            """)
        XCTAssertTrue(shown.contains("9 spectrum images: 6 train, 3 test; classes s2, s3, s4"), shown)
        XCTAssertTrue(shown.contains("4 x 8 x 240"), shown)
        XCTAssertTrue(shown.contains("600-660 eV"), shown)
        XCTAssertEqual(try run(interpreter, "data.test.map { $0.className! }"), "[\"s2\", \"s3\", \"s4\"]")
        XCTAssertEqual(try run(interpreter, "data[\"s3_02.npy\"].label"), "1")
        let rules = try run(interpreter, """
            dataset("\(folder!)/*.npy", labels: ["s2_*": "low", "/^s[34]_/": "high"], test: ["s2_01.npy", "s4_01.npy"])
            """)
        XCTAssertTrue(rules.contains("classes low, high"), rules)
        XCTAssertTrue(rules.contains("7 train, 2 test"), rules)
        let html = interpreter.execute("data")
        guard case .success(let bundle) = html else { return XCTFail("\(html)") }
        XCTAssertTrue(bundle?["text/html"]?.contains("<th>dispersion</th>") ?? false)
        let region = try run(interpreter, """
            let d2 = data.labelRegion("s2_01.npy", rows: 0..<2, columns: 0..<4, as: "s4")
            d2["s2_01.npy"]
            """)
        XCTAssertTrue(region.contains("1 labelled region(s)"), region)
    }

    func testKClassWorkflowOnAnyWindowSavesAndReloads() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let model = folder + "/clf.safetensors"
        let out = try run(interpreter, """
            let data = dataset("\(folder!)", labels: "/^(s[234])_/", test: ["s2_03.npy", "s3_03.npy", "s4_03.npy"])
            let m = method(window: 630...660, bin: 0.5, background: 605...630, block: [2, 4])
            let ae = autoencoder(latent: 6, seed: 1, method: m)
            let h = train(ae, on: data, epochs: 40, batchSize: 32, seed: 1, validation: 0.2)
            let clf = trainClassifier(ae, on: data, epochs: 120, batchSize: 64, seed: 1)
            clf.save("\(model)")
            let again = loadModel("\(model)")
            let results = data.test.map { classify($0, with: again) }
            let cm = confusionMatrix(results)
            "\\(h.validationLoss.count) \\(again.classes) \\(cm.total) \\(cm.perClassAccuracy.count) \\(again.method.channels)"
            """)
        XCTAssertEqual(out, "\"40 [\\\"s2\\\", \\\"s3\\\", \\\"s4\\\"] 96 3 60\"")
        let accuracy = Double(try run(interpreter, "cm.accuracy!"))!
        XCTAssertGreaterThan(accuracy, 0.4, "3 classes, chance 1/3")
        let table = try run(interpreter, "cm")
        XCTAssertTrue(table.contains("true \\ predicted"), table)
        XCTAssertTrue(table.contains("overall"), table)
        let denoised = try run(interpreter, "denoise(data.test[0], with: ae).shape")
        XCTAssertEqual(denoised, "[4, 8, 60]")
        let saved = try run(interpreter, """
            results[1].save("\(folder!)/c.npy")
            let back = loadClassification("\(folder!)/c.npy")
            [back.accuracy! == results[1].accuracy!, back.labels == results[1].labels, back.classes == again.classes]
            """)
        XCTAssertEqual(saved, "[true, true, true]")
    }

    /// `train(..., checkpoint:)`: a run of 3 epochs stopped after 2 and carried on by the same call ends with the
    /// weights of one uninterrupted 3-epoch run (the denoised output is identical).
    func testTrainingResumesFromItsCheckpointWithTheSameResult() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let checkpoint = folder + "/ae.checkpoint"
        _ = try run(interpreter, """
            let data = dataset("\(folder!)", labels: "/^(s[234])_/", test: ["s2_03.npy", "s3_03.npy", "s4_03.npy"])
            let m = method(window: 630...660, bin: 0.5, background: 605...630, block: [2, 4])
            let straight = autoencoder(latent: 6, seed: 1, method: m)
            train(straight, on: data, epochs: 3, batchSize: 32, seed: 1)
            let sittings = autoencoder(latent: 6, seed: 1, method: m)
            train(sittings, on: data, epochs: 2, batchSize: 32, seed: 1, checkpoint: "\(checkpoint)")
            let resumed = autoencoder(latent: 6, seed: 5, method: m)
            let h = train(resumed, on: data, epochs: 3, batchSize: 32, seed: 1, checkpoint: "\(checkpoint)")
            """)
        XCTAssertEqual(try run(interpreter, "h.loss.count"), "3")
        XCTAssertEqual(try run(interpreter, """
            mse(denoise(data.test[0], with: resumed), denoise(data.test[0], with: straight))
            """), "0.0")
        XCTAssertNotEqual(try run(interpreter, """
            mse(denoise(data.test[0], with: sittings), denoise(data.test[0], with: straight))
            """), "0.0", "2 epochs differ from 3, so the comparison above can fail")
        // Another run's settings against the same file: refused with the reason, the variables kept.
        XCTAssertThrowsError(try run(interpreter, """
            train(autoencoder(latent: 6, seed: 1, method: m), on: data, epochs: 3, batchSize: 32, seed: 2, checkpoint: "\(checkpoint)")
            """)) { error in XCTAssertTrue("\(error)".contains("belongs to another training run"), "\(error)") }
        XCTAssertEqual(try run(interpreter, "h.loss.count"), "3")
    }

    /// `denoise(..., anchor:)` keeps the network's variation and takes the local mean from the data: the mean of
    /// the anchored output over a window holding the whole image equals the data's own mean spectrum, background
    /// subtracted, whatever the network gives.
    func testAnAnchorSetsTheLocalMeanToTheDatasOwn() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = try run(interpreter, """
            let data = dataset("\(folder!)", labels: "/^(s[234])_/", test: ["s2_03.npy", "s3_03.npy", "s4_03.npy"])
            let m = method(window: 630...660, bin: 0.5, background: 605...630, block: [4, 8])
            let ae = autoencoder(latent: 6, seed: 1, method: m)
            train(ae, on: data, epochs: 1, batchSize: 32, seed: 1)
            let si = data.test[1]
            let anchored = denoise(si, with: ae, anchor: [9, 17])
            let plain = denoise(si, with: ae)
            """)
        // One 4 x 8 block = the whole image, so the ground truth is the image's mean spectrum, background subtracted.
        func meanSquaredGap(_ name: String) throws -> Double {
            Double(try run(interpreter, """
                let a\(name) = \(name).mean().values
                let t\(name) = groundTruth(si, method: m).mean().values
                var s\(name) = 0.0
                for i in 0..<a\(name).count { s\(name) += (a\(name)[i] - t\(name)[i]) * (a\(name)[i] - t\(name)[i]) }
                s\(name) / Double(a\(name).count)
                """))!
        }
        let anchoredError = try meanSquaredGap("anchored"), plainError = try meanSquaredGap("plain")
        XCTAssertLessThan(anchoredError, 1e-8 * max(1, plainError))
        XCTAssertGreaterThan(plainError, 1e-4, "one epoch leaves the network's mean off, so the test can fail")
        XCTAssertThrowsError(try run(interpreter, "denoise(si, with: ae, anchor: [2, 3])")) { error in
            XCTAssertTrue("\(error)".contains("odd"), "\(error)")
        }
        XCTAssertThrowsError(try run(interpreter, "denoise(si, with: ae, anchor: [3])")) { error in
            XCTAssertTrue("\(error)".contains("anchor: takes [rows, columns]"), "\(error)")
        }
    }

    func testErrorsAreTypedAndVariablesSurvive() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = try run(interpreter, "let data = dataset(\"\(folder!)\", labels: \"/^(s[234])_/\")")
        let cases: [(String, String, String)] = [
            ("method(window: 630...634, bin: 0.5)", "ValueError", "the network needs at least 16"),
            ("modelInput(data[0], method: method(window: 650...700, bin: 0.5))", "ValueError",
             "the data cover 600.00-660.00 eV; the window needs 650.00-700.00 eV"),
            ("modelInput(data[0], method: method(window: 620...650, bin: 0.3))", "ValueError",
             "does not divide the bin width 0.3 eV"),
            ("groundTruth(data[0], method: method(window: 620...650, bin: 0.5, block: [10, 40]))", "ValueError",
             "smaller than one 10 x 40 ground-truth block"),
            ("dataset(\"\(folder!)\", labels: \"/^(s[234])_/\", classes: [\"s2\", \"s3\"])", "ValueError",
             "s4_01.npy is labelled 's4', which is not one of the classes"),
            ("dataset(\"\(folder!)\", labels: [\"s2*\": \"a\"], classes: [\"a\", \"b\"])", "ValueError",
             "class 'b' has no spectrum image"),
            ("dataset(\"\(folder!)\", labels: \"/^(s[234])_/\", test: [\"nope.npy\"])", "ValueError",
             "no spectrum image named 'nope.npy'"),
            ("trainClassifier(autoencoder(), on: data)", "ValueError", "train the autoencoder before the classifier"),
        ]
        for (code, kind, message) in cases {
            guard case .failure(let error) = interpreter.execute(code) else { XCTFail("no error: \(code)"); continue }
            XCTAssertEqual(error.kind, kind, code)
            XCTAssertTrue(error.message.contains(message), "\(code): \(error.message)")
        }
        XCTAssertEqual(try run(interpreter, "data.count"), "9", "variables survive every error")
        // Loaded images with explicit labels (nil = unlabelled), and classify's label checked against the classes.
        let loaded = try run(interpreter, """
            let a = load("\(folder!)/s2_01.npy")
            let b = load("\(folder!)/s3_01.npy")
            let mine = dataset([a, b, data[8]], labels: ["low", nil, "high"], classes: ["low", "high"])
            mine.labels
            """)
        XCTAssertEqual(loaded, "[\"low\", nil, \"high\"]")
        _ = try run(interpreter, """
            let m = method(window: 630...660, bin: 0.5, background: 605...630, block: [2, 4])
            let ae = autoencoder(latent: 4, seed: 1, method: m)
            train(ae, on: mine, epochs: 2, batchSize: 64);
            let clf = trainClassifier(ae, on: mine, epochs: 2)
            """)
        for (code, message) in [
            ("classify(a, with: clf, label: 7)", "true label 7 is outside the classifier's 2 classes"),
            ("classify(a, with: clf, label: \"mid\")", "'mid' is not one of the classifier's classes low, high"),
            ("classify(data[0], with: clf)", "the image's classes (s2, s3, s4) are not the classifier's (low, high)"),
            ("trainClassifier(ae, on: dataset([a, b], labels: [\"low\", nil], classes: [\"low\", \"high\"]))",
             "class 'high' has no spectrum image"),
        ] {
            guard case .failure(let error) = interpreter.execute(code) else { XCTFail("no error: \(code)"); continue }
            XCTAssertEqual(error.kind, "ValueError", code)
            XCTAssertTrue(error.message.contains(message), "\(code): \(error.message)")
        }
        XCTAssertEqual(try run(interpreter, "classify(a, with: clf, label: \"high\").trueLabel!"), "1")
    }
}

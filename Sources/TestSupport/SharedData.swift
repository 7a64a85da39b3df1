import Foundation
import XCTest

/// Locates `../shared` (the project's sibling folder of reference data) for tests.
///
/// Under `CI=true` a missing folder is a failure; elsewhere the test is skipped with a clear message.
///
///     let url = try SharedData.url("data/real/EELS_SI.dm4")
public enum SharedData {
    /// The package root, found from this file's path (Sources/TestSupport/SharedData.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `../shared` folder beside the package root.
    public static let root: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// The URL of `relativePath` inside ../shared; skips (or fails under CI=true) when it is missing.
    public static func url(_ relativePath: String) throws -> URL {
        let url = root.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let message = "../shared/\(relativePath) is missing: this test needs the shared reference data beside the project"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(message)
            throw SharedDataMissing(message: message)
        }
        throw XCTSkip(message)
    }
}

/// Thrown after recording a failure when shared data is missing under CI.
public struct SharedDataMissing: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

import COpenSSL
import Foundation

/// The models this project trained and ships in `models/` (see models/README.md for how each was made), found by
/// name and checked against the SHA-256 recorded in `models/catalog.json` before they are loaded.
///
///     let url = try ReferenceModels.url(for: "srfeo3-sim-autoencoder")
///     let denoiser = try Denoiser.load(from: url)
public enum ReferenceModels {
    /// One catalog entry.
    public struct Entry: Codable, Sendable, Equatable {
        /// The file name inside the models folder.
        public var file: String
        /// Lower-case hex SHA-256 of the file.
        public var sha256: String
        /// "autoencoder" or "classifier".
        public var kind: String
        /// How it was trained, in words (command, seed, machine, wall time).
        public var trained: String

        public init(file: String, sha256: String, kind: String, trained: String) {
            self.file = file
            self.sha256 = sha256
            self.kind = kind
            self.trained = trained
        }
    }

    /// The environment variable that points at a models folder (it wins over the search).
    public static let environmentVariable = "RAPIDEELS_MODELS"

    /// The models folder: `$RAPIDEELS_MODELS`, else the first `models/catalog.json` found walking up from the
    /// running executable (`.build/release/rapideels-kernel` finds the checkout's `models/`), else from the
    /// current directory.
    public static func directory() -> URL? {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        var starts: [URL] = []
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        starts.append(URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true))
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent("models", isDirectory: true)
                if fm.fileExists(atPath: candidate.appendingPathComponent("catalog.json").path) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    /// The catalog of a models folder.
    /// - Throws: `RapidEELSError.model` when there is no folder or its catalog is unreadable.
    public static func catalog(in directory: URL? = nil) throws -> [String: Entry] {
        guard let dir = directory ?? self.directory() else {
            throw RapidEELSError.model("no models folder found: set \(environmentVariable) to the project's models/ "
                + "folder")
        }
        let url = dir.appendingPathComponent("catalog.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RapidEELSError.model("\(url.path) cannot be read")
        }
        do { return try JSONDecoder().decode([String: Entry].self, from: data) } catch {
            throw RapidEELSError.model("\(url.path) is not a valid model catalog: \(error)")
        }
    }

    /// Whether `name` looks like a catalog name rather than a path ("srfeo3-sim-autoencoder", no "/" or ".").
    public static func isName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.contains(".")
    }

    /// The file of model `name`, after checking its SHA-256 against the catalog.
    /// - Throws: `RapidEELSError.model` naming the known models when `name` is unknown, or saying that the file
    ///   changed when the checksum differs.
    public static func url(for name: String, in directory: URL? = nil) throws -> URL {
        guard let dir = directory ?? self.directory() else {
            throw RapidEELSError.model("'\(name)' is not a file, and no models folder was found to look it up in "
                + "(set \(environmentVariable))")
        }
        let entries = try catalog(in: dir)
        guard let entry = entries[name] else {
            throw RapidEELSError.model("no reference model named '\(name)'; the models are "
                + entries.keys.sorted().joined(separator: ", "))
        }
        let url = dir.appendingPathComponent(entry.file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RapidEELSError.model("reference model '\(name)': \(url.path) cannot be read")
        }
        let digest = sha256Hex(data)
        guard digest == entry.sha256.lowercased() else {
            throw RapidEELSError.model("reference model '\(name)': \(entry.file) has SHA-256 \(digest), but the catalog "
                + "records \(entry.sha256): the file was changed or damaged; retrain it with "
                + "scripts/train-reference-models.sh or restore it from git")
        }
        return url
    }

    /// Lower-case hex SHA-256 of `data`.
    ///
    ///     ReferenceModels.sha256Hex(Data("abc".utf8))   // "ba7816bf..."
    public static func sha256Hex(_ data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        data.withUnsafeBytes { raw in
            _ = EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
        }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}

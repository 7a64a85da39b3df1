import Foundation

/// Says in words what a Foundation file error means and which path it concerns, instead of its raw dump
/// (`Error Domain=NSCocoaErrorDomain Code=512 "(null)"`).
///
///     FileErrorText.describe(error, paths: ["/no/such/dir/model.safetensors"])
///     // "could not write /no/such/dir/model.safetensors: the folder /no/such/dir does not exist"
enum FileErrorText {
    /// The sentence for a Foundation (Cocoa or POSIX domain) error; nil for other errors. `paths` are the
    /// command's string arguments: the first is taken as the path when the error does not name one.
    static func describe(_ error: Error, paths: [String]) -> String? {
        let ns = error as NSError
        guard error is CocoaError || ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else {
            return nil
        }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
            ?? paths.first
        let verb: String
        switch ns.code {
        case 256...511: verb = "read"
        case 512...767: verb = "write"
        default: verb = ns.domain == NSPOSIXErrorDomain ? "access" : "use"
        }
        var reason: String
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(underlying.code))).lowercased()
        } else if ns.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(ns.code))).lowercased()
        } else {
            switch ns.code {
            case 4, 260: reason = "no such file"
            case 257, 513: reason = "permission denied"
            case 640: reason = "no space left on the device"
            case 642: reason = "the volume is read-only"
            case 516: reason = "the file already exists"
            default: reason = "Foundation error \(ns.code)"
            }
        }
        if let path { reason = probe(path, verb: verb) ?? reason }
        return "could not \(verb) \(path ?? "the file"): \(reason)"
    }

    /// A more precise reason found by looking at the path: a missing folder, a folder in place of a file.
    private static func probe(_ path: String, verb: String) -> String? {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? "it is a folder, not a file" : nil
        }
        if verb == "read" { return "no such file" }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !manager.fileExists(atPath: folder, isDirectory: &isDirectory) {
            return "the folder \(folder) does not exist"
        }
        if !folder.isEmpty && !isDirectory.boolValue { return "\(folder) is a file, not a folder" }
        if !manager.isWritableFile(atPath: folder.isEmpty ? "." : folder) {
            return "the folder \(folder.isEmpty ? "." : folder) is not writable"
        }
        return nil
    }
}

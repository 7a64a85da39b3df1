import Foundation

/// Writes a figure's SVG to a file whose extension picks the format: `.svg` as it is, `.png` and `.pdf`
/// rendered by librsvg's `rsvg-convert` (Debian librsvg2-bin, installed by `make deps`).
///
///     try FigureExport.write(svg: figure.svg(), to: "fig5.png", dpi: 200)   // 200/96 of the SVG's pixel size
public enum FigureExport {
    /// The formats `write` accepts, by file extension.
    public static let formats = ["svg", "png", "pdf"]

    /// Writes `svg` to `path` in the format its extension names.
    ///
    /// - Parameters:
    ///   - dpi: for PNG, pixels per inch (the SVG's own size is taken at 96 dpi, so 192 doubles it); ignored by
    ///     SVG and PDF, which stay vector.
    ///   - width: an output width in pixels (PNG) or points (PDF) instead of `dpi`; the height keeps the aspect.
    /// - Throws: `RapidEELSError.value` for an unknown extension, a bad dpi or width, a missing `rsvg-convert` or
    ///   a failed render, naming the path.
    public static func write(svg: String, to path: String, dpi: Double? = nil, width: Int? = nil) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard formats.contains(ext) else {
            throw RapidEELSError.value("cannot save a figure as '\(ext.isEmpty ? path : "." + ext)': "
                + "use a path ending in .svg, .png or .pdf")
        }
        if let dpi, !(dpi.isFinite && dpi >= 10 && dpi <= 2400) {
            throw RapidEELSError.value("dpi \(dpi) is outside 10...2400")
        }
        if let width, !(16...20000).contains(width) {
            throw RapidEELSError.value("width \(width) is outside 16...20000")
        }
        if ext == "svg" {
            do { try svg.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw RapidEELSError.value("cannot write \(path): \(reason(error))")
            }
            return
        }
        var arguments = ["-f", ext, "-o", path]
        if let width { arguments += ["-w", String(width), "--keep-aspect-ratio"] }
        else if ext == "png", let dpi { arguments += ["-z", String(dpi / 96)] }
        try render(svg: svg, arguments: arguments, path: path)
    }

    /// Runs rsvg-convert with the SVG on standard input (bounded to 60 s).
    static func render(svg: String, arguments: [String], path: String) throws {
        guard let tool = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RapidEELSError.value("cannot write \(path): PNG and PDF export need rsvg-convert "
                + "(Debian package librsvg2-bin; `make deps` installs it); .svg needs nothing")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch {
            throw RapidEELSError.value("cannot write \(path): rsvg-convert did not start (\(reason(error)))")
        }
        let writer = Thread {
            input.fileHandleForWriting.write(Data(svg.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            process.terminate()
            throw RapidEELSError.value("cannot write \(path): rsvg-convert took over 60 s")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let detail = message.trimmingCharacters(in: .whitespacesAndNewlines)
            throw RapidEELSError.value("cannot write \(path): rsvg-convert failed"
                + (detail.isEmpty ? " (status \(process.terminationStatus))" : ": \(detail)"))
        }
    }

    /// A short reason for a Foundation error (its POSIX cause where it has one), not a raw NSError dump.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

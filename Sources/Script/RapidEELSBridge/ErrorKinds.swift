import EELS
import Foundation
import NeuralCore
import RapidEELS
import SVGPlot
import ScriptLanguage

// How the native modules' errors appear in a cell (`CellReportableError`): a file that cannot be read is a
// FileError, everything else a ValueError (each message names the offending input).

extension EELSError: CellReportableError {
    public var cellErrorKind: ErrorKind {
        if case .file = self { return .file }
        return .value
    }
}

extension NeuralError: CellReportableError {
    public var cellErrorKind: ErrorKind { .value }
}

extension RapidEELSError: CellReportableError {
    public var cellErrorKind: ErrorKind { .value }
}

extension PlotError: CellReportableError {
    public var cellErrorKind: ErrorKind { .value }
}

extension CUDAError: CellReportableError {
    public var cellErrorKind: ErrorKind { .value }
}

import Foundation
import NeuralCore
import XCTest

/// Every kernel source compiles with NVRTC to PTX and to a CUBIN for sm_80 (A100) and sm_90 (H100).
/// Runs wherever NVRTC is installed (`make cuda-check` installs pip's nvidia-cuda-nvrtc-cu12); skips otherwise.
final class CUDANVRTCTests: XCTestCase {
    private func loadNVRTC() throws -> NVRTC {
        do {
            return try NVRTC.load()
        } catch {
            throw XCTSkip("NVRTC is not installed, so the CUDA kernel sources were not compile-checked "
                + "(run `make cuda-check`): \(error)")
        }
    }

    func testWholeModuleCompilesToPTXAndCUBINForSm80AndSm90() throws {
        let nvrtc = try loadNVRTC()
        let names = CUDAKernelSource.kernelNames
        XCTAssertGreaterThanOrEqual(names.count, 18, "kernel entry points found: \(names)")
        for sm in [80, 90] {
            let ptxBytes = try nvrtc.compile(CUDAKernelSource.module, name: "rapideels.cu", target: .ptx(sm: sm))
            let ptx = String(decoding: ptxBytes.prefix { $0 != 0 }, as: UTF8.self)
            XCTAssertTrue(ptx.contains(".target sm_\(sm)"), "PTX for compute_\(sm) names its target")
            for name in names {
                XCTAssertTrue(ptx.contains(".entry \(name)("), "PTX for compute_\(sm) lacks the entry \(name)")
            }
            let cubin = try nvrtc.compile(CUDAKernelSource.module, name: "rapideels.cu", target: .cubin(sm: sm))
            XCTAssertEqual(Array(cubin.prefix(4)), [0x7F, 0x45, 0x4C, 0x46], "a CUBIN is an ELF file")
            for name in names {
                XCTAssertNotNil(cubin.firstRange(of: Array(name.utf8)), "CUBIN for sm_\(sm) lacks \(name)")
            }
        }
    }

    func testEachUnitCompilesOnItsOwn() throws {
        let nvrtc = try loadNVRTC()
        for unit in CUDAKernelSource.units {
            let source = CUDAKernelSource.prelude + "\n" + unit.source
            XCTAssertNoThrow(try nvrtc.compile(source, name: unit.name, target: .ptx(sm: 90)), unit.name)
        }
    }

    func testCompileErrorCarriesTheCompilerLog() throws {
        let nvrtc = try loadNVRTC()
        let broken = "extern \"C\" __global__ void broken(float* x) { x[0] = undefinedName; }"
        XCTAssertThrowsError(try nvrtc.compile(broken, name: "broken.cu", target: .ptx(sm: 90))) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("nvrtcCompileProgram(broken.cu"), text)
            XCTAssertTrue(text.contains("undefinedName"), "the log names the offending identifier: \(text)")
        }
    }
}

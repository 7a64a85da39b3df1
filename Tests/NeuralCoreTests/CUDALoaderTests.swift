import Foundation
import NeuralCore
import XCTest

/// The run-time loading of CUDA: where libraries are searched, the clean fallback without a driver, device names.
final class CUDALoaderTests: XCTestCase {
    func testWithoutADriverTheErrorNamesLibcudaAndWhereItLooked() throws {
        do {
            _ = try CUDADriverAPI.load()
            throw XCTSkip("an NVIDIA driver is installed here; the no-driver path cannot be exercised")
        } catch let error as CUDAError {
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("libcuda.so.1 (the NVIDIA driver) was not found"), text)
            XCTAssertTrue(text.contains("/usr/lib/x86_64-linux-gnu/libcuda.so.1"), text)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)")
        }
    }

    func testAutoFallsBackToTheCPUWithOneLineAndTheCPUStillRuns() throws {
        guard !ComputeDevice.cudaIsAvailable else { throw XCTSkip("a CUDA GPU is usable here") }
        var lines: [String] = []
        let backend = try ComputeDevice.auto.makeBackend { lines.append($0) }
        XCTAssertTrue(backend is CPUBackend, "auto without a GPU gives the CPU backend, got \(backend.name)")
        XCTAssertEqual(lines, [], "no NVIDIA driver: the ordinary CPU machine gets no notice")
        XCTAssertTrue(ComputeDevice.cudaStatusLine.hasPrefix("GPU path off: "))

        let dense = try Dense(name: "d", inputSize: 3, units: 2)
        dense.kernel.values = [1, 0, 0, 1, 1, 1]
        dense.bias.values = [0.5, -0.5]
        let net = try Sequential([dense], backend: backend)
        XCTAssertEqual(try net.predict([1, 2, 3], count: 1), [1 + 3 + 0.5, 2 + 3 - 0.5])
    }

    func testAFailingDriverGetsOneShortLineAndAMissingDriverNone() {
        let missing = CUDAError.libraryNotFound(name: "libcuda.so.1 (the NVIDIA driver)",
                                                searched: (0..<14).map { "/place\($0)/libcuda.so.1" }, reason: "gone")
        XCTAssertNil(ComputeDevice.fallbackNotice(for: missing))
        let nvrtc = CUDAError.libraryNotFound(name: "NVRTC", searched: ["libnvrtc.so.12"], reason: "gone")
        let line = ComputeDevice.fallbackNotice(for: nvrtc)
        XCTAssertNotNil(line)
        XCTAssertTrue(line!.hasPrefix("GPU path off (NVRTC was not found"), line!)
        XCTAssertFalse(line!.contains("\n"))
        XCTAssertEqual(ComputeDevice.fallbackNotice(for: CUDAError.noDevice)?.hasSuffix("computing on the CPU"), true)
    }

    func testExplicitCudaWithoutAGPUThrowsAClearError() throws {
        guard !ComputeDevice.cudaIsAvailable else { throw XCTSkip("a CUDA GPU is usable here") }
        XCTAssertThrowsError(try ComputeDevice.cuda.makeBackend { _ in }) { error in
            XCTAssertTrue(error is CUDAError, "\(error)")
            XCTAssertTrue(String(describing: error).contains("libcuda.so.1"), "\(error)")
        }
        XCTAssertTrue(try ComputeDevice.cpu.makeBackend { _ in XCTFail("cpu never logs") } is CPUBackend)
    }

    func testDeviceNamesParse() throws {
        XCTAssertEqual(try ComputeDevice(parsing: "CUDA"), .cuda)
        XCTAssertEqual(try ComputeDevice(parsing: " gpu"), .cuda)
        XCTAssertEqual(try ComputeDevice(parsing: "cpu"), .cpu)
        XCTAssertEqual(try ComputeDevice(parsing: "auto"), .auto)
        XCTAssertThrowsError(try ComputeDevice(parsing: "tpu")) { error in
            XCTAssertEqual(String(describing: error), "unknown device \"tpu\": use cpu, cuda or auto")
        }
    }

    func testSearchOrderExplicitFoldersCudaHomeWheelsThenSonames() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cuda-search-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("venv/bin"), site = root.appendingPathComponent(
            "venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        let python = bin.appendingPathComponent("python3")
        FileManager.default.createFile(atPath: python.path, contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: 0o755])
        let environment = [
            "RAPIDEELS_CUDA_LIBRARY_PATH": "/opt/mine:/opt/other", "CUDA_HOME": "/opt/cuda-12",
            "PATH": bin.path + ":/nonexistent", "HOME": "/nonexistent",
        ]
        let candidates = CUDALibrarySearch.candidates(for: .nvrtc, environment: environment)
        func position(_ path: String) -> Int {
            guard let index = candidates.firstIndex(of: path) else {
                XCTFail("\(path) is not searched: \(candidates)")
                return -1
            }
            return index
        }
        let explicit = position("/opt/mine/libnvrtc.so.12")
        let home = position("/opt/cuda-12/lib64/libnvrtc.so.12")
        let wheel = position(site.path + "/libnvrtc.so.12")
        let bare = position("libnvrtc.so.12")
        XCTAssertLessThan(explicit, home)
        XCTAssertLessThan(home, wheel)
        XCTAssertLessThan(wheel, bare)
        XCTAssertEqual(candidates.last, "libnvrtc.so", "dlopen's own search comes last")
        XCTAssertFalse(CUDALibrarySearch.candidates(for: .driver, environment: environment)
            .contains { $0.contains("site-packages") }, "the driver never comes from a wheel")
    }

    func testMissingSymbolIsNamed() throws {
        let libc = try DynamicLibrary.open(name: "libc", candidates: ["libc.so.6"])
        typealias Function = @convention(c) () -> Void
        XCTAssertThrowsError(try libc.function("cuNoSuchFunction", as: Function.self)) { error in
            XCTAssertEqual(error as? CUDAError, .symbolMissing(symbol: "cuNoSuchFunction", library: "libc.so.6"))
        }
        XCTAssertNotNil(libc.optionalFunction("getpid", as: Function.self))
    }

    func testFusedLayoutPacksThePaperTensorsAndRejectsWrongShapes() throws {
        XCTAssertEqual(FusedAutoencoderLayout.parameterCount, 44_678)
        var tensors: [String: [Float]] = [:]
        for tensor in FusedAutoencoderLayout.tensors {
            tensors[tensor.name] = (0..<tensor.count).map { Float($0) }
        }
        let flat = try FusedAutoencoderLayout.pack { tensors[$0] }
        XCTAssertEqual(flat.count, 44_678)
        // decoder.output.kernel, Keras [7, 1, 8] ([k, out, in]), becomes [7, 8, 1]: unchanged order here;
        // decoder.deconv4.kernel [7, 8, 16] becomes [7, 16, 8]: element (j, ci, co) = source (j, co, ci).
        var offset = 0
        for tensor in FusedAutoencoderLayout.tensors {
            if tensor.name == "decoder.deconv4.kernel" { break }
            offset += tensor.count
        }
        XCTAssertEqual(flat[offset + (1 * 16 + 3) * 8 + 5], Float((1 * 8 + 5) * 16 + 3))
        tensors["latent.bias"] = [1, 2]
        XCTAssertThrowsError(try FusedAutoencoderLayout.pack { tensors[$0] }) { error in
            XCTAssertTrue(String(describing: error).contains("latent.bias has 2 values, expected 5"), "\(error)")
        }
    }
}

import NeuralCore
import XCTest

/// Dropout masks: the vector path (`NeuralKernels.DropoutMask`, taken with the vector kernels) and the scalar
/// loop (`CPUBackend(vectorKernels: false)`) must draw exactly the mask that the definition gives: element i of a
/// chunk is kept when mix(stream' + i) >> 40 >= rate * 2^24, where stream' = mix(stream ^ mix(salt + 0x5151)) and
/// mix is SplitMix64's finaliser.
final class DropoutMaskTests: XCTestCase {
    private func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func forward(_ layer: Dropout, input: [Float], batch: Int, stream: UInt64,
                         backend: CPUBackend) -> (output: [Float], mask: [Float]) {
        var input = input
        var output = [Float](repeating: .nan, count: input.count), mask = output
        input.withUnsafeMutableBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                mask.withUnsafeMutableBufferPointer { m in
                    let buffers = LayerBuffers(batch: batch, input: x.baseAddress!, output: y.baseAddress!,
                                               saved: m.baseAddress!, scratch: m.baseAddress!, training: true,
                                               randomStream: stream)
                    layer.forward(buffers, backend: backend)
                }
            }
        }
        return (output, mask)
    }

    func testBothPathsDrawTheDefinedMask() throws {
        let backends = [CPUBackend(threads: 1), CPUBackend(threads: 1, vectorKernels: false)]
        // Sizes that leave every tail length 0-7, and the paper's dropout shapes.
        let shapes: [[Int]] = [[1], [7], [8], [9], [13, 1], [3, 5], [120, 8], [60, 16], [15, 32]]
        for shape in shapes {
            for rate: Float in [0.2, 0.5, 0.9] {
                for (batch, stream, salt) in [(1, UInt64(0), UInt64(0)), (3, 42, 7), (2, .max, 3)] {
                    let layer = try Dropout(name: "drop", shape: shape, rate: rate, salt: salt)
                    let count = batch * layer.inputSize
                    let input = (0..<count).map { Float($0 % 11) - 4.5 }
                    let chunkStream = mix(stream ^ mix(salt &+ 0x5151))
                    let threshold = UInt64(Double(rate) * 16_777_216.0)
                    let scale = 1 / (1 - rate)
                    let expected = (0..<count).map { mix(chunkStream &+ UInt64($0)) >> 40 >= threshold ? scale : 0 }
                    for backend in backends {
                        let (output, mask) = forward(layer, input: input, batch: batch, stream: stream,
                                                     backend: backend)
                        let what = "\(shape) rate \(rate) batch \(batch) stream \(stream) vector \(backend.usesVectorKernels)"
                        XCTAssertEqual(mask, expected, what)
                        XCTAssertEqual(output, zip(input, expected).map { $0 * $1 }, what)
                    }
                }
            }
        }
    }

    func testKeptFractionMatchesTheRate() throws {
        let layer = try Dropout(name: "drop", shape: [120, 8], rate: 0.2)
        let (_, mask) = forward(layer, input: [Float](repeating: 1, count: 64 * 960), batch: 64, stream: 9,
                                backend: CPUBackend(threads: 1))
        let kept = Double(mask.filter { $0 != 0 }.count) / Double(mask.count)
        XCTAssertEqual(kept, 0.8, accuracy: 0.01)  // 61,440 draws: sd 0.0016
    }
}

/// Counter-based dropout masks, eight elements at a time: the same bits as the scalar definition
/// (`Dropout.forward` without the vector kernels), so a mask does not depend on which CPU path drew it.
///
/// Element i is kept when the top 24 bits of SplitMix64's finaliser of `stream &+ i` are at least `threshold`;
/// kept elements are scaled by `scale`, dropped ones become 0.
///
///     // rate 0.2: threshold = UInt64(0.2 * 2^24), scale = 1 / 0.8
///     let done = DropoutMask.apply(count: n, stream: s, threshold: 3_355_443, scale: 1.25,
///                                  input: x, mask: m, output: y)   // the caller draws done..<n
public enum DropoutMask: EightLanes {
    typealias Words = SIMD8<UInt64>

    /// mask[i] = keep(i) ? scale : 0 and output[i] = input[i] * mask[i] for i below `count` rounded down to a
    /// multiple of 8; returns that many (the caller draws the rest with the scalar definition).
    public static func apply(count: Int, stream: UInt64, threshold: UInt64, scale: Float,
                             input: UnsafePointer<Float>, mask: UnsafeMutablePointer<Float>,
                             output: UnsafeMutablePointer<Float>) -> Int {
        let lanes = Words(0, 1, 2, 3, 4, 5, 6, 7)
        let limit = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: Swift.min(threshold, 1 << 24)))
        let kept = SIMD8<Float>(repeating: scale), dropped = SIMD8<Float>(repeating: 0)
        var index = 0
        while index + 8 <= count {
            let bits = mix(Words(repeating: stream &+ UInt64(index)) &+ lanes) &>> 40
            let values = dropped.replacing(with: kept, where: SIMD8<UInt32>(truncatingIfNeeded: bits) .>= limit)
            store(values, mask + index)
            store(load(input + index) * values, output + index)
            index += 8
        }
        return index
    }

    /// SplitMix64's finaliser (`SeededRandom.mix`) on eight counters.
    @inline(__always)
    static func mix(_ value: Words) -> Words {
        var z = value
        z = (z ^ (z &>> 30)) &* Words(repeating: 0xBF58_476D_1CE4_E5B9)
        z = (z ^ (z &>> 27)) &* Words(repeating: 0x94D0_49BB_1331_11EB)
        return z ^ (z &>> 31)
    }
}

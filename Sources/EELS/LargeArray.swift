import Foundation

extension Array where Element == Float {
    /// Arrays at least this large (bytes) ask the OS for transparent huge pages.
    static let hugePageThreshold = 4 << 20

    /// An array of `count` values that `body` writes in full, backed by transparent huge pages where Linux
    /// offers them (`madvise(MADV_HUGEPAGE)`): a 50 MB spectrum image then costs about 25 page faults on first
    /// write instead of about 13,000. Small arrays and other systems get an ordinary allocation.
    ///
    ///     let doubled = [Float](filling: 3) { out in for i in 0..<3 { out[i] = Float(2 * i) } }   // [0, 2, 4]
    public init(filling count: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        try self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            #if os(Linux)
            if count * MemoryLayout<Float>.stride >= Self.hugePageThreshold, let base = buffer.baseAddress {
                let page = 4096
                let start = (Int(bitPattern: base) + page - 1) / page * page
                let end = (Int(bitPattern: base) + count * MemoryLayout<Float>.stride) / page * page
                if end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) {
                    _ = madvise(aligned, end - start, 14)  // MADV_HUGEPAGE; a refusal only costs speed
                }
            }
            #endif
            try body(buffer)
            initialized = count
        }
    }
}

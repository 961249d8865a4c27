/// The 64-byte block buffer and length counter shared by MD5, SHA-1 and SHA-256.
///
/// All three hashes use the Merkle–Damgård construction with 64-byte blocks and a 64-bit
/// message length in the final block; only the byte order of that length differs
/// (little-endian for MD5, RFC 1321 §3.2; big-endian for SHA, FIPS 180-4 §5.1.1).
/// The partial block lives inline (no heap storage), so copying a hasher, as HMAC and PBKDF2
/// do for every iteration, allocates nothing.
struct MerkleDamgardBuffer: Sendable {
    /// 64 bytes of storage for an incomplete block.
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many bytes of `storage` hold input (always fewer than 64 between calls).
    private var pendingCount = 0
    /// Total number of message bytes absorbed.
    private(set) var byteCount: UInt64 = 0

    init() {}

    /// Feeds `bytes`, calling `compress` with the base address and count of runs of complete
    /// 64-byte blocks (one call for the whole middle of a large input, read in place).
    @inline(__always)
    mutating func absorb(_ bytes: UnsafeRawBufferPointer, compress: (UnsafeRawPointer, Int) -> Void) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        byteCount &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            let offset = pendingCount
            withUnsafeMutableBytes(of: &storage) { block in
                (block.baseAddress! + offset).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            base += take
            remaining -= take
            if pendingCount == 64 {
                withUnsafeBytes(of: &storage) { compress($0.baseAddress!, 1) }
                pendingCount = 0
            }
        }
        if remaining >= 64 {
            let blocks = remaining / 64
            compress(base, blocks)
            base += blocks * 64
            remaining -= blocks * 64
        }
        if remaining > 0 {
            let count = remaining
            withUnsafeMutableBytes(of: &storage) { block in
                block.baseAddress!.copyMemory(from: base, byteCount: count)
            }
            pendingCount = remaining
        }
    }

    /// Appends the padding (0x80, zeros, 64-bit bit length) and compresses the last block(s).
    mutating func pad(lengthBigEndian: Bool, compress: (UnsafeRawPointer, Int) -> Void) {
        let bitLength = byteCount &* 8
        let used = pendingCount
        withUnsafeMutableBytes(of: &storage) { block in
            block[used] = 0x80
            for index in (used + 1)..<64 { block[index] = 0 }
            if used >= 56 {
                // No room for the length: it goes into an extra block of zeros.
                compress(UnsafeRawPointer(block.baseAddress!), 1)
                for index in 0..<56 { block[index] = 0 }
            }
            for index in 0..<8 {
                let shift = lengthBigEndian ? UInt64(56 - 8 * index) : UInt64(8 * index)
                block[56 + index] = UInt8(truncatingIfNeeded: bitLength >> shift)
            }
            compress(UnsafeRawPointer(block.baseAddress!), 1)
        }
        pendingCount = 0
    }
}

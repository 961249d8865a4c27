/// The 64-byte block buffer and length counter shared by MD5, SHA-1 and SHA-256.
///
/// All three hashes use the Merkle–Damgård construction with 64-byte blocks and a 64-bit
/// message length in the final block; only the byte order of that length differs
/// (little-endian for MD5, RFC 1321 §3.2; big-endian for SHA, FIPS 180-4 §5.1.1).
struct MerkleDamgardBuffer: Sendable {
    /// Bytes of an incomplete block waiting for more input (always fewer than 64).
    private var pending: [UInt8] = []
    /// Total number of message bytes absorbed.
    private(set) var byteCount: UInt64 = 0

    init() {
        pending.reserveCapacity(64)
    }

    /// Feeds `bytes`, calling `compress` with the base address of every complete 64-byte block.
    @inline(__always)
    mutating func absorb(_ bytes: UnsafeRawBufferPointer, compress: (UnsafeRawPointer) -> Void) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        byteCount &+= UInt64(remaining)
        if !pending.isEmpty {
            let take = min(64 - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            remaining -= take
            if pending.count == 64 {
                pending.withUnsafeBytes { compress($0.baseAddress!) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while remaining >= 64 {
            compress(base)
            base += 64
            remaining -= 64
        }
        if remaining > 0 {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: remaining))
        }
    }

    /// Appends the padding (0x80, zeros, 64-bit bit length) and compresses the last block(s).
    mutating func pad(lengthBigEndian: Bool, compress: (UnsafeRawPointer) -> Void) {
        let bitLength = byteCount &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for index in 0..<8 {
            let shift = lengthBigEndian ? UInt64(56 - 8 * index) : UInt64(8 * index)
            tail.append(UInt8(truncatingIfNeeded: bitLength >> shift))
        }
        tail.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                compress(buffer.baseAddress! + offset)
                offset += 64
            }
        }
        pending.removeAll()
    }
}

/// SHA-1 (FIPS 180-4 §6.1), needed only by SCRAM-SHA-1 (RFC 5802) and its HMAC and PBKDF2.
///
/// SHA-1 is broken for collision resistance; HMAC-SHA-1 and PBKDF2-HMAC-SHA-1 as SCRAM uses
/// them are not affected by the known attacks, which is why servers still offer SCRAM-SHA-1.
public struct SHA1: HashFunction {
    /// 20 bytes (FIPS 180-4 §1).
    public static let digestByteCount = 20
    /// 64 bytes (FIPS 180-4 §1).
    public static let blockByteCount = 64

    private var state = State()
    private var buffer = MerkleDamgardBuffer()

    /// A hasher in its initial state (FIPS 180-4 §5.3.1).
    public init() {}

    /// Absorbs `bytes`.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        var state = self.state
        buffer.absorb(bytes) { state.compress(blocks: $0, count: $1) }
        self.state = state
    }

    /// Pads the message (FIPS 180-4 §5.1.1) and returns the 20-byte digest.
    public mutating func finalize() -> [UInt8] {
        var state = self.state
        buffer.pad(lengthBigEndian: true) { state.compress(blocks: $0, count: $1) }
        self.state = state
        return state.digest()
    }
}

extension SHA1 {
    /// The five working words H0…H4.
    fileprivate struct State: Sendable {
        var h0: UInt32 = 0x6745_2301, h1: UInt32 = 0xefcd_ab89, h2: UInt32 = 0x98ba_dcfe
        var h3: UInt32 = 0x1032_5476, h4: UInt32 = 0xc3d2_e1f0

        @inline(__always)
        private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 &- n)) }

        /// The compression function applied to `count` consecutive 64-byte blocks at `blocks`
        /// (FIPS 180-4 §6.1.2). The working words stay in locals across blocks.
        mutating func compress(blocks: UnsafeRawPointer, count: Int) {
            var h0 = self.h0, h1 = self.h1, h2 = self.h2, h3 = self.h3, h4 = self.h4
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
                for blockIndex in 0..<count {
                    let block = blocks + blockIndex &* 64
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 &* t, as: UInt32.self))
                    }
                    for t in 16..<80 {
                        w[t] = Self.rotl(w[t &- 3] ^ w[t &- 8] ^ w[t &- 14] ^ w[t &- 16], 1)
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4
                    // Four rounds of 20 steps with their own function and constant (FIPS 180-4 §4.1.1, §4.2.1).
                    for t in 0..<20 {
                        let temp = Self.rotl(a, 5) &+ ((b & c) | (~b & d)) &+ e &+ 0x5a82_7999 &+ w[t]
                        e = d
                        d = c
                        c = Self.rotl(b, 30)
                        b = a
                        a = temp
                    }
                    for t in 20..<40 {
                        let temp = Self.rotl(a, 5) &+ (b ^ c ^ d) &+ e &+ 0x6ed9_eba1 &+ w[t]
                        e = d
                        d = c
                        c = Self.rotl(b, 30)
                        b = a
                        a = temp
                    }
                    for t in 40..<60 {
                        let temp = Self.rotl(a, 5) &+ ((b & c) | (b & d) | (c & d)) &+ e &+ 0x8f1b_bcdc &+ w[t]
                        e = d
                        d = c
                        c = Self.rotl(b, 30)
                        b = a
                        a = temp
                    }
                    for t in 60..<80 {
                        let temp = Self.rotl(a, 5) &+ (b ^ c ^ d) &+ e &+ 0xca62_c1d6 &+ w[t]
                        e = d
                        d = c
                        c = Self.rotl(b, 30)
                        b = a
                        a = temp
                    }
                    h0 &+= a
                    h1 &+= b
                    h2 &+= c
                    h3 &+= d
                    h4 &+= e
                }
            }
            self.h0 = h0
            self.h1 = h1
            self.h2 = h2
            self.h3 = h3
            self.h4 = h4
        }

        func digest() -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 20) { out, initialized in
                func store(_ word: UInt32, at offset: Int) {
                    out[offset] = UInt8(truncatingIfNeeded: word >> 24)
                    out[offset + 1] = UInt8(truncatingIfNeeded: word >> 16)
                    out[offset + 2] = UInt8(truncatingIfNeeded: word >> 8)
                    out[offset + 3] = UInt8(truncatingIfNeeded: word)
                }
                store(h0, at: 0)
                store(h1, at: 4)
                store(h2, at: 8)
                store(h3, at: 12)
                store(h4, at: 16)
                initialized = 20
            }
        }
    }
}

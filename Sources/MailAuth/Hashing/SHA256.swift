/// SHA-256 (FIPS 180-4 §6.2), used by SCRAM-SHA-256 (RFC 7677) and its HMAC and PBKDF2.
///
/// Processes 64-byte blocks with `UInt32` arithmetic straight from the caller's buffer;
/// the message schedule lives in a stack allocation, so hashing does not allocate per block.
public struct SHA256: HashFunction {
    /// 32 bytes (FIPS 180-4 §1).
    public static let digestByteCount = 32
    /// 64 bytes (FIPS 180-4 §1).
    public static let blockByteCount = 64

    private var state = State()
    private var buffer = MerkleDamgardBuffer()

    /// A hasher in its initial state (FIPS 180-4 §5.3.3).
    public init() {}

    /// Absorbs `bytes`.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        var state = self.state
        buffer.absorb(bytes) { state.compress(blocks: $0, count: $1) }
        self.state = state
    }

    /// Pads the message (FIPS 180-4 §5.1.1) and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        var state = self.state
        buffer.pad(lengthBigEndian: true) { state.compress(blocks: $0, count: $1) }
        self.state = state
        return state.digest()
    }
}

extension SHA256 {
    /// The eight working words H0…H7.
    fileprivate struct State: Sendable {
        var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85, h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
        var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c, h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19

        /// The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2).
        static let roundConstants: [UInt32] = [
            0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
            0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
            0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
            0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
            0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
            0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
            0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
            0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
        ]

        @inline(__always)
        private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

        /// The compression function applied to `count` consecutive 64-byte blocks at `blocks`
        /// (FIPS 180-4 §6.2.2). The working words stay in locals across blocks.
        mutating func compress(blocks: UnsafeRawPointer, count: Int) {
            var h0 = self.h0, h1 = self.h1, h2 = self.h2, h3 = self.h3
            var h4 = self.h4, h5 = self.h5, h6 = self.h6, h7 = self.h7
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                Self.roundConstants.withUnsafeBufferPointer { k in
                    for blockIndex in 0..<count {
                        let block = blocks + blockIndex &* 64
                        for t in 0..<16 {
                            w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 &* t, as: UInt32.self))
                        }
                        for t in 16..<64 {
                            let w15 = w[t &- 15], w2 = w[t &- 2]
                            let s0 = Self.rotr(w15, 7) ^ Self.rotr(w15, 18) ^ (w15 >> 3)
                            let s1 = Self.rotr(w2, 17) ^ Self.rotr(w2, 19) ^ (w2 >> 10)
                            w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                        }
                        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                        for t in 0..<64 {
                            let sigma1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                            let choose = (e & f) ^ (~e & g)
                            let t1 = h &+ sigma1 &+ choose &+ k[t] &+ w[t]
                            let sigma0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                            let majority = (a & b) ^ (a & c) ^ (b & c)
                            h = g
                            g = f
                            f = e
                            e = d &+ t1
                            d = c
                            c = b
                            b = a
                            a = t1 &+ sigma0 &+ majority
                        }
                        h0 &+= a
                        h1 &+= b
                        h2 &+= c
                        h3 &+= d
                        h4 &+= e
                        h5 &+= f
                        h6 &+= g
                        h7 &+= h
                    }
                }
            }
            self.h0 = h0
            self.h1 = h1
            self.h2 = h2
            self.h3 = h3
            self.h4 = h4
            self.h5 = h5
            self.h6 = h6
            self.h7 = h7
        }

        func digest() -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 32) { out, initialized in
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
                store(h5, at: 20)
                store(h6, at: 24)
                store(h7, at: 28)
                initialized = 32
            }
        }
    }
}

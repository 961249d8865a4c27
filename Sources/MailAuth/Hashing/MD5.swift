/// MD5 (RFC 1321), needed only by CRAM-MD5 (RFC 2195) and the POP3 APOP command (RFC 1939 §7).
///
/// MD5 is broken for collision resistance; it is here solely because those two legacy
/// mechanisms require it. Never use it to protect new data.
public struct MD5: HashFunction {
    /// 16 bytes (RFC 1321 §3.5).
    public static let digestByteCount = 16
    /// 64 bytes (RFC 1321 §3.4).
    public static let blockByteCount = 64

    private var state = State()
    private var buffer = MerkleDamgardBuffer()

    /// A hasher in its initial state (RFC 1321 §3.3).
    public init() {}

    /// Absorbs `bytes`.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        var state = self.state
        buffer.absorb(bytes) { state.compress(blocks: $0, count: $1) }
        self.state = state
    }

    /// Pads the message (RFC 1321 §3.1–3.2, little-endian length) and returns the 16-byte digest.
    public mutating func finalize() -> [UInt8] {
        var state = self.state
        buffer.pad(lengthBigEndian: false) { state.compress(blocks: $0, count: $1) }
        self.state = state
        return state.digest()
    }
}

extension MD5 {
    /// The four working words A, B, C, D.
    fileprivate struct State: Sendable {
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xefcd_ab89, c0: UInt32 = 0x98ba_dcfe, d0: UInt32 = 0x1032_5476

        /// Per-round left-rotation amounts (RFC 1321 §3.4).
        static let shifts: [UInt32] = [
            7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
            5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
        ]

        /// T[i] = floor(2^32 × |sin(i + 1)|) (RFC 1321 §3.4).
        static let sines: [UInt32] = [
            0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
            0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
            0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
            0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
            0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
            0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
            0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
            0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
        ]

        /// The four rounds applied to `count` consecutive 64-byte blocks at `blocks` (RFC 1321 §3.4).
        mutating func compress(blocks: UnsafeRawPointer, count: Int) {
            var a0 = self.a0, b0 = self.b0, c0 = self.c0, d0 = self.d0
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
                Self.sines.withUnsafeBufferPointer { k in
                    Self.shifts.withUnsafeBufferPointer { s in
                        for blockIndex in 0..<count {
                            let block = blocks + blockIndex &* 64
                            for index in 0..<16 {
                                m[index] = UInt32(
                                    littleEndian: block.loadUnaligned(fromByteOffset: 4 &* index, as: UInt32.self))
                            }
                            var a = a0, b = b0, c = c0, d = d0
                            @inline(__always)
                            func step(_ f: UInt32, _ i: Int, _ g: Int) {
                                let sum = f &+ a &+ k[i] &+ m[g]
                                a = d
                                d = c
                                c = b
                                b = b &+ ((sum << s[i]) | (sum >> (32 &- s[i])))
                            }
                            for i in 0..<16 { step((b & c) | (~b & d), i, i) }
                            for i in 16..<32 { step((d & b) | (~d & c), i, (5 &* i &+ 1) & 15) }
                            for i in 32..<48 { step(b ^ c ^ d, i, (3 &* i &+ 5) & 15) }
                            for i in 48..<64 { step(c ^ (b | ~d), i, (7 &* i) & 15) }
                            a0 &+= a
                            b0 &+= b
                            c0 &+= c
                            d0 &+= d
                        }
                    }
                }
            }
            self.a0 = a0
            self.b0 = b0
            self.c0 = c0
            self.d0 = d0
        }

        func digest() -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 16) { out, initialized in
                func store(_ word: UInt32, at offset: Int) {
                    out[offset] = UInt8(truncatingIfNeeded: word)
                    out[offset + 1] = UInt8(truncatingIfNeeded: word >> 8)
                    out[offset + 2] = UInt8(truncatingIfNeeded: word >> 16)
                    out[offset + 3] = UInt8(truncatingIfNeeded: word >> 24)
                }
                store(a0, at: 0)
                store(b0, at: 4)
                store(c0, at: 8)
                store(d0, at: 12)
                initialized = 16
            }
        }
    }
}

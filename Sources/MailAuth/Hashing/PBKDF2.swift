/// PBKDF2 with HMAC as the pseudo-random function (RFC 8018 §5.2), which SCRAM calls `Hi()`
/// (RFC 5802 §2.2) to turn a password into its salted form.
///
/// ```swift
/// let key = PBKDF2<SHA1>.deriveKey(password: Array("password".utf8), salt: Array("salt".utf8),
///                                   iterations: 4096, keyByteCount: 20)
/// ```
public enum PBKDF2<Hash: HashFunction> {
    /// Derives `keyByteCount` bytes from `password` and `salt` with `iterations` rounds of HMAC.
    ///
    /// - Precondition: `iterations >= 1` and `keyByteCount >= 1`; callers that take these values
    ///   from a server (SCRAM) validate them first.
    public static func deriveKey(password: [UInt8], salt: [UInt8], iterations: Int, keyByteCount: Int) -> [UInt8] {
        precondition(iterations >= 1 && keyByteCount >= 1, "PBKDF2 needs at least one iteration and one byte")
        let keyed = HMAC<Hash>(key: password)
        var derived: [UInt8] = []
        derived.reserveCapacity(keyByteCount)
        var blockIndex: UInt32 = 1
        while derived.count < keyByteCount {
            var mac = keyed
            mac.update(salt)
            mac.update([
                UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex),
            ])
            var u = mac.finalize()
            var block = u
            if iterations > 1 {
                for _ in 2...iterations {
                    var next = keyed
                    next.update(u)
                    u = next.finalize()
                    for index in block.indices { block[index] ^= u[index] }
                }
            }
            derived.append(contentsOf: block.prefix(keyByteCount - derived.count))
            blockIndex &+= 1
        }
        return derived
    }
}

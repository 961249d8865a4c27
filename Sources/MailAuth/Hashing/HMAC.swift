/// HMAC (RFC 2104) over any of MailAuth's hashes: `HMAC<MD5>` for CRAM-MD5, `HMAC<SHA1>` and
/// `HMAC<SHA256>` for SCRAM.
///
/// The keyed inner and outer states are computed once in `init(key:)`; copying a keyed `HMAC`
/// value and updating the copy is how PBKDF2 avoids re-hashing the padded key every iteration.
///
/// ```swift
/// let mac = HMAC<SHA256>.authenticationCode(for: Array("message".utf8), key: Array("key".utf8))
/// ```
public struct HMAC<Hash: HashFunction>: Sendable {
    private var inner: Hash
    private var outer: Hash

    /// A MAC keyed with `key`; keys longer than the block size are hashed first (RFC 2104 §2).
    public init(key: [UInt8]) {
        var key = key
        if key.count > Hash.blockByteCount { key = Hash.hash(key) }
        key += [UInt8](repeating: 0, count: Hash.blockByteCount - key.count)
        inner = Hash()
        inner.update(key.map { $0 ^ 0x36 })
        outer = Hash()
        outer.update(key.map { $0 ^ 0x5c })
    }

    /// Absorbs message bytes.
    public mutating func update(_ data: [UInt8]) {
        inner.update(data)
    }

    /// Absorbs message bytes from a buffer.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        inner.update(bytes: bytes)
    }

    /// Returns the MAC, `Hash.digestByteCount` bytes long.
    public mutating func finalize() -> [UInt8] {
        var outer = self.outer
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// The MAC of `message` under `key` in one call.
    public static func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        var mac = HMAC(key: key)
        mac.update(message)
        return mac.finalize()
    }
}

extension HMAC: CustomStringConvertible, CustomReflectable {
    /// `HMAC<SHA256>(<keyed>)`: the keyed state, from which the key could be recovered, is not shown.
    public var description: String { "HMAC<\(Hash.self)>(<keyed>)" }

    /// A mirror without children, so `dump` cannot print the keyed state.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// A cryptographic hash with an incremental interface (`update` then `finalize`).
///
/// MailAuth implements its own hashes so that the package has no dependency beyond the
/// toolchain: MD5 (RFC 1321) for CRAM-MD5 and APOP, SHA-1 and SHA-256 (FIPS 180-4) for SCRAM.
/// They are used for protocol compatibility, not as a general-purpose crypto library; MD5 and
/// SHA-1 are broken for collision resistance and are only offered because those mechanisms need them.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(Array("abc".utf8))
/// let digest = hasher.finalize()   // 32 bytes
/// ```
public protocol HashFunction: Sendable {
    /// The size of the digest in bytes (16 for MD5, 20 for SHA-1, 32 for SHA-256).
    static var digestByteCount: Int { get }
    /// The size of one input block in bytes (64 for all three); HMAC pads its key to this size (RFC 2104).
    static var blockByteCount: Int { get }
    /// A hasher in its initial state.
    init()
    /// Absorbs `bytes`; may be called any number of times.
    mutating func update(bytes: UnsafeRawBufferPointer)
    /// Pads the input, returns the digest. The hasher must not be used afterwards.
    mutating func finalize() -> [UInt8]
}

extension HashFunction {
    /// Absorbs the bytes of `data`.
    @inlinable
    public mutating func update(_ data: [UInt8]) {
        data.withUnsafeBytes { update(bytes: $0) }
    }

    /// Absorbs the UTF-8 bytes of `string`.
    public mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { update(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The digest of `data` in one call.
    @inlinable
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var hasher = Self()
        hasher.update(data)
        return hasher.finalize()
    }

    /// The digest of the UTF-8 bytes of `string` in one call.
    public static func hash(_ string: String) -> [UInt8] {
        var hasher = Self()
        hasher.update(string)
        return hasher.finalize()
    }
}

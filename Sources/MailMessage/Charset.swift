/// A character set MailMessage can decode text from (MIME `charset` parameter, RFC 2046 §4.1.2;
/// RFC 2047 encoded words).
///
/// Cyrillic mail is common for this library's users, so KOI8-R, KOI8-U and Windows-1251 are
/// decoded with built-in tables rather than relying on the platform. Text in a charset not
/// listed here is decoded by ``Charset/decode(_:charsetName:)`` as UTF-8 when valid and as
/// Windows-1252 otherwise, so it is always readable and never fails.
public enum Charset: String, Sendable, Hashable, CaseIterable {
    /// UTF-8 (RFC 3629).
    case utf8 = "utf-8"
    /// US-ASCII. Bytes above 0x7F are decoded as UTF-8 when valid, else as Windows-1252.
    case usASCII = "us-ascii"
    /// ISO-8859-1 (Latin-1). Decoded as Windows-1252, its superset, as mail readers do.
    case iso8859_1 = "iso-8859-1"
    /// ISO-8859-2 (Latin-2, Central European).
    case iso8859_2 = "iso-8859-2"
    /// ISO-8859-5 (Cyrillic).
    case iso8859_5 = "iso-8859-5"
    /// ISO-8859-15 (Latin-9, with the euro sign).
    case iso8859_15 = "iso-8859-15"
    /// KOI8-R (RFC 1489, Russian).
    case koi8R = "koi8-r"
    /// KOI8-U (RFC 2319, Ukrainian).
    case koi8U = "koi8-u"
    /// Windows-1251 (Cyrillic).
    case windows1251 = "windows-1251"
    /// Windows-1252 (Western European).
    case windows1252 = "windows-1252"

    /// Finds a charset by its IANA name or a common alias, ignoring case, `-`, `_` and spaces
    /// (`UTF8`, `cp1251`, `latin1`, `koi8r`…). Returns `nil` for charsets not listed here.
    public init?(name: some StringProtocol) {
        guard let found = Array(name.utf8).withUnsafeBufferPointer({ Charset(nameBytes: $0) }) else { return nil }
        self = found
    }

    /// ``init(name:)`` on the bytes of a name, as found in a header (no String needed).
    init?(nameBytes: UnsafeBufferPointer<UInt8>) {
        // Fast path for the label nearly every encoded word carries.
        if nameBytes.count == 5, nameBytes[0] | 0x20 == 0x75, nameBytes[1] | 0x20 == 0x74, nameBytes[2] | 0x20 == 0x66,
            nameBytes[3] == 0x2D, nameBytes[4] == 0x38
        {
            self = .utf8
            return
        }
        // Normalize into a small stack buffer: lower case, without - _ space quote tab, up to
        // an RFC 2231 "*language" suffix. Names longer than any alias are not charsets we know.
        let key: String? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { normalized in
            var count = 0
            for byte in nameBytes {
                switch byte {
                case 0x2D, 0x5F, 0x20, 0x22, 0x09: continue
                case 0x2A: break
                default:
                    guard count < 24 else { return nil }
                    normalized[count] = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
                    count += 1
                    continue
                }
                break
            }
            return String(decoding: UnsafeBufferPointer(rebasing: normalized[..<count]), as: UTF8.self)
        }
        guard let key, let charset = Charset.aliases[key] else { return nil }
        self = charset
    }

    /// Normalized names (lower case, no `-`, `_` or spaces) and aliases of each charset.
    static let aliases: [String: Charset] = [
        "utf8": .utf8,
        "unicode11utf8": .utf8,
        "xunicode20utf8": .utf8,
        "usascii": .usASCII,
        "ascii": .usASCII,
        "ansix3.41968": .usASCII,
        "iso646us": .usASCII,
        "us": .usASCII,
        "cp367": .usASCII,
        "ibm367": .usASCII,
        "iso88591": .iso8859_1,
        "latin1": .iso8859_1,
        "l1": .iso8859_1,
        "iso885911987": .iso8859_1,
        "cp819": .iso8859_1,
        "ibm819": .iso8859_1,
        "isoir100": .iso8859_1,
        "iso88592": .iso8859_2,
        "latin2": .iso8859_2,
        "l2": .iso8859_2,
        "iso885921987": .iso8859_2,
        "isoir101": .iso8859_2,
        "iso88595": .iso8859_5,
        "cyrillic": .iso8859_5,
        "iso885951988": .iso8859_5,
        "isoir144": .iso8859_5,
        "iso885915": .iso8859_15,
        "latin9": .iso8859_15,
        "l9": .iso8859_15,
        "latin0": .iso8859_15,
        "koi8r": .koi8R,
        "koi8": .koi8R,
        "cskoi8r": .koi8R,
        "koi8u": .koi8U,
        "koi8ru": .koi8U,
        "windows1251": .windows1251,
        "cp1251": .windows1251,
        "win1251": .windows1251,
        "xcp1251": .windows1251,
        "mscyrl": .windows1251,
        "windows1252": .windows1252,
        "cp1252": .windows1252,
        "win1252": .windows1252,
        "xcp1252": .windows1252,
        "msansi": .windows1252,
    ]

    /// Decodes bytes in this charset. Never fails: malformed UTF-8 becomes U+FFFD.
    public func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        Charset.withBuffer(bytes) { decode(buffer: $0) }
    }

    /// Decodes bytes labelled with `charsetName`, which may be `nil`, unknown or misspelt.
    ///
    /// Known charsets use ``decode(_:)``; anything else is decoded as UTF-8 when the bytes are
    /// valid UTF-8 and as Windows-1252 otherwise, so the result is always readable.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, charsetName: String?) -> String {
        if let charsetName, let charset = Charset(name: charsetName) {
            return charset.decode(bytes)
        }
        return decodeUnlabelled(bytes)
    }

    /// UTF-8 when valid, else Windows-1252: the best guess for unlabelled 8-bit text.
    static func decodeUnlabelled<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        withBuffer(bytes) { decodeUnlabelled(buffer: $0) }
    }

    /// Runs `body` over contiguous bytes, copying only when the collection is not contiguous.
    /// The decoders below are not generic so they compile to tight loops with no casts.
    static func withBuffer<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ body: (UnsafeBufferPointer<UInt8>) -> String) -> String {
        if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
        return Array(bytes).withUnsafeBufferPointer(body)
    }

    func decode(buffer: UnsafeBufferPointer<UInt8>) -> String {
        if Charset.isASCII(buffer) { return String(decoding: buffer, as: UTF8.self) }
        switch self {
        case .utf8: return String(decoding: buffer, as: UTF8.self)
        case .usASCII: return Charset.decodeUnlabelled(buffer: buffer)
        case .iso8859_1, .windows1252: return Charset.decode(buffer, table: Charset.windows1252High)
        case .iso8859_2: return Charset.decode(buffer, table: Charset.iso8859_2High)
        case .iso8859_5: return Charset.decode(buffer, table: Charset.iso8859_5High)
        case .iso8859_15: return Charset.decode(buffer, table: Charset.iso8859_15High)
        case .koi8R: return Charset.decode(buffer, table: Charset.koi8rHigh)
        case .koi8U: return Charset.decode(buffer, table: Charset.koi8uHigh)
        case .windows1251: return Charset.decode(buffer, table: Charset.windows1251High)
        }
    }

    static func decodeUnlabelled(buffer: UnsafeBufferPointer<UInt8>) -> String {
        if let text = String(validating: buffer, as: UTF8.self) { return text }
        return decode(buffer, table: windows1252High)
    }

    static func isASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in buffer { combined |= byte }
        return combined < 0x80
    }

    /// Decodes a single-byte charset: ASCII below 0x80, `table` above.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, table: [UInt16]) -> String {
        var text = String()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            let value = byte < 0x80 ? UInt32(byte) : UInt32(table[Int(byte) - 0x80])
            text.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return text
    }
}

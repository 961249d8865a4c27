/// Base64 for SASL exchanges, shared by the POP3 (RFC 5034) and SMTP (RFC 4954) clients so that
/// neither carries its own copy.
///
/// ```
/// C: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm        ← encodeInitialResponse(bytes)
/// S: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+   ← decode("PDE4…")
/// ```
public enum SASLCodec {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (index, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(index) }
        return table
    }()

    /// The line a client sends to cancel an exchange (RFC 4954 §4, RFC 5034 §4).
    public static let cancellation = "*"

    /// `bytes` as padded base64 (RFC 4648 §4).
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [
                alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)],
                alphabet[Int(value >> 6 & 63)], alphabet[Int(value & 63)],
            ]
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let value = UInt32(bytes[index]) << 16
            out += [
                alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "="),
            ]
        case 2:
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [
                alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)],
                alphabet[Int(value >> 6 & 63)], UInt8(ascii: "="),
            ]
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An initial response as it goes on the `AUTH` line: base64, or a single `=` when the
    /// response is empty (RFC 4954 §4, RFC 5034 §4), so that "empty" and "absent" differ.
    public static func encodeInitialResponse(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "=" : encode(bytes)
    }

    /// Decodes a challenge or success-data text (without the `+ ` or `334 ` prefix).
    ///
    /// Strict about the alphabet (no spaces, no URL-safe symbols) because a challenge that is not
    /// base64 means the peer is not speaking SASL; tolerant of missing trailing `=` padding,
    /// which some servers omit. The empty string decodes to no bytes.
    public static func decode(_ text: some StringProtocol) throws(MailAuthError) -> [UInt8] {
        var symbols = Array(text.utf8)
        var padding = 0
        while symbols.last == UInt8(ascii: "=") && padding < 2 {
            symbols.removeLast()
            padding += 1
        }
        guard symbols.count % 4 != 1, (padding == 0 || (symbols.count + padding) % 4 == 0) else {
            throw MailAuthError(.invalidBase64, detail: "base64 text has an impossible length")
        }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            let value = decodeTable[Int(symbol)]
            guard value != 0xff else {
                throw MailAuthError(.invalidBase64, detail: "character outside the base64 alphabet")
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}

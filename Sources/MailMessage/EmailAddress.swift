internal import UnicodeNormalization

/// A validated e-mail address, `local-part@domain` (RFC 5321 §4.1.2, RFC 5322 §3.4.1).
///
/// The domain is kept in two forms: ``domain`` as a person reads it (lower-cased Unicode)
/// and ``asciiDomain``, the IDNA form with Punycode labels (RFC 5891, RFC 3492) for DNS and
/// for SMTP servers without SMTPUTF8. A non-ASCII local part is allowed (RFC 6531) and
/// flagged by ``requiresSMTPUTF8``. Lengths are checked against RFC 5321 §4.5.3.1, and control
/// characters (CR, LF, NUL, TAB, DEL, C1) are always refused, quoted or not, so an address can
/// never inject protocol lines or read as another address.
///
/// ```swift
/// let address = try EmailAddress("Ivan@Почта.рф")
/// address.asciiString   // "Ivan@xn--80a1acny.xn--p1ai"
/// ```
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The part before the `@`, exactly as given (it is case-sensitive, RFC 5321 §2.4).
    /// A quoted local part keeps its quotes.
    public let localPart: String
    /// The domain in Unicode, lower-cased; an address literal such as `[192.0.2.1]` as given.
    public let domain: String
    /// The domain in ASCII (IDNA `xn--` labels), lower-cased.
    public let asciiDomain: String

    /// RFC 5321 §4.5.3.1.1: at most 64 octets in a local part.
    public static let maxLocalPartLength = 64
    /// RFC 5321 §4.5.3.1.2: at most 255 octets in a domain.
    public static let maxDomainLength = 255
    /// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including `<` and `>`.
    public static let maxAddressLength = 254
    /// RFC 1035 §2.3.4: at most 63 octets in a label.
    public static let maxLabelLength = 63

    /// Parses and validates `local@domain` (no display name, no angle brackets).
    /// - Throws: ``MessageError`` with `invalidAddress`, `invalidDomain` or `addressTooLong`.
    public init(_ string: some StringProtocol) throws(MessageError) {
        let text = String(string)
        guard let at = text.lastIndex(of: "@") else {
            throw MessageError(.invalidAddress, "an address needs an @")
        }
        try self.init(localPart: text[..<at], domain: text[text.index(after: at)...])
    }

    /// Validates a local part and a domain separately.
    public init(localPart: some StringProtocol, domain: some StringProtocol) throws(MessageError) {
        let local = String(localPart)
        // Controls (CR, LF, NUL, TAB, DEL, C1) are refused anywhere, quoted or not: they either
        // inject protocol lines or make the address read as another one.
        if local.unicodeScalars.contains(where: Mailbox.isControl)
            || domain.unicodeScalars.contains(where: Mailbox.isControl)
        {
            throw MessageError(.invalidAddress, "an address contains a control character (CR, LF, NUL, TAB, …)")
        }
        try EmailAddress.validateLocalPart(local)
        let (unicode, ascii) = try EmailAddress.normalizeDomain(String(domain))
        guard local.utf8.count + 1 + ascii.utf8.count <= EmailAddress.maxAddressLength else {
            throw MessageError(.addressTooLong, "an address exceeds \(EmailAddress.maxAddressLength) octets")
        }
        self.localPart = local
        self.domain = unicode
        self.asciiDomain = ascii
    }

    /// Whether sending to or from this address needs the SMTPUTF8 extension (RFC 6531):
    /// true when the local part is not ASCII. (A non-ASCII domain has an ASCII form.)
    public var requiresSMTPUTF8: Bool { localPart.utf8.contains { $0 >= 0x80 } }

    /// `local@domain` with the Unicode domain, for people.
    public var description: String { "\(localPart)@\(domain)" }

    /// `local@asciiDomain`, for the SMTP envelope and DNS.
    public var asciiString: String { "\(localPart)@\(asciiDomain)" }

    /// Orders by domain, then local part.
    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool {
        (lhs.asciiDomain, lhs.localPart) < (rhs.asciiDomain, rhs.localPart)
    }

    /// `atext` of RFC 5322 §3.2.3 plus UTF-8 (RFC 6532 §3.2).
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: return true
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2F, 0x3D, 0x3F, 0x5E...0x60, 0x7B...0x7E: return true
        default: return byte >= 0x80
        }
    }

    static func validateLocalPart(_ local: String) throws(MessageError) {
        let bytes = Array(local.utf8)
        guard !bytes.isEmpty else { throw MessageError(.invalidAddress, "the local part is empty") }
        guard !bytes.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            throw MessageError(.invalidAddress, "an address contains CR, LF or NUL")
        }
        guard bytes.count <= maxLocalPartLength else {
            throw MessageError(.addressTooLong, "the local part exceeds \(maxLocalPartLength) octets")
        }
        if bytes.first == 0x22 {
            // quoted-string: qtext or quoted-pair between the quotes.
            guard bytes.count >= 2, bytes.last == 0x22 else {
                throw MessageError(.invalidAddress, "unterminated quoted local part")
            }
            var index = 1
            while index < bytes.count - 1 {
                let byte = bytes[index]
                if byte == 0x5C {
                    guard index + 1 < bytes.count - 1 else {
                        throw MessageError(.invalidAddress, "bad escape in a quoted local part")
                    }
                    index += 2
                    continue
                }
                guard byte != 0x22, byte >= 0x20 || byte == 0x09 else {
                    throw MessageError(.invalidAddress, "bad character in a quoted local part")
                }
                index += 1
            }
            return
        }
        // dot-atom: atoms separated by single dots, none at either end.
        guard bytes.first != 0x2E, bytes.last != 0x2E else {
            throw MessageError(.invalidAddress, "a local part cannot start or end with a dot")
        }
        var previousDot = false
        for byte in bytes {
            if byte == 0x2E {
                guard !previousDot else { throw MessageError(.invalidAddress, "two dots in a row in a local part") }
                previousDot = true
                continue
            }
            previousDot = false
            guard isAtext(byte) else { throw MessageError(.invalidAddress, "a character not allowed in a local part") }
        }
    }

    /// Label separators IDNA accepts besides the full stop (UTS #46 §2.3).
    static let dots: Set<Character> = [".", "\u{3002}", "\u{FF0E}", "\u{FF61}"]

    static func normalizeDomain(_ raw: String) throws(MessageError) -> (unicode: String, ascii: String) {
        guard !raw.isEmpty else { throw MessageError(.invalidDomain, "the domain is empty") }
        guard !raw.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            throw MessageError(.invalidAddress, "an address contains CR, LF or NUL")
        }
        if raw.hasPrefix("[") {
            // Address literal (RFC 5321 §4.1.3): dtext between brackets.
            guard raw.hasSuffix("]"), raw.utf8.count > 2,
                raw.utf8.dropFirst().dropLast().allSatisfy({
                    $0 > 0x20 && $0 < 0x7F && $0 != 0x5B && $0 != 0x5D && $0 != 0x5C
                })
            else { throw MessageError(.invalidDomain, "malformed address literal") }
            return (raw, raw)
        }
        // ASCII domains (nearly all) skip Unicode normalization.
        let normalized =
            raw.utf8.allSatisfy({ $0 < 0x80 })
            ? String(decoding: raw.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            : raw.normalized(.nfc).lowercased()
        let labels = normalized.split(omittingEmptySubsequences: false) { dots.contains($0) }
        var unicodeLabels: [String] = []
        var asciiLabels: [String] = []
        for label in labels {
            guard !label.isEmpty else { throw MessageError(.invalidDomain, "a domain has an empty label") }
            let ascii: String
            if label.utf8.allSatisfy({ $0 < 0x80 }) {
                ascii = String(label)
            } else {
                guard let encoded = Punycode.encode(label) else {
                    throw MessageError(.invalidDomain, "a domain label cannot be converted to ASCII")
                }
                ascii = "xn--" + encoded
            }
            guard ascii.utf8.count <= maxLabelLength else {
                throw MessageError(.invalidDomain, "a domain label exceeds \(maxLabelLength) octets")
            }
            guard ascii.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }),
                ascii.utf8.first != 0x2D, ascii.utf8.last != 0x2D
            else { throw MessageError(.invalidDomain, "a domain label has a character not allowed in host names") }
            var unicode = String(label)
            if ascii.hasPrefix("xn--"), label.utf8.allSatisfy({ $0 < 0x80 }) {
                guard let decoded = Punycode.decode(ascii.dropFirst(4)) else {
                    throw MessageError(.invalidDomain, "a domain label has malformed Punycode")
                }
                unicode = decoded
            }
            unicodeLabels.append(unicode)
            asciiLabels.append(ascii)
        }
        let ascii = asciiLabels.joined(separator: ".")
        guard ascii.utf8.count <= maxDomainLength else {
            throw MessageError(.addressTooLong, "the domain exceeds \(maxDomainLength) octets")
        }
        return (unicodeLabels.joined(separator: "."), ascii)
    }
}

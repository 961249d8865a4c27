import MailMessage
internal import UnicodeNormalization

/// An e-mail address ready for discovery: local part as typed, domain in lower-case ASCII
/// (IDNA A-labels via Punycode), trailing dot removed.
///
/// The split is at the **last** `@` (RFC 5321 §4.1.2 allows a quoted local part containing
/// `@`). The domain must be a valid host name (RFC 1123 §2.1: labels of 1–63 letters, digits
/// and hyphens, not starting or ending with a hyphen, at most 253 characters) with at least
/// two labels.
public struct NormalizedAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The part before the last `@`, unchanged.
    public let localPart: String
    /// The domain in lower-case ASCII (`xn--` labels for internationalised names).
    public let domain: String

    /// Normalises `text` or throws ``DiscoveryError/Code/invalidAddress``.
    public init(_ text: String) throws {
        let trimmed = text.trimmingWhiteSpace()
        guard let at = trimmed.lastIndex(of: "@") else {
            throw DiscoveryError(.invalidAddress, "no @ in the address")
        }
        let local = String(trimmed[..<at])
        var domainText = String(trimmed[trimmed.index(after: at)...])
        guard !local.isEmpty, local.utf8.count <= 64 * 4 else {
            throw DiscoveryError(.invalidAddress, "the part before @ is empty or too long")
        }
        guard !local.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw DiscoveryError(.invalidAddress, "the part before @ holds control characters")
        }
        if domainText.hasSuffix(".") { domainText.removeLast() }
        guard let domain = Self.asciiDomain(domainText) else {
            throw DiscoveryError(.invalidAddress, "\(domainText.prefix(80)) is not a valid domain")
        }
        self.localPart = local
        self.domain = domain
    }

    /// `localPart@domain`.
    public var address: String { localPart + "@" + domain }
    /// `localPart@domain`.
    public var description: String { address }

    /// The `xn--` form of one label (MailMessage's RFC 3492 Punycode), or the label itself when ASCII.
    static func asciiLabel(_ label: Substring) -> String? {
        if label.unicodeScalars.allSatisfy(\.isASCII) { return String(label) }
        return Punycode.encode(label).map { "xn--" + $0 }
    }

    /// The domain as lower-case ASCII, or nil when it is not a valid host name.
    static func asciiDomain(_ text: String) -> String? {
        let folded = text.normalized(.nfc).lowercased()
        let labels = folded.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        var ascii: [String] = []
        for label in labels {
            guard let encoded = asciiLabel(label), isValidLabel(encoded) else { return nil }
            ascii.append(encoded)
        }
        let result = ascii.joined(separator: ".")
        return result.utf8.count <= 253 ? result : nil
    }

    /// Whether `label` is an LDH label (RFC 1123 §2.1; underscores refused).
    static func isValidLabel(_ label: String) -> Bool {
        let bytes = Array(label.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }
}

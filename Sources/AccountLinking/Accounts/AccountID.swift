import MailMessage

/// A linked account's identity: its address in one canonical form, built once from an
/// ``MailMessage/EmailAddress``.
///
/// The local part is compared without regard to ASCII case (almost every provider treats
/// `Alice@` and `alice@` as one mailbox) and the domain in its ASCII (IDNA) form, lower-cased, so
/// `Ünïcode@Bücher.example` and `ünïcode@xn--bcher-kva.example` are the same account. Stores, sync
/// records and identities all key on this value; the address as the user typed it is kept
/// separately for display (``LinkedAccount/address``).
///
/// Encoded as its text form, so stored files stay readable: `"alice@example.com"`.
public struct AccountID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The canonical text: lower-cased local part, `@`, lower-cased ASCII domain.
    public let rawValue: String

    /// The identity of `address`.
    public init(_ address: EmailAddress) {
        rawValue = address.localPart.lowercased() + "@" + address.asciiDomain.lowercased()
    }

    /// Parses `text` as an address and takes its identity.
    /// - Throws: the address parser's `MessageError` when `text` is not one address.
    public init(parsing text: some StringProtocol) throws {
        self.init(try EmailAddress(text))
    }

    /// The canonical text.
    public var description: String { rawValue }

    public static func < (lhs: AccountID, rhs: AccountID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes the text form, re-canonicalising it (a hand-edited file may differ in case).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an e-mail address: \(text)")
        }
    }

    /// Encodes the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

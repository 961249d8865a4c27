/// A mailbox as it goes between angle brackets in `MAIL FROM:<…>` and `RCPT TO:<…>`
/// (RFC 5321 §4.1.2 `Path`).
///
/// Validated on creation so that no address can inject a command or a parameter:
/// CR, LF, NUL and other control characters, spaces, `<` and `>` are refused, as are
/// source routes (`@a,@b:user@c`, RFC 5321 §4.1.2 says not to send them) and addresses
/// longer than RFC 5321 §4.5.3.1 allows. A quoted local part with spaces is refused too:
/// submission servers rarely accept one and it is easily abused.
///
/// ```swift
/// let path = try SMTPPath("alice@example.com")   // C: RCPT TO:<alice@example.com>
/// ```
public struct SMTPPath: Sendable, Hashable, CustomStringConvertible {
    /// The address, `local@domain`.
    public let address: String

    /// RFC 5321 §4.5.3.1.1: at most 64 octets in a local part.
    public static let maximumLocalPartLength = 64
    /// RFC 5321 §4.5.3.1.2: at most 255 octets in a domain.
    public static let maximumDomainLength = 255
    /// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
    public static let maximumLength = 254

    /// Validates `address`.
    /// - Throws: ``SMTPError/Code-swift.struct/invalidArgument`` saying what is wrong.
    public init(_ address: some StringProtocol) throws(SMTPError) {
        let address = String(address)
        func refuse(_ why: String) -> SMTPError {
            SMTPError(.invalidArgument, detail: "the address \(why)", address: Self.printable(address))
        }
        let bytes = Array(address.utf8)
        guard !bytes.isEmpty else { throw refuse("is empty") }
        guard bytes.count <= Self.maximumLength else { throw refuse("is longer than \(Self.maximumLength) octets") }
        for byte in bytes {
            if byte < 0x21 || byte == 0x7f { throw refuse("contains a space or a control character") }
            if byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") { throw refuse("contains an angle bracket") }
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else {
            throw refuse("is not of the form local@domain")
        }
        guard bytes[0] != UInt8(ascii: "@") else { throw refuse("has a source route") }
        guard at <= Self.maximumLocalPartLength else {
            throw refuse("has a local part longer than \(Self.maximumLocalPartLength) octets")
        }
        guard bytes.count - at - 1 <= Self.maximumDomainLength else {
            throw refuse("has a domain longer than \(Self.maximumDomainLength) octets")
        }
        let domain = bytes[(at + 1)...]
        let literal = domain.first == UInt8(ascii: "[") && domain.last == UInt8(ascii: "]")
        if !literal {
            let allowed = domain.allSatisfy { byte in
                byte >= 0x80 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            guard allowed else { throw refuse("has characters a domain cannot have") }
        }
        self.address = address
    }

    /// Whether the address needs SMTPUTF8 (RFC 6531): it has non-ASCII characters.
    public var requiresSMTPUTF8: Bool { address.utf8.contains { $0 >= 0x80 } }

    /// The address.
    public var description: String { address }

    /// The address made safe for an error message (control characters escaped).
    static func printable(_ address: String) -> String {
        String(
            String(address.unicodeScalars.prefix(100).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        )
    }
}

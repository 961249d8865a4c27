/// An ESMTP parameter on `MAIL FROM` or `RCPT TO`, `KEYWORD[=value]` (RFC 5321 §4.1.2).
///
/// ```
/// C: MAIL FROM:<alice@example.com> SIZE=1024 BODY=8BITMIME
/// ```
public struct SMTPParameter: Sendable, Hashable, CustomStringConvertible {
    /// The keyword, letters, digits and hyphens, e.g. `SIZE`.
    public var keyword: String
    /// The value, printable ASCII other than `=` and space, or nil for a bare keyword.
    public var value: String?

    /// A parameter; checked when the command is encoded.
    public init(_ keyword: String, _ value: String? = nil) {
        self.keyword = keyword
        self.value = value
    }

    /// `SIZE=n` (RFC 1870 §6): the message size, so the server can refuse early.
    public static func size(_ octets: Int) -> SMTPParameter { SMTPParameter("SIZE", String(octets)) }
    /// `BODY=8BITMIME` (RFC 6152 §2): the message has 8-bit bytes.
    public static let body8BitMIME = SMTPParameter("BODY", "8BITMIME")
    /// `SMTPUTF8` (RFC 6531 §3.4): addresses or headers are UTF-8.
    public static let smtpUTF8 = SMTPParameter("SMTPUTF8")

    /// `KEYWORD=value`.
    public var description: String { value.map { "\(keyword)=\($0)" } ?? keyword }

    /// Whether keyword and value follow RFC 5321 §4.1.2 (`esmtp-keyword`, `esmtp-value`).
    var isValid: Bool {
        let keywordBytes = Array(keyword.utf8)
        guard let first = keywordBytes.first, Self.isAlphanumeric(first),
            keywordBytes.allSatisfy({ Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        else { return false }
        guard let value else { return true }
        return !value.isEmpty && value.utf8.allSatisfy { (33...126).contains($0) && $0 != UInt8(ascii: "=") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

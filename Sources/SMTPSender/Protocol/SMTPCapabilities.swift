/// What a server said it supports in its EHLO reply (RFC 5321 §4.1.1.1): one extension
/// keyword per line after the first, with optional parameters.
///
/// ```
/// S: 250-smtp.example.com Hello
/// S: 250-PIPELINING
/// S: 250-SIZE 35882577
/// S: 250-STARTTLS
/// S: 250 AUTH PLAIN LOGIN XOAUTH2
/// ```
public struct SMTPCapabilities: Sendable, Hashable {
    /// The server's name and greeting text from the first line.
    public var greeting: String
    /// Each keyword, upper case, with its parameters as sent.
    public var extensions: [String: [String]]

    /// No extensions: what a server answering only HELO offers.
    public init(greeting: String = "", extensions: [String: [String]] = [:]) {
        self.greeting = greeting
        self.extensions = extensions
    }

    /// The capabilities in a 250 reply to EHLO.
    public init(ehloReply reply: SMTPReply) {
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            // Old servers write "AUTH=PLAIN LOGIN" (pre-RFC 4954 syntax); read it as AUTH.
            if first.uppercased().hasPrefix("AUTH=") {
                extensions["AUTH", default: []] += [String(first.dropFirst(5))] + words.dropFirst()
                continue
            }
            extensions[first.uppercased(), default: []] += words.dropFirst()
        }
        self.init(greeting: reply.lines.first ?? "", extensions: extensions)
    }

    /// Whether `keyword` (any case) was advertised.
    public func supports(_ keyword: String) -> Bool { extensions[keyword.uppercased()] != nil }

    /// PIPELINING (RFC 2920): MAIL, RCPT and DATA may go in one write.
    public var supportsPipelining: Bool { supports("PIPELINING") }
    /// CHUNKING (RFC 3030): the message may go as `BDAT` chunks instead of DATA.
    public var supportsChunking: Bool { supports("CHUNKING") }
    /// STARTTLS (RFC 3207).
    public var supportsStartTLS: Bool { supports("STARTTLS") }
    /// 8BITMIME (RFC 6152).
    public var supports8BitMIME: Bool { supports("8BITMIME") }
    /// SMTPUTF8 (RFC 6531).
    public var supportsSMTPUTF8: Bool { supports("SMTPUTF8") }
    /// ENHANCEDSTATUSCODES (RFC 2034).
    public var supportsEnhancedStatusCodes: Bool { supports("ENHANCEDSTATUSCODES") }
    /// Whether SIZE (RFC 1870) was advertised, with or without a limit.
    public var supportsSize: Bool { supports("SIZE") }

    /// The SASL mechanisms after AUTH (RFC 4954 §3), upper case, in the server's order.
    public var authenticationMechanisms: [String] {
        var seen = Set<String>()
        return (extensions["AUTH"] ?? []).map { $0.uppercased() }.filter { seen.insert($0).inserted }
    }

    /// The largest message the server accepts, from `SIZE n` (RFC 1870 §4); nil when not
    /// advertised or 0 (no fixed limit).
    public var maximumMessageSize: Int? {
        guard let value = extensions["SIZE"]?.first, let size = Int(value), size > 0 else { return nil }
        return size
    }
}

/// An SMTP command as a value that encodes itself to its wire form, CRLF included
/// (RFC 5321 §4.1.1, RFC 3207, RFC 4954).
///
/// Encoding refuses any argument that could smuggle a second command: CR, LF and NUL
/// anywhere; spaces in a domain; angle brackets in a path; malformed ESMTP parameters.
///
/// ```
/// C: EHLO [127.0.0.1]
/// C: MAIL FROM:<alice@example.com> SIZE=2048
/// C: RCPT TO:<bob@example.org>
/// C: DATA
/// C: BDAT 2048 LAST
/// ```
public enum SMTPCommand: Sendable, Hashable, CustomStringConvertible {
    /// `EHLO domain` (RFC 5321 §4.1.1.1): opens the session and asks for the extensions.
    case ehlo(String)
    /// `HELO domain`: the fallback for servers that do not know EHLO.
    case helo(String)
    /// `STARTTLS` (RFC 3207 §4).
    case startTLS
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4); the response is already base64
    /// (or `=` for an empty one).
    case auth(mechanism: String, initialResponse: String?)
    /// One base64 line answering a `334` challenge, or `*` to cancel (RFC 4954 §4).
    case authResponse(String)
    /// `MAIL FROM:<path> [parameters]`; a nil path is the null reverse path `<>`.
    case mailFrom(SMTPPath?, parameters: [SMTPParameter])
    /// `RCPT TO:<path> [parameters]`.
    case rcptTo(SMTPPath, parameters: [SMTPParameter])
    /// `DATA` (RFC 5321 §4.1.1.4).
    case data
    /// `BDAT size [LAST]` (RFC 3030 §2): the next `size` octets are message data, sent right
    /// after the line, with no dot-stuffing and no terminator; `last` ends the message.
    case bdat(size: Int, last: Bool)
    /// `RSET`: abandons the current transaction (RFC 5321 §4.1.1.5).
    case rset
    /// `NOOP`.
    case noop
    /// `QUIT`.
    case quit

    /// The command line, CRLF included.
    /// - Throws: ``SMTPError/Code-swift.struct/invalidArgument`` when an argument could break
    ///   the line or inject syntax.
    public func encoded() throws(SMTPError) -> [UInt8] {
        var line: String
        switch self {
        case .ehlo(let domain):
            line = "EHLO " + (try Self.checkedDomain(domain))
        case .helo(let domain):
            line = "HELO " + (try Self.checkedDomain(domain))
        case .startTLS:
            line = "STARTTLS"
        case .auth(let mechanism, let initialResponse):
            line = "AUTH " + (try Self.checkedToken(mechanism, what: "mechanism name"))
            if let initialResponse { line += " " + (try Self.checkedToken(initialResponse, what: "initial response")) }
        case .authResponse(let response):
            line = try Self.checkedToken(response, what: "AUTH response", allowEmpty: true)
        case .mailFrom(let path, let parameters):
            line = "MAIL FROM:<\(path?.address ?? "")>" + (try Self.encoded(parameters))
        case .rcptTo(let path, let parameters):
            line = "RCPT TO:<\(path.address)>" + (try Self.encoded(parameters))
        case .data:
            line = "DATA"
        case .bdat(let size, let last):
            guard size >= 0 else {
                throw SMTPError(.invalidArgument, detail: "a BDAT chunk cannot have a negative size")
            }
            line = "BDAT \(size)" + (last ? " LAST" : "")
        case .rset:
            line = "RSET"
        case .noop:
            line = "NOOP"
        case .quit:
            line = "QUIT"
        }
        // Paths are validated when made; this guard holds the invariant for every case.
        guard !line.utf8.contains(where: { $0 == 0x0d || $0 == 0x0a || $0 == 0 }) else {
            throw SMTPError(.invalidArgument, detail: "a command argument contains CR, LF or NUL")
        }
        return Array(line.utf8) + [0x0d, 0x0a]
    }

    /// The command as a log line, with AUTH data redacted.
    public var description: String {
        switch self {
        case .auth(let mechanism, let initialResponse):
            return "AUTH \(mechanism)" + (initialResponse == nil ? "" : " <redacted>")
        case .authResponse:
            return "<redacted AUTH response>"
        default:
            let bytes = (try? encoded()) ?? []
            return String(decoding: bytes.dropLast(2), as: UTF8.self)
        }
    }

    /// The verb, upper case: `MAIL`, `RCPT`, `AUTH`, …; empty for an AUTH response line.
    public var verb: String {
        switch self {
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .startTLS: "STARTTLS"
        case .auth: "AUTH"
        case .authResponse: ""
        case .mailFrom: "MAIL"
        case .rcptTo: "RCPT"
        case .data: "DATA"
        case .bdat: "BDAT"
        case .rset: "RSET"
        case .noop: "NOOP"
        case .quit: "QUIT"
        }
    }

    private static func checkedDomain(_ domain: String) throws(SMTPError) -> String {
        guard !domain.isEmpty, domain.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7f }) else {
            throw SMTPError(
                .invalidArgument, detail: "the EHLO/HELO domain must be one word without control characters")
        }
        return domain
    }

    private static func checkedToken(
        _ token: String, what: String, allowEmpty: Bool = false
    ) throws(SMTPError) -> String {
        guard allowEmpty || !token.isEmpty, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw SMTPError(.invalidArgument, detail: "the \(what) must be printable ASCII without spaces")
        }
        return token
    }

    private static func encoded(_ parameters: [SMTPParameter]) throws(SMTPError) -> String {
        var text = ""
        for parameter in parameters {
            guard parameter.isValid else {
                throw SMTPError(
                    .invalidArgument,
                    detail: "an ESMTP parameter is malformed: \(SMTPPath.printable(parameter.description))")
            }
            text += " " + parameter.description
        }
        return text
    }
}

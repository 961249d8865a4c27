/// A command of an LMTP session (RFC 2033): `LHLO`, which LMTP has instead of `EHLO` and
/// `HELO` (§4.1), and the SMTP commands it keeps as they are (``SMTPCommand``: `MAIL`, `RCPT`,
/// `DATA`, `RSET`, `NOOP`, `STARTTLS`, `QUIT`).
///
/// ```
/// C: LHLO worker-1.example.net
/// C: MAIL FROM:<>
/// C: RCPT TO:<judy+Work@example.test>
/// C: DATA
/// ```
public enum LMTPCommand: Sendable, Hashable, CustomStringConvertible {
    /// `LHLO domain` (RFC 2033 §4.1): opens the session and asks for the extensions.
    case lhlo(String)
    /// Any other command, encoded as SMTP encodes it (RFC 2033 §4: the same syntax).
    case smtp(SMTPCommand)

    /// The command line, CRLF included.
    /// - Throws: ``SMTPError/Code-swift.struct/invalidArgument`` when an argument could break
    ///   the line or inject syntax (the LHLO domain must be one word without control characters).
    public func encoded() throws(SMTPError) -> [UInt8] {
        switch self {
        case .lhlo(let domain):
            // The same check and shape as EHLO; only the verb differs.
            let ehlo = try SMTPCommand.ehlo(domain).encoded()
            return Array("LHLO".utf8) + ehlo.dropFirst(4)
        case .smtp(let command):
            return try command.encoded()
        }
    }

    /// The command as a log line.
    public var description: String {
        switch self {
        case .lhlo(let domain): "LHLO \(domain)"
        case .smtp(let command): command.description
        }
    }
}

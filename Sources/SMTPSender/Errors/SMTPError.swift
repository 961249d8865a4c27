/// Why sending failed: one error type for the whole SMTPSender module.
///
/// `code` is what a caller switches on; `reply` keeps the server's own reply when there was one
/// (its words are safe to show); `detail` says what we were doing. No password, token, AUTH
/// response or message content ever appears in an error.
///
/// ```swift
/// do { try await client.authenticate(credentials) }
/// catch let error as SMTPError where error.code == .applicationPasswordRequired {
///     // "Create an app password in your account's security settings…"
///     show(error.recoverySuggestion)
/// }
/// ```
public struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; extensible static constants, compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier, e.g. `"recipientRefused"`.
        public let name: String

        /// A code with the given stable identifier.
        public init(_ name: String) { self.name = name }

        /// The identifier.
        public var description: String { name }

        /// The server refused the session in its greeting (554, RFC 5321 §3.1) or with 421 later.
        public static let serviceUnavailable = Code("serviceUnavailable")
        /// A reply did not follow RFC 5321 §4.2 syntax, or came when none was expected.
        public static let malformedReply = Code("malformedReply")
        /// A reply had more lines than allowed.
        public static let replyTooLong = Code("replyTooLong")
        /// TLS was required (`.startTLS`) but the server does not offer STARTTLS (RFC 3207);
        /// we never continue in plaintext.
        public static let startTLSNotOffered = Code("startTLSNotOffered")
        /// The server answered STARTTLS with an error.
        public static let startTLSRefused = Code("startTLSRefused")
        /// Credentials would cross an unencrypted connection, which is refused unless explicitly allowed.
        public static let cleartextRefused = Code("cleartextRefused")
        /// The server offers no AUTH (RFC 4954) or no mechanism that fits the credentials.
        public static let authenticationNotOffered = Code("authenticationNotOffered")
        /// The server rejected the credentials (535 5.7.8, RFC 4954 §6).
        public static let authenticationFailed = Code("authenticationFailed")
        /// The account needs an app password: two-step verification is on (534 5.7.9).
        public static let applicationPasswordRequired = Code("applicationPasswordRequired")
        /// The provider has switched off password authentication and wants OAuth 2.0
        /// (Microsoft: 535 5.7.139 or 550 5.7.30 "basic authentication is not supported").
        public static let oauthRequired = Code("oauthRequired")
        /// The server wants authentication before accepting mail (530 5.7.0, RFC 4954 §6).
        public static let authenticationRequired = Code("authenticationRequired")
        /// The message is larger than the server accepts (552 / 5.3.4, RFC 1870).
        public static let messageTooLarge = Code("messageTooLarge")
        /// The server refused the sender address (MAIL FROM).
        public static let senderRefused = Code("senderRefused")
        /// The server refused every recipient (RCPT TO), so nothing was sent.
        public static let recipientRefused = Code("recipientRefused")
        /// An address needs SMTPUTF8 (RFC 6531), which the server does not offer.
        public static let smtpUTF8NotSupported = Code("smtpUTF8NotSupported")
        /// The message has 8-bit bytes and the server offers neither 8BITMIME (RFC 6152) nor SMTPUTF8.
        public static let eightBitNotSupported = Code("eightBitNotSupported")
        /// An address or command argument was refused before sending (CR, LF, NUL, `<`, `>`, length).
        public static let invalidArgument = Code("invalidArgument")
        /// Any other 4xx reply: try again later.
        public static let transient = Code("transient")
        /// Any other 5xx reply: the server will not accept this as is.
        public static let permanent = Code("permanent")
        /// The session is not open (``SMTPClient/open()`` not called yet) or has ended.
        public static let notConnected = Code("notConnected")
        /// The connection failed underneath (see `underlying`).
        public static let connectionFailed = Code("connectionFailed")
        /// The whole message was sent but no reply to its final dot came (a timeout or a closed
        /// connection): the server may have queued it, so sending it again may deliver it twice
        /// (RFC 5321 §4.5.3.2.6 gives a server 10 minutes for that reply).
        public static let messageOutcomeUnknown = Code("messageOutcomeUnknown")
    }

    /// The kind of failure.
    public var code: Code
    /// The server's reply, when the failure came from one.
    public var reply: SMTPReply?
    /// What was being done, in words; never a secret.
    public var detail: String
    /// For a refused recipient: the address concerned.
    public var address: String?
    /// The lower-level error's description when a transport or SASL failure caused this one.
    public var underlying: String?

    /// An error with the given code.
    public init(
        _ code: Code, reply: SMTPReply? = nil, detail: String = "", address: String? = nil, underlying: String? = nil
    ) {
        self.code = code
        self.reply = reply
        self.detail = detail
        self.address = address
        self.underlying = underlying
    }

    /// Whether trying again later, with nothing changed, may succeed: any 4xx reply, a 421, or a
    /// connection failure that the transport calls transient.
    public var isTransient: Bool {
        if let reply, reply.isTransientFailure { return true }
        return code == .transient || code == .serviceUnavailable && reply?.code == 421
    }

    /// What a person can try, in plain words.
    public var recoverySuggestion: String {
        switch code {
        case .applicationPasswordRequired:
            return
                "Two-step verification is on for this account: create an app password in the account's security settings and use it instead of the usual password."
        case .oauthRequired:
            return
                "The provider no longer accepts passwords for sending: sign in with the provider (OAuth) or ask the administrator to enable SMTP authentication."
        case .authenticationFailed:
            return "Check the user name (usually the full address) and the password."
        case .authenticationRequired:
            return "The server only accepts mail from signed-in users: provide the account's user name and password."
        case .authenticationNotOffered:
            return
                "The server does not offer a sign-in method for these credentials; check the port (587 with STARTTLS or 465 with TLS) and the server name."
        case .startTLSNotOffered, .startTLSRefused:
            return
                "The server cannot encrypt this connection: use port 465 with TLS, or check the server name and port."
        case .cleartextRefused:
            return
                "Use TLS (port 465) or STARTTLS (port 587); only on a trusted network allow insecure plaintext explicitly."
        case .messageTooLarge:
            return "Make the message smaller (fewer or smaller attachments) or share large files by link."
        case .recipientRefused:
            return "Check the recipient addresses; the server's reply says why they were refused."
        case .senderRefused:
            return
                "The server does not let this account send as this address; send from the account's own address or configure the alias with the provider."
        case .smtpUTF8NotSupported:
            return "The server cannot carry addresses with non-ASCII characters before the @; use an ASCII address."
        case .eightBitNotSupported:
            return "Encode the message in 7-bit form (quoted-printable or base64) before sending."
        case .serviceUnavailable, .transient, .connectionFailed:
            return "Try again later; if it persists, check the network connection and the server settings."
        case .invalidArgument:
            return "Check the addresses for spaces, angle brackets or line breaks."
        case .messageOutcomeUnknown:
            return
                "The server did not confirm the message after receiving all of it, so it may already have been sent: check with a recipient (or the sent-mail folder) before sending it again, since a retry may deliver it twice."
        default:
            return "The server refused the request; its reply says why."
        }
    }

    /// `SMTPError.code: detail (server: 535 5.7.8 …)`; never a secret.
    public var description: String {
        var text = "SMTPError.\(code)"
        if !detail.isEmpty { text += ": \(detail)" }
        if let address { text += " <\(address)>" }
        if let reply { text += " (server: \(reply))" }
        if let underlying { text += " [\(underlying)]" }
        return text
    }
}

import MailAuth

/// An IMAP failure: what the server refused or broke, with the server's own words and its
/// response code (RFC 9051 §7.1, RFC 5530).
///
/// The ``code`` says what a caller can act on; ``serverText`` keeps the text of the server's
/// `NO`, `BAD` or `BYE` line, and ``responseCode`` the bracketed code (`[AUTHENTICATIONFAILED]`,
/// `[UNAVAILABLE]`, `[LIMIT]`), so that a provider's explanation reaches the person who can fix
/// it. Transport failures (timeouts, TLS, a closed connection, limits on line and literal size)
/// are thrown as `TransportError` and end the session too.
///
/// No password, token or message body ever appears in an error.
public struct IMAPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value a caller can switch on. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let rawValue: String
        /// A code from its name.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's name.
        public var description: String { rawValue }

        /// The credentials were refused (`NO` to LOGIN or AUTHENTICATE, `[AUTHENTICATIONFAILED]`,
        /// RFC 5530 §3).
        public static let authenticationFailed = Code("authentication failed")
        /// The credentials are right but this user may not use the mailbox (`[AUTHORIZATIONFAILED]`).
        public static let authorizationFailed = Code("authorization failed")
        /// The password or account has expired (`[EXPIRED]`).
        public static let expired = Code("expired")
        /// The server wants TLS before this command (`[PRIVACYREQUIRED]`).
        public static let privacyRequired = Code("privacy required")
        /// The user must contact the administrator (`[CONTACTADMIN]`).
        public static let contactAdmin = Code("contact administrator")
        /// Not allowed on this mailbox (`[NOPERM]`).
        public static let noPermission = Code("no permission")
        /// The mailbox is in use by another session (`[INUSE]`).
        public static let inUse = Code("in use")
        /// A server limit was reached, for example too many connections (`[LIMIT]`).
        public static let limit = Code("limit")
        /// The user is over quota (`[OVERQUOTA]`).
        public static let overQuota = Code("over quota")
        /// The server or the mailbox is temporarily unavailable (`[UNAVAILABLE]`).
        public static let unavailable = Code("unavailable")
        /// The mailbox does not exist (`[NONEXISTENT]`, `[TRYCREATE]`).
        public static let nonexistent = Code("nonexistent")
        /// The server refused service in its greeting (`* BYE`).
        public static let greetingRefused = Code("greeting refused")
        /// The server closed the session with `* BYE` (shutting down, idle too long).
        public static let serverClosed = Code("server closed the session")
        /// STARTTLS was required but the server does not offer it (RFC 9051 §6.2.1); no plaintext
        /// fallback. Also a PREAUTH greeting where TLS was required.
        public static let startTLSNotOffered = Code("STARTTLS not offered")
        /// A secret would cross an unencrypted connection, and that was not explicitly allowed.
        public static let cleartextRefused = Code("cleartext authentication refused")
        /// The server announces LOGINDISABLED (RFC 9051 §6.2.3) and no SASL mechanism fits.
        public static let loginDisabled = Code("login disabled")
        /// No authentication method both sides support.
        public static let noSupportedAuthentication = Code("no supported authentication method")
        /// A needed extension is not offered (UID EXPUNGE without UIDPLUS, IDLE without IDLE).
        public static let notSupported = Code("not supported")
        /// The mailbox's UIDVALIDITY is not the one the caller recorded: every UID it knows is
        /// void (RFC 9051 §2.3.1.1).
        public static let uidValidityChanged = Code("UIDVALIDITY changed")
        /// The server answered something that is not IMAP. The session ends.
        public static let malformedResponse = Code("malformed response")
        /// A command got `NO` without a more specific code.
        public static let commandFailed = Code("command failed")
        /// A command got `BAD`: the server did not understand it.
        public static let commandRejected = Code("command rejected")
        /// An argument cannot be sent (CR, LF or NUL in it, an empty UID set).
        public static let invalidArgument = Code("invalid argument")
        /// The command is not valid in the session's state (FETCH before SELECT, anything after
        /// LOGOUT or after the session failed).
        public static let invalidState = Code("invalid state")
    }

    /// What went wrong.
    public var code: Code
    /// Our own explanation (which command, which limit).
    public var detail: String
    /// The server's text from its `NO`, `BAD` or `BYE` line, without the response code.
    public var serverText: String?
    /// The bracketed response code the server sent, if any.
    public var responseCode: IMAPResponseCode?

    /// An error from its parts.
    public init(_ code: Code, detail: String = "", serverText: String? = nil, responseCode: IMAPResponseCode? = nil) {
        self.code = code
        self.detail = detail
        self.serverText = serverText
        self.responseCode = responseCode
    }

    /// The typed error for a `NO` or `BAD` completion of `verb`, from its response code when
    /// there is one (RFC 5530) and otherwise from what the command was.
    public init(refusal status: IMAPStatus, text: IMAPResponseText, verb: String) {
        var code: Code
        switch text.code?.name {
        case IMAPResponseCode.authenticationFailed: code = .authenticationFailed
        case IMAPResponseCode.authorizationFailed: code = .authorizationFailed
        case IMAPResponseCode.expired: code = .expired
        case IMAPResponseCode.privacyRequired: code = .privacyRequired
        case IMAPResponseCode.contactAdmin: code = .contactAdmin
        case IMAPResponseCode.noPermission: code = .noPermission
        case IMAPResponseCode.inUse: code = .inUse
        case IMAPResponseCode.limit: code = .limit
        case IMAPResponseCode.overQuota: code = .overQuota
        case IMAPResponseCode.unavailable: code = .unavailable
        case IMAPResponseCode.nonexistent, IMAPResponseCode.tryCreate: code = .nonexistent
        default:
            switch verb {
            case "LOGIN", "AUTHENTICATE": code = .authenticationFailed
            case "STARTTLS": code = .startTLSNotOffered
            default: code = status == .bad ? .commandRejected : .commandFailed
            }
        }
        if status == .bad, code == .authenticationFailed, verb != "LOGIN", verb != "AUTHENTICATE" {
            code = .commandRejected
        }
        self.init(
            code, detail: "\(verb) was refused (\(status.rawValue))", serverText: text.text, responseCode: text.code)
    }

    /// Whether trying again later, with the same settings, may succeed.
    public var isTransient: Bool {
        switch code {
        case .inUse, .limit, .unavailable, .serverClosed: true
        default: false
        }
    }

    /// What the provider's text says the owner must do (sign in on the web, create an app
    /// password, switch IMAP on), or nil when it says nothing more than "refused".
    public var providerRefusal: ProviderRefusal? {
        serverText.flatMap { ProviderRefusal(serverText: $0, protocolName: "IMAP") }
    }

    /// What a person can try, in plain words.
    public var recoverySuggestion: String {
        if let providerRefusal { return providerRefusal.recoverySuggestion(protocolName: "IMAP") }
        switch code {
        case .authenticationFailed:
            return "Check the user name and password; with two-step verification, use an app password."
        case .authorizationFailed, .noPermission: return "This account may not use the mailbox; ask the provider."
        case .expired: return "The password or account has expired; renew it with the provider, then try again."
        case .privacyRequired, .startTLSNotOffered:
            return
                "The connection must be encrypted; use port 993 with TLS, or 143 with STARTTLS if the server offers it."
        case .cleartextRefused:
            return
                "The connection is not encrypted; use TLS (port 993) or STARTTLS (port 143) so the password is protected."
        case .contactAdmin: return "The server asks you to contact its administrator."
        case .inUse: return "Another session holds the mailbox; wait a few minutes, then try again."
        case .limit:
            return "The server's limit (for example on connections) was reached; close other mail programs or wait."
        case .overQuota: return "The mailbox is full; delete mail or ask for more space."
        case .unavailable, .serverClosed: return "The server is temporarily unavailable; try again later."
        case .nonexistent: return "The mailbox does not exist; check its name."
        case .loginDisabled, .noSupportedAuthentication:
            return "The server offers no login method this client can use here; check the port and security settings."
        case .notSupported: return "The server lacks an extension this operation needs."
        case .uidValidityChanged:
            return "The server renumbered the mailbox; messages must be matched again by their content, not their UIDs."
        case .malformedResponse, .greetingRefused:
            return "The server does not behave as an IMAP server; check the host and port."
        default: return "Try again; if it persists, check the server settings."
        }
    }

    /// The code, our detail, the response code and the server's text; never a secret.
    public var description: String {
        var result = "IMAPError(\(code.rawValue)"
        if !detail.isEmpty { result += ": \(detail)" }
        if let responseCode { result += " [\(responseCode.name)]" }
        if let serverText, !serverText.isEmpty { result += "; server said: \(serverText)" }
        return result + ")"
    }
}

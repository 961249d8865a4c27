import MailAuth

/// A POP3 failure: what the server refused or broke, with the server's own words.
///
/// The ``code`` says what a caller can act on; ``serverText`` keeps the text of the server's
/// `-ERR` line, so that a provider's explanation ("web login required", "your account is not
/// enabled for POP access") reaches the person who can fix it. Transport failures (timeouts,
/// TLS, a closed connection, limits on line length and response size) are thrown as
/// `TransportError` and end the session too.
///
/// No password, token or message body ever appears in an error.
public struct POP3Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value a caller can switch on. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let rawValue: String
        /// A code from its name.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's name.
        public var description: String { rawValue }

        /// The server rejected the credentials (`-ERR` to PASS, APOP or AUTH, or `[AUTH]`; RFC 3206 §5).
        public static let authenticationFailed = Code("authentication failed")
        /// The maildrop is locked by another session (`[IN-USE]`, RFC 2449 §8.1.1).
        public static let inUse = Code("mailbox in use")
        /// The user logged in again sooner than the server allows (`[LOGIN-DELAY]`, RFC 2449 §8.1.2).
        public static let loginDelay = Code("login delay")
        /// A temporary server problem (`[SYS/TEMP]`, RFC 3206 §4).
        public static let temporaryFailure = Code("temporary failure")
        /// A permanent server problem that a person must fix (`[SYS/PERM]`, RFC 3206 §4).
        public static let permanentFailure = Code("permanent failure")
        /// STLS was required but the server does not offer it (RFC 2595 §4); no plaintext fallback.
        public static let stlsNotOffered = Code("STLS not offered")
        /// Authentication would send a secret in the clear on an unencrypted connection, and
        /// that was not explicitly allowed.
        public static let cleartextRefused = Code("cleartext authentication refused")
        /// No authentication method both sides support (for example APOP without a timestamp).
        public static let noSupportedAuthentication = Code("no supported authentication method")
        /// The server answered something that is not POP3 (a line without `+OK`/`-ERR`, a
        /// malformed listing, a continuation out of place). The session ends.
        public static let malformedResponse = Code("malformed response")
        /// The server's greeting was `-ERR`: it refuses service.
        public static let greetingRefused = Code("greeting refused")
        /// A command got `-ERR` without a more specific code (for example a message number that
        /// does not exist).
        public static let commandFailed = Code("command failed")
        /// QUIT got `-ERR` in the UPDATE state: some messages marked deleted were not removed
        /// (RFC 1939 §6).
        public static let updateFailed = Code("update failed")
        /// An argument cannot be sent (CR, LF or NUL in it, a message number below 1).
        public static let invalidArgument = Code("invalid argument")
        /// The command is not valid in the session's state (for example RETR before login, or
        /// anything after QUIT or after the session failed).
        public static let invalidState = Code("invalid state")
    }

    /// What went wrong.
    public var code: Code
    /// Our own explanation (which command, which limit).
    public var detail: String
    /// The server's text from its `-ERR` line (or the offending line), as sent.
    public var serverText: String?
    /// The extended response code the server sent, if any (`SYS/TEMP`).
    public var responseCode: POP3ResponseCode?

    /// An error from its parts.
    public init(_ code: Code, detail: String = "", serverText: String? = nil, responseCode: POP3ResponseCode? = nil) {
        self.code = code
        self.detail = detail
        self.serverText = serverText
        self.responseCode = responseCode
    }

    /// The typed error for a `-ERR` answer to `command`, from its extended code when there is
    /// one (RFC 2449 §8, RFC 3206) and otherwise from what the command was.
    public init(refusal response: POP3Response, to command: POP3Command) {
        let code: Code
        switch response.code {
        case let responseCode? where responseCode.isKind(of: .inUse): code = .inUse
        case let responseCode? where responseCode.isKind(of: .loginDelay): code = .loginDelay
        case let responseCode? where responseCode.isKind(of: .systemTemporary): code = .temporaryFailure
        case let responseCode? where responseCode.isKind(of: .systemPermanent): code = .permanentFailure
        case let responseCode? where responseCode.isKind(of: .authentication): code = .authenticationFailed
        default:
            switch command {
            case .user, .pass, .apop, .auth, .saslResponse: code = .authenticationFailed
            case .stls: code = .stlsNotOffered
            case .quit: code = .updateFailed
            default: code = .commandFailed
            }
        }
        self.init(
            code, detail: "\(command.verb.isEmpty ? "AUTH" : command.verb) was refused",
            serverText: response.text, responseCode: response.code)
    }

    /// Whether trying again later, with the same settings, may succeed.
    public var isTransient: Bool {
        switch code {
        case .inUse, .loginDelay, .temporaryFailure: true
        default: false
        }
    }

    /// What the provider's text says the owner must do (sign in on the web, create an app
    /// password, switch POP on), or nil when it says nothing more than "refused".
    public var providerRefusal: ProviderRefusal? {
        serverText.flatMap { ProviderRefusal(serverText: $0, protocolName: "POP") }
    }

    /// What a person can try, in plain words.
    public var recoverySuggestion: String {
        if let providerRefusal { return providerRefusal.recoverySuggestion(protocolName: "POP") }
        switch code {
        case .authenticationFailed:
            return "Check the user name and password; with two-step verification, use an app password."
        case .inUse: return "Another program is reading this mailbox; close it or wait a few minutes, then try again."
        case .loginDelay: return "The server allows logins only every few minutes; wait, then try again."
        case .temporaryFailure: return "The server has a temporary problem; try again later."
        case .permanentFailure: return "The server reports a problem its administrator must fix; contact the provider."
        case .stlsNotOffered:
            return "The server does not offer STLS on this port; use port 995 with TLS, or ask the provider."
        case .cleartextRefused:
            return
                "The connection is not encrypted; use TLS (port 995) or STLS (port 110) so the password is protected."
        case .noSupportedAuthentication:
            return "The server offers no login method this client supports; check the server settings."
        case .malformedResponse, .greetingRefused:
            return "The server does not behave as a POP3 server; check the host and port."
        case .updateFailed:
            return "Some messages marked for deletion were not removed; they will be fetched again next time."
        default: return "Try again; if it persists, check the server settings."
        }
    }

    /// The code, our detail, the response code and the server's text; never a secret.
    public var description: String {
        var result = "POP3Error(\(code.rawValue)"
        if !detail.isEmpty { result += ": \(detail)" }
        if let responseCode { result += " [\(responseCode.rawValue)]" }
        if let serverText, !serverText.isEmpty { result += "; server said: \(serverText)" }
        return result + ")"
    }
}

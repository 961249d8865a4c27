/// Why authentication could not proceed: one error type for the whole MailAuth module.
///
/// Never contains a password, token, salted key or proof. `serverMessage` carries the server's
/// own words when it gave any (a SCRAM `e=` value, an OAuth JSON `status`), which are safe to show.
public struct MailAuthError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible static constants, compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier, e.g. `"serverSignatureMismatch"`.
        public let name: String

        /// A code with the given stable identifier.
        public init(_ name: String) { self.name = name }

        /// The identifier.
        public var description: String { name }

        /// A challenge or success data was not valid base64 (RFC 4648 §4).
        public static let invalidBase64 = Code("invalidBase64")
        /// A server message that must be text (SCRAM, RFC 5802 §7) was not UTF-8.
        public static let invalidUTF8 = Code("invalidUTF8")
        /// A server message did not follow the mechanism's syntax.
        public static let malformedServerMessage = Code("malformedServerMessage")
        /// The server sent a challenge after the mechanism had nothing more to say.
        public static let unexpectedChallenge = Code("unexpectedChallenge")
        /// The SCRAM server nonce does not extend the client nonce (RFC 5802 §5.1 `r=`).
        public static let nonceMismatch = Code("nonceMismatch")
        /// The SCRAM iteration count is zero or above the configured ceiling.
        public static let iterationCountOutOfRange = Code("iterationCountOutOfRange")
        /// The SCRAM server signature is wrong: the server does not know the password (RFC 5802 §9).
        public static let serverSignatureMismatch = Code("serverSignatureMismatch")
        /// The server ended the exchange with an error of its own (SCRAM `e=`, RFC 5802 §7).
        public static let serverRejected = Code("serverRejected")
        /// The server reported success before the mechanism could verify it (SCRAM without `v=`).
        public static let incompleteExchange = Code("incompleteExchange")
        /// No mechanism the server offers fits the credentials.
        public static let noSuitableMechanism = Code("noSuitableMechanism")
        /// Only mechanisms that reveal the secret are available, and the connection is not encrypted.
        public static let cleartextOnInsecureConnection = Code("cleartextOnInsecureConnection")
        /// The mechanism needs a different kind of secret (a password for SCRAM, a token for XOAUTH2).
        public static let credentialMismatch = Code("credentialMismatch")
        /// A user name, password or token contains characters the mechanism cannot carry
        /// (NUL in PLAIN, `\u{01}` in XOAUTH2, characters SASLprep prohibits, RFC 4013 §2.3).
        public static let invalidCredentialCharacters = Code("invalidCredentialCharacters")
        /// The OAuth 2.0 token provider failed to produce a token.
        public static let tokenUnavailable = Code("tokenUnavailable")
    }

    /// The kind of failure.
    public var code: Code
    /// The SASL mechanism involved, when there is one (e.g. `"SCRAM-SHA-256"`).
    public var mechanism: String?
    /// What went wrong, in words; never contains a secret.
    public var detail: String
    /// The server's own words, when it sent any.
    public var serverMessage: String?
    /// The error that caused this one (the token provider's error for `.tokenUnavailable`).
    public var underlyingError: (any Error)?

    /// An error with the given code and safe description.
    public init(
        _ code: Code, mechanism: String? = nil, detail: String, serverMessage: String? = nil,
        underlyingError: (any Error)? = nil
    ) {
        self.code = code
        self.mechanism = mechanism
        self.detail = detail
        self.serverMessage = serverMessage
        self.underlyingError = underlyingError
    }

    /// Whether trying again later, unchanged, may succeed. Only a token that could not be fetched
    /// (network trouble at the identity provider) is transient; everything else needs a change.
    public var isTransient: Bool { code == .tokenUnavailable }

    /// What the user or the host application can try, in plain words.
    public var recoverySuggestion: String {
        switch code {
        case .cleartextOnInsecureConnection:
            "Connect with TLS or STARTTLS; only if this network is trusted, explicitly allow insecure cleartext."
        case .noSuitableMechanism, .credentialMismatch:
            "Use the kind of credential the server accepts (a password or app password, or an OAuth token)."
        case .serverSignatureMismatch, .nonceMismatch, .incompleteExchange:
            "The server could not prove it knows the password; check the server name and do not trust this connection."
        case .invalidCredentialCharacters:
            "Check the user name and password for control characters or unusual symbols."
        case .tokenUnavailable:
            "Sign in to the account provider again so that a new access token can be issued."
        case .iterationCountOutOfRange:
            "The server asks for an unreasonable amount of work; report it to the server's administrator."
        default:
            "The server does not speak this mechanism correctly; try another mechanism or report it to the administrator."
        }
    }

    /// `code`, mechanism, detail and server message; never a secret.
    public var description: String {
        var text = "MailAuthError.\(code)"
        if let mechanism { text += " [\(mechanism)]" }
        text += ": \(detail)"
        if let serverMessage { text += " (server: \(serverMessage))" }
        return text
    }
}

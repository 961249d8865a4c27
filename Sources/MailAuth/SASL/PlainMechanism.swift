/// The PLAIN mechanism (RFC 4616): the password in the clear, so only over TLS.
///
/// ```
/// C: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm      ("\0tim\0tanstaaftanstaaf")
/// S: 235 2.7.0 Authentication successful
/// ```
public struct PlainMechanism: SASLMechanism {
    /// `PLAIN`.
    public let name = "PLAIN"
    /// PLAIN is client-first (RFC 4616 §2).
    public let hasInitialResponse = true

    private var exchange: SingleMessageExchange

    /// Authenticates as `user` with `password`, optionally acting as `authorizationIdentity`
    /// (RFC 4616 §2 `authzid`; empty means "the same as `user`").
    public init(user: String, password: String, authorizationIdentity: String = "") {
        let parts = [authorizationIdentity, user, password].map { Array($0.utf8) }
        if parts.contains(where: { $0.contains(0) }) {
            exchange = SingleMessageExchange(message: .failure(
                MailAuthError(
                    .invalidCredentialCharacters, mechanism: "PLAIN",
                    detail: "a user name or password contains NUL, which PLAIN uses as a separator")))
        } else {
            exchange = SingleMessageExchange(message: .success(parts[0] + [0] + parts[1] + [0] + parts[2]))
        }
    }

    /// Returns `authzid NUL authcid NUL passwd`, or `nil` to send it after an empty challenge.
    public mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]? {
        try exchange.start(initialResponseAllowed: initialResponseAllowed)
    }

    /// Sends the message after the server's empty challenge; any later challenge is an error.
    public mutating func respond(to challenge: [UInt8]) throws(MailAuthError) -> SASLStep {
        guard let message = try exchange.answerEmptyChallenge() else {
            throw MailAuthError(.unexpectedChallenge, mechanism: name, detail: "PLAIN expects no further challenge")
        }
        return .respond(message)
    }
}

extension PlainMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism name only: the secret it holds never appears in text.
    public var description: String { "PlainMechanism(\(name), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without children, so `dump` cannot print the secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// OAUTHBEARER (RFC 7628): the standard OAuth 2.0 bearer-token mechanism. The token is sent as
/// is, so only over TLS.
///
/// ```
/// C: AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2c9PQEB
///    (n,a=user@example.com,^Ahost=server.example.com^Aport=143^Aauth=Bearer vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==^A^A,
///     the RFC 7628 §4.1 example)
/// S: 235 Authentication successful.
/// ```
/// On rejection the server sends a JSON error challenge (RFC 7628 §3.2.2); the client answers
/// with a single `%x01` (§3.2.3) and the server fails the command.
public struct OAuthBearerMechanism: SASLMechanism {
    /// `OAUTHBEARER`.
    public let name = "OAUTHBEARER"
    /// OAUTHBEARER is client-first (RFC 7628 §3.1).
    public let hasInitialResponse = true

    private var exchange: SingleMessageExchange

    /// Authenticates as `user` with `accessToken`; `host` and `port` are the server's, which
    /// RFC 7628 §3.1 recommends sending so the server can check the token's audience.
    public init(user: String, accessToken: String, host: String? = nil, port: Int? = nil) {
        let fields = [user, accessToken, host ?? ""]
        if fields.contains(where: { $0.utf8.contains(1) }) {
            exchange = SingleMessageExchange(message: .failure(
                MailAuthError(
                    .invalidCredentialCharacters, mechanism: "OAUTHBEARER",
                    detail: "the user name, host or token contains \\u{01}, which OAUTHBEARER uses as a separator")))
            return
        }
        var text = "n,a=\(SCRAMMechanism.escape(user)),\u{01}"
        if let host { text += "host=\(host)\u{01}" }
        if let port { text += "port=\(port)\u{01}" }
        text += "auth=Bearer \(accessToken)\u{01}\u{01}"
        exchange = SingleMessageExchange(message: .success(Array(text.utf8)))
    }

    /// Returns the client response (RFC 7628 §3.1), or `nil` to send it after an empty challenge.
    public mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]? {
        try exchange.start(initialResponseAllowed: initialResponseAllowed)
    }

    /// Sends the message after an empty challenge; after the message, a challenge is the JSON
    /// error, acknowledged with `%x01` (RFC 7628 §3.2.3).
    public mutating func respond(to challenge: [UInt8]) throws(MailAuthError) -> SASLStep {
        if let message = try exchange.answerEmptyChallenge() { return .respond(message) }
        guard exchange.acknowledgeError() else {
            throw MailAuthError(
                .unexpectedChallenge, mechanism: name, detail: "OAUTHBEARER expects no further challenge")
        }
        return .acknowledgeError(response: [0x01], error: OAuth2ErrorChallenge(challenge: challenge))
    }
}

extension OAuthBearerMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism name only: the secret it holds never appears in text.
    public var description: String { "OAuthBearerMechanism(\(name), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without children, so `dump` cannot print the secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

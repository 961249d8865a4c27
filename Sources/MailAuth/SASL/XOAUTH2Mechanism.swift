/// XOAUTH2, the OAuth 2.0 bearer-token mechanism of Google and Microsoft (documented by both
/// providers; the precursor of OAUTHBEARER, RFC 7628). The token is sent as is, so only over TLS.
///
/// Google's form, with an initial response:
/// ```
/// C: AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==
///    (user=someuser@example.com^Aauth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg^A^A)
/// S: 235 2.7.0 Accepted
/// ```
/// Microsoft's POP3 form sends it after an empty challenge, which is what
/// `start(initialResponseAllowed: false)` does (tokens are too long for POP3's 255-octet line):
/// ```
/// C: AUTH XOAUTH2
/// S: +
/// C: dXNlcj1zb21lb25lQG91dGxvb2suY29tAWF1dGg9QmVhcmVyIEV3QkFB…AQE=   (abbreviated)
/// S: +OK User successfully authenticated.
/// ```
/// When the token is rejected the server sends a base64 JSON challenge; the client answers with an
/// empty line and the server then fails the command (`SASLStep.acknowledgeError`).
public struct XOAUTH2Mechanism: SASLMechanism {
    /// `XOAUTH2`.
    public let name = "XOAUTH2"
    /// The message is normally sent as an initial response.
    public let hasInitialResponse = true

    private var exchange: SingleMessageExchange

    /// Authenticates as `user` with the OAuth 2.0 `accessToken`.
    public init(user: String, accessToken: String) {
        if user.utf8.contains(1) || accessToken.utf8.contains(1) {
            exchange = SingleMessageExchange(message: .failure(
                MailAuthError(
                    .invalidCredentialCharacters, mechanism: "XOAUTH2",
                    detail: "the user name or token contains \\u{01}, which XOAUTH2 uses as a separator")))
        } else {
            exchange = SingleMessageExchange(message: .success(Array("user=\(user)\u{01}auth=Bearer \(accessToken)\u{01}\u{01}".utf8)))
        }
    }

    /// Returns `user=… ^A auth=Bearer … ^A ^A`, or `nil` to send it after an empty challenge.
    public mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]? {
        try exchange.start(initialResponseAllowed: initialResponseAllowed)
    }

    /// Sends the message after an empty challenge; after the message, a challenge is the JSON
    /// error, acknowledged with an empty response.
    public mutating func respond(to challenge: [UInt8]) throws(MailAuthError) -> SASLStep {
        if let message = try exchange.answerEmptyChallenge() { return .respond(message) }
        guard exchange.acknowledgeError() else {
            throw MailAuthError(.unexpectedChallenge, mechanism: name, detail: "XOAUTH2 expects no further challenge")
        }
        return .acknowledgeError(response: [], error: OAuth2ErrorChallenge(challenge: challenge))
    }
}

extension XOAUTH2Mechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism name only: the secret it holds never appears in text.
    public var description: String { "XOAUTH2Mechanism(\(name), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without children, so `dump` cannot print the secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

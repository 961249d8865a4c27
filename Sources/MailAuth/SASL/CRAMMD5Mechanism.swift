/// The CRAM-MD5 mechanism (RFC 2195): proves knowledge of the password with HMAC-MD5 over a
/// server challenge, so the password itself never crosses the wire.
///
/// ```
/// C: AUTH CRAM-MD5
/// S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
/// C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw   ("tim b913a602c7eda7a495b4e6e7334d3890")
/// ```
///
/// Honest limits: the server must store the password in a recoverable form, the server is not
/// authenticated, and a recorded exchange allows an offline dictionary attack on the password.
public struct CRAMMD5Mechanism: SASLMechanism {
    /// `CRAM-MD5`.
    public let name = "CRAM-MD5"
    /// CRAM-MD5 is server-first: the server sends the challenge.
    public let hasInitialResponse = false

    private let user: String
    private let password: String
    private var answered = false

    /// Authenticates as `user` with `password`.
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// CRAM-MD5 has no initial response.
    public mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]? {
        nil
    }

    /// Answers `user SP hex(HMAC-MD5(password, challenge))` (RFC 2195 §2).
    public mutating func respond(to challenge: [UInt8]) throws(MailAuthError) -> SASLStep {
        guard !answered else {
            throw MailAuthError(.unexpectedChallenge, mechanism: name, detail: "CRAM-MD5 expects one challenge")
        }
        guard !challenge.isEmpty else {
            throw MailAuthError(.malformedServerMessage, mechanism: name, detail: "the CRAM-MD5 challenge is empty")
        }
        answered = true
        let digest = HMAC<MD5>.authenticationCode(for: challenge, key: Array(password.utf8))
        return .respond(Array("\(user) \(HexEncoding.encode(digest))".utf8))
    }
}

extension CRAMMD5Mechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism name only: the secret it holds never appears in text.
    public var description: String { "CRAMMD5Mechanism(\(name), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without children, so `dump` cannot print the secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

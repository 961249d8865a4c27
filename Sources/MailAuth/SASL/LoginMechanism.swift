/// The LOGIN mechanism (draft-murchison-sasl-login): user name and password in the clear, one
/// per challenge. Obsolete, but some servers offer nothing else; only over TLS.
///
/// ```
/// C: AUTH LOGIN
/// S: 334 VXNlcm5hbWU6          ("Username:")
/// C: dGlt                      ("tim")
/// S: 334 UGFzc3dvcmQ6          ("Password:")
/// C: dGFuc3RhYWZ0YW5zdGFhZg==
/// ```
///
/// The challenge texts vary between servers ("User Name", "Username:"), so the answers go by
/// order, not by what the prompt says.
public struct LoginMechanism: SASLMechanism {
    /// `LOGIN`.
    public let name = "LOGIN"
    /// LOGIN is server-first: the server prompts for the user name.
    public let hasInitialResponse = false

    private let user: String
    private let password: String
    private var state = State.awaitingUserPrompt

    private enum State {
        case awaitingUserPrompt, awaitingPasswordPrompt, sent
    }

    /// Authenticates as `user` with `password`.
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// LOGIN has no initial response.
    public mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]? {
        nil
    }

    /// Answers the user-name prompt, then the password prompt.
    public mutating func respond(to challenge: [UInt8]) throws(MailAuthError) -> SASLStep {
        switch state {
        case .awaitingUserPrompt:
            state = .awaitingPasswordPrompt
            return .respond(Array(user.utf8))
        case .awaitingPasswordPrompt:
            state = .sent
            return .respond(Array(password.utf8))
        case .sent:
            throw MailAuthError(.unexpectedChallenge, mechanism: name, detail: "LOGIN expects exactly two prompts")
        }
    }
}

extension LoginMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism name only: the secret it holds never appears in text.
    public var description: String { "LoginMechanism(\(name), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without children, so `dump` cannot print the secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// The shared shape of PLAIN, XOAUTH2 and OAUTHBEARER: one client message, sent as the initial
/// response or after the server's empty challenge. For the OAuth mechanisms, a challenge after
/// the message is the server's JSON error, which the client acknowledges once.
struct SingleMessageExchange: Sendable {
    private enum State {
        case initial, awaitingEmptyChallenge, sent, acknowledgedError
    }

    /// The message, or why it could not be built (a separator inside a credential).
    let message: Result<[UInt8], MailAuthError>
    private var state = State.initial

    init(message: Result<[UInt8], MailAuthError>) {
        self.message = message
    }

    /// The initial response, or nil to wait for the server's empty challenge.
    mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]? {
        precondition(state == .initial, "start() called twice")
        let bytes = try message.get()
        guard initialResponseAllowed else {
            state = .awaitingEmptyChallenge
            return nil
        }
        state = .sent
        return bytes
    }

    /// The message, when the challenge is the empty one it was held back for; nil otherwise.
    mutating func answerEmptyChallenge() throws(MailAuthError) -> [UInt8]? {
        guard state == .awaitingEmptyChallenge else { return nil }
        state = .sent
        return try message.get()
    }

    /// Whether a challenge now is the error after the message (acknowledged at most once).
    mutating func acknowledgeError() -> Bool {
        guard state == .sent else { return false }
        state = .acknowledgedError
        return true
    }
}

import MailAuth

/// The server side of LOGIN: prompts `Username:` then `Password:` (the wording most servers use).
/// A user name sent as an initial response, as some clients do, skips the first prompt.
public struct LoginServerMechanism: SASLServerMechanism {
    /// `LOGIN`.
    public let name = "LOGIN"

    private let password: @Sendable (String) -> String?
    private var state = State.awaitingUser

    private enum State {
        case awaitingUser
        case awaitingPassword(user: String)
        case finished
    }

    /// A verifier that looks passwords up with `password(user)`.
    public init(password: @escaping @Sendable (_ user: String) -> String?) {
        self.password = password
    }

    /// Prompts for the user name, or for the password when the user name came inline.
    public mutating func start(initialResponse: [UInt8]?) -> SASLServerStep {
        guard let initialResponse else { return .challenge(Array("Username:".utf8)) }
        return respond(initialResponse)
    }

    /// Takes the user name, then the password.
    public mutating func respond(_ response: [UInt8]) -> SASLServerStep {
        switch state {
        case .awaitingUser:
            guard let user = String(validating: response, as: UTF8.self), !user.isEmpty else {
                state = .finished
                return .failure(.malformedResponse)
            }
            state = .awaitingPassword(user: user)
            return .challenge(Array("Password:".utf8))
        case .awaitingPassword(let user):
            state = .finished
            guard let expected = password(user), ConstantTime.equals(response, Array(expected.utf8)) else {
                return .failure(.invalidCredentials)
            }
            return .success(user: user)
        case .finished:
            return .failure(.malformedResponse)
        }
    }
}

import MailAuth

/// The server side of PLAIN (RFC 4616): checks `authzid NUL authcid NUL passwd`.
///
/// Proxy authorization is not supported: an authorization identity other than empty or the
/// user's own is refused as `.unsupported`.
public struct PlainServerMechanism: SASLServerMechanism {
    /// `PLAIN`.
    public let name = "PLAIN"

    private let password: @Sendable (String) -> String?
    private var awaitingMessage = false

    /// A verifier that looks passwords up with `password(user)`.
    public init(password: @escaping @Sendable (_ user: String) -> String?) {
        self.password = password
    }

    /// Verifies the initial response, or asks for the message with an empty challenge.
    public mutating func start(initialResponse: [UInt8]?) -> SASLServerStep {
        guard let initialResponse else {
            awaitingMessage = true
            return .challenge([])
        }
        return verify(initialResponse)
    }

    /// Verifies the message sent after the empty challenge.
    public mutating func respond(_ response: [UInt8]) -> SASLServerStep {
        guard awaitingMessage else { return .failure(.malformedResponse) }
        awaitingMessage = false
        return verify(response)
    }

    private func verify(_ message: [UInt8]) -> SASLServerStep {
        let fields = message.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count == 3,
            let authzid = String(validating: fields[0], as: UTF8.self),
            let user = String(validating: fields[1], as: UTF8.self), !user.isEmpty
        else { return .failure(.malformedResponse) }
        guard authzid.isEmpty || authzid == user else { return .failure(.unsupported) }
        guard let expected = password(user), ConstantTime.equals(Array(fields[2]), Array(expected.utf8)) else {
            return .failure(.invalidCredentials)
        }
        return .success(user: user)
    }
}

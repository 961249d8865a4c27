/// Why a fake server refused a client; tests assert on it.
public enum SASLServerFailure: Sendable, Equatable {
    /// Unknown user, wrong password, wrong proof or wrong token.
    case invalidCredentials
    /// The client's message did not follow the mechanism's syntax.
    case malformedResponse
    /// The client asked for something this fake does not do (channel binding, proxy authorization).
    case unsupported
}

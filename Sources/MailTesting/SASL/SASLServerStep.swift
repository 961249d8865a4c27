/// What the fake server does next.
public enum SASLServerStep: Sendable, Equatable {
    /// Send this challenge (base64-encoded by the server) and wait for a response.
    case challenge([UInt8])
    /// The client is authenticated as `user`.
    case success(user: String)
    /// Authentication failed; the server sends its failure reply.
    case failure(SASLServerFailure)
}

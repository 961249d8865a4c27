extension Credentials {
    /// A fresh mechanism of `kind` for these credentials, fetching an access token from the
    /// provider first when the secret is OAuth 2.0.
    ///
    /// Protocol clients call this once with `refreshingToken: false`; if the server rejects a
    /// token, they call it again with `true` so the host application can refresh, and retry once.
    ///
    /// - Throws: `.credentialMismatch` if `kind` needs the other kind of secret, `.tokenUnavailable`
    ///   if the token provider fails.
    public func makeMechanism(
        _ kind: SASLMechanismKind, refreshingToken: Bool = false, host: String? = nil, port: Int? = nil,
        random: RandomBytesSource = .system
    ) async throws(MailAuthError) -> any SASLMechanism {
        let resolved: SASLSecret
        switch secret {
        case .password(let password):
            resolved = .password(password)
        case .oauth2(let provider):
            guard kind.credentialKind == .oauth2 else {
                throw MailAuthError(.credentialMismatch, mechanism: kind.rawValue, detail: "\(kind) needs a password")
            }
            resolved = .accessToken(try await provider.accessToken(refresh: refreshingToken))
        }
        return try kind.makeMechanism(user: user, secret: resolved, host: host, port: port, random: random)
    }
}

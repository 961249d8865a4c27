/// The SASL mechanisms MailAuth implements, by their registered names.
public enum SASLMechanismKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SCRAM-SHA-256 (RFC 7677).
    case scramSHA256 = "SCRAM-SHA-256"
    /// SCRAM-SHA-1 (RFC 5802).
    case scramSHA1 = "SCRAM-SHA-1"
    /// CRAM-MD5 (RFC 2195).
    case cramMD5 = "CRAM-MD5"
    /// PLAIN (RFC 4616).
    case plain = "PLAIN"
    /// LOGIN (draft-murchison-sasl-login).
    case login = "LOGIN"
    /// OAUTHBEARER (RFC 7628).
    case oauthBearer = "OAUTHBEARER"
    /// XOAUTH2 (Google, Microsoft).
    case xoauth2 = "XOAUTH2"

    /// The registered name.
    public var description: String { rawValue }

    /// The kind of credential the mechanism needs.
    public var credentialKind: Credentials.Kind {
        switch self {
        case .oauthBearer, .xoauth2: .oauth2
        default: .password
        }
    }

    /// Whether an eavesdropper learns a reusable secret (the password, or a bearer token valid
    /// until it expires). Such mechanisms are refused on unencrypted connections unless the caller
    /// explicitly allows insecure cleartext.
    public var sendsReusableSecret: Bool {
        switch self {
        case .plain, .login, .oauthBearer, .xoauth2: true
        case .scramSHA256, .scramSHA1, .cramMD5: false
        }
    }

    /// A fresh mechanism for `user` with a password or an already-fetched access token.
    ///
    /// - Parameters:
    ///   - host: the server's host name, sent by OAUTHBEARER (RFC 7628 §3.1); ignored by others.
    ///   - port: the server's port, sent by OAUTHBEARER; ignored by others.
    ///   - random: the nonce source for SCRAM.
    /// - Throws: `.credentialMismatch` when the secret is not the kind the mechanism needs.
    public func makeMechanism(
        user: String, secret: SASLSecret, host: String? = nil, port: Int? = nil,
        random: RandomBytesSource = .system
    ) throws(MailAuthError) -> any SASLMechanism {
        switch (self, secret) {
        case (.scramSHA256, .password(let password)):
            SCRAMMechanism(variant: .sha256, user: user, password: password, random: random)
        case (.scramSHA1, .password(let password)):
            SCRAMMechanism(variant: .sha1, user: user, password: password, random: random)
        case (.cramMD5, .password(let password)):
            CRAMMD5Mechanism(user: user, password: password)
        case (.plain, .password(let password)):
            PlainMechanism(user: user, password: password)
        case (.login, .password(let password)):
            LoginMechanism(user: user, password: password)
        case (.oauthBearer, .accessToken(let token)):
            OAuthBearerMechanism(user: user, accessToken: token, host: host, port: port)
        case (.xoauth2, .accessToken(let token)):
            XOAUTH2Mechanism(user: user, accessToken: token)
        default:
            throw MailAuthError(
                .credentialMismatch, mechanism: rawValue,
                detail: "\(rawValue) needs a \(credentialKind == .password ? "password" : "OAuth 2.0 token")")
        }
    }
}

/// A secret in the form a mechanism consumes: a password, or an access token already fetched
/// from the `OAuth2TokenProvider`.
public enum SASLSecret: Sendable, CustomStringConvertible {
    /// A password or app password.
    case password(String)
    /// An OAuth 2.0 access token.
    case accessToken(String)

    /// `password(<redacted>)` or `accessToken(<redacted>)`.
    public var description: String {
        switch self {
        case .password: "password(<redacted>)"
        case .accessToken: "accessToken(<redacted>)"
        }
    }
}

/// A user name and a secret, as a host application hands them to MailLink.
///
/// The secret is a password (including an app password issued by a provider for accounts with
/// two-step verification, which servers treat exactly like a password) or an OAuth 2.0 token
/// provider. Every textual form (`description`, `debugDescription`, `dump`) redacts the secret,
/// so credentials can be logged or interpolated without leaking it.
///
/// ```swift
/// let credentials = Credentials(user: "someone@example.com", secret: .password("app-password"))
/// print(credentials)   // Credentials(user: someone@example.com, secret: password(<redacted>))
/// ```
public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The authentication identity: usually the full e-mail address.
    public var user: String
    /// The password or token provider.
    public var secret: Secret

    /// Credentials for `user` with `secret`.
    public init(user: String, secret: Secret) {
        self.user = user
        self.secret = secret
    }

    /// Which kind of secret this is; mechanism selection depends on it.
    public var kind: Kind { secret.kind }

    /// `Credentials(user: …, secret: password(<redacted>))`.
    public var description: String { "Credentials(user: \(user), secret: \(secret))" }

    /// Same as `description`: the secret stays redacted in debug output too.
    public var debugDescription: String { description }

    /// A mirror without the secret, so `dump(credentials)` cannot print it.
    public var customMirror: Mirror {
        Mirror(self, children: ["user": user, "secret": secret.description], displayStyle: .struct)
    }
}

extension Credentials {
    /// The two kinds of secret, as mechanism selection sees them.
    public enum Kind: String, Sendable, Hashable, CustomStringConvertible {
        /// A password or app password: SCRAM, CRAM-MD5, PLAIN, LOGIN.
        case password
        /// An OAuth 2.0 access token: OAUTHBEARER, XOAUTH2.
        case oauth2

        /// `password` or `oauth2`.
        public var description: String { rawValue }
    }

    /// A password, or a provider of OAuth 2.0 access tokens.
    public enum Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// A password or app password.
        case password(String)
        /// OAuth 2.0: the provider is asked for a token before each authentication, and asked
        /// again with `refresh: true` after the server rejected the previous one.
        case oauth2(OAuth2TokenProvider)

        /// The kind of secret.
        public var kind: Kind {
            switch self {
            case .password: .password
            case .oauth2: .oauth2
            }
        }

        /// `password(<redacted>)` or `oauth2(<token provider>)`.
        public var description: String {
            switch self {
            case .password: "password(<redacted>)"
            case .oauth2: "oauth2(<token provider>)"
            }
        }

        /// Same as `description`.
        public var debugDescription: String { description }

        /// A mirror without the secret.
        public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
    }
}

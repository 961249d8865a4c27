/// The stored form of an OAuth 2.0 refresh-token grant (RFC 6749 §6): what is needed to get
/// access tokens again without the user, and nothing more. The access token is never kept; it is
/// asked for again from ``tokenEndpoint`` when needed.
///
/// Kept by ``FileCredentialStore`` under the kind `"oauth2-refresh-token"` with the keys `issuer`,
/// `tokenEndpoint`, `clientID`, `refreshToken` and `scopes`. The client secret, where a provider
/// demands one, belongs to the host's registration and is not stored here.
///
/// The textual forms redact the refresh token.
public struct OAuthGrant: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The authorization server's issuer identifier (RFC 8414 §2).
    public var issuer: String
    /// Where refresh requests go (RFC 6749 §3.2).
    public var tokenEndpoint: String
    /// The host's client id at that server (RFC 6749 §2.2).
    public var clientID: String
    /// The refresh token; replaced when the server rotates it (RFC 6749 §6).
    public var refreshToken: String
    /// The scopes sent with each refresh (RFC 6749 §3.3).
    public var scopes: [String]

    /// A grant.
    public init(issuer: String, tokenEndpoint: String, clientID: String, refreshToken: String, scopes: [String]) {
        self.issuer = issuer
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.refreshToken = refreshToken
        self.scopes = scopes
    }

    /// `OAuthGrant(issuer: …, client: …, refresh: <redacted>, scopes: …)`.
    public var description: String {
        "OAuthGrant(issuer: \(issuer), client: \(clientID), refresh: <redacted>, scopes: \(scopes.joined(separator: " ")))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without the refresh token.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
}

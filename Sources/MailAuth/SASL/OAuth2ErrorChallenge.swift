/// The JSON error a server sends as a challenge when it rejects an OAuth 2.0 token
/// (RFC 7628 §3.2.2 for OAUTHBEARER; Google and Microsoft send the same shape for XOAUTH2).
///
/// ```
/// S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==
///        ({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})
/// C: (empty line for XOAUTH2, base64 of %x01 for OAUTHBEARER)
/// S: 535 5.7.8 Username and Password not accepted
/// ```
public struct OAuth2ErrorChallenge: Sendable, Equatable, CustomStringConvertible {
    /// The `status` member: an HTTP-like code (`"401"`, `"400"`) or an OAuth error
    /// (`"invalid_token"`, `"insufficient_scope"`); `nil` when the challenge was not this JSON.
    public var status: String?
    /// The `scope` member: the scope the server requires.
    public var scope: String?
    /// The `schemes` member: the HTTP authentication schemes the server accepts.
    public var schemes: String?
    /// The `openid-configuration` member: where to discover the authorization server.
    public var openIDConfiguration: String?

    /// A value with the given members.
    public init(status: String?, scope: String? = nil, schemes: String? = nil, openIDConfiguration: String? = nil) {
        self.status = status
        self.scope = scope
        self.schemes = schemes
        self.openIDConfiguration = openIDConfiguration
    }

    /// Parses a decoded challenge; anything that is not a JSON object gives an all-`nil` value,
    /// because the exchange must still be acknowledged and failed cleanly.
    public init(challenge: [UInt8]) {
        let object = try? JSONValue(parsing: challenge)
        func member(_ key: String) -> String? { object?[key]?.text }
        self.init(
            status: member("status"), scope: member("scope"), schemes: member("schemes"),
            openIDConfiguration: member("openid-configuration"))
    }

    /// Whether a refreshed token cannot help because the grant lacks the required scope
    /// (`insufficient_scope` or `403`): the user must consent again.
    public var isInsufficientScope: Bool { status == "insufficient_scope" || status == "403" }

    /// The status and scope; a challenge never contains the token.
    public var description: String {
        "OAuth2ErrorChallenge(status: \(status ?? "none"), scope: \(scope ?? "none"))"
    }
}

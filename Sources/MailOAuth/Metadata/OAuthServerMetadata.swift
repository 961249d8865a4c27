/// What a client needs to know about an authorization server (RFC 8414 §2): its issuer and
/// endpoints, and whether it sends `iss` in authorization responses (RFC 9207 §3).
///
/// Get one from the provider table (``OAuthProvider``), from discovery
/// (``discover(issuer:http:timeout:)``), or write one for a server of your own.
public struct OAuthServerMetadata: Sendable, Hashable {
    /// The issuer identifier (RFC 8414 §2): an https URL without query or fragment.
    public var issuer: String
    /// The authorization endpoint (RFC 6749 §3.1), for the browser flow.
    public var authorizationEndpoint: String?
    /// The token endpoint (RFC 6749 §3.2).
    public var tokenEndpoint: String
    /// The device authorization endpoint (RFC 8628 §4).
    public var deviceAuthorizationEndpoint: String?
    /// The introspection endpoint (RFC 7662 §2), when published.
    public var introspectionEndpoint: String?
    /// The revocation endpoint (RFC 7009 §2), when published.
    public var revocationEndpoint: String?
    /// The PKCE methods the server lists (RFC 8414 §2); empty when it lists none.
    public var codeChallengeMethodsSupported: [String]
    /// Whether authorization responses carry `iss` (RFC 9207 §3); when true, a response without
    /// it is refused.
    public var sendsIssuerInAuthorizationResponse: Bool

    /// Metadata with the given endpoints.
    public init(
        issuer: String, authorizationEndpoint: String?, tokenEndpoint: String,
        deviceAuthorizationEndpoint: String? = nil, introspectionEndpoint: String? = nil,
        revocationEndpoint: String? = nil, codeChallengeMethodsSupported: [String] = ["S256"],
        sendsIssuerInAuthorizationResponse: Bool = false
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.deviceAuthorizationEndpoint = deviceAuthorizationEndpoint
        self.introspectionEndpoint = introspectionEndpoint
        self.revocationEndpoint = revocationEndpoint
        self.codeChallengeMethodsSupported = codeChallengeMethodsSupported
        self.sendsIssuerInAuthorizationResponse = sendsIssuerInAuthorizationResponse
    }

    /// Parses an RFC 8414 §3.2 (or OpenID Connect Discovery §3) document and checks it:
    /// the issuer must equal `expectedIssuer` (RFC 8414 §3.3), a token endpoint must be present,
    /// and every endpoint must be https (http only on a loopback address, for tests).
    public static func parse(_ body: [UInt8], expectedIssuer: String) throws(OAuthError) -> OAuthServerMetadata {
        let what = "the server metadata"
        let json: JSONObject
        do throws(OAuthError) { json = try JSONObject(body, what: what) } catch {
            throw OAuthError(.invalidMetadata, error.detail)
        }
        do throws(OAuthError) {
            let issuer = try json.requiredString("issuer", in: what)
            guard issuer == expectedIssuer else {
                throw OAuthError(
                    .invalidMetadata, "the metadata names another issuer than \(expectedIssuer.prefix(200))")
            }
            let metadata = OAuthServerMetadata(
                issuer: issuer,
                authorizationEndpoint: try json.string("authorization_endpoint", in: what),
                tokenEndpoint: try json.requiredString("token_endpoint", in: what),
                deviceAuthorizationEndpoint: try json.string("device_authorization_endpoint", in: what),
                introspectionEndpoint: try json.string("introspection_endpoint", in: what),
                revocationEndpoint: try json.string("revocation_endpoint", in: what),
                codeChallengeMethodsSupported: try json.strings("code_challenge_methods_supported", in: what) ?? [],
                sendsIssuerInAuthorizationResponse: json.bool("authorization_response_iss_parameter_supported")
                    ?? false)
            try metadata.validate()
            return metadata
        } catch {
            throw OAuthError(.invalidMetadata, error.detail)
        }
    }

    /// Checks that every endpoint is https, or http on a loopback address.
    func validate() throws(OAuthError) {
        for endpoint in [issuer, tokenEndpoint]
            + [authorizationEndpoint, deviceAuthorizationEndpoint].compactMap({ $0 })
        {
            guard Self.isAcceptable(endpoint) else {
                throw OAuthError(.invalidMetadata, "endpoint \(endpoint.prefix(200)) is not https")
            }
        }
    }

    /// Whether `url` is https, or http to 127.0.0.1, ::1 or localhost (RFC 8252 §8.3 allows
    /// nothing weaker for tokens; loopback http is for tests).
    static func isAcceptable(_ url: String) -> Bool {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { return true }
        return [
            "http://127.0.0.1:", "http://127.0.0.1/", "http://[::1]:", "http://[::1]/", "http://localhost:",
            "http://localhost/",
        ].contains { lower.hasPrefix($0) }
    }
}

import MailAuth
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The client side of OAuth 2.0 for mail: the browser flow with PKCE and a loopback redirect,
/// the device flow, and refresh (RFC 6749, 7636, 8252, 8628, 9207).
///
/// ```swift
/// let client = try OAuthClient(provider: .microsoftConsumers, registration: .init(clientID: id))
/// let device = try await client.startDeviceAuthorization(scopes: OAuthProvider.microsoftMailScopes)
/// print("Open \(device.verificationURI) and enter \(device.userCode)")
/// let tokens = try await client.waitForDeviceAuthorization(device)
/// ```
///
/// Every request is form-encoded and goes through the transport's ``MailTransport/HTTPClient``
/// (so an extra CA or a pin applies as for mail); every answer is bounded and validated. No
/// token, code, verifier or secret appears in an error or a description.
public struct OAuthClient: Sendable {
    /// The authorization server.
    public let metadata: OAuthServerMetadata
    /// The host application's registration.
    public let registration: OAuthClientRegistration
    /// Extra authorization request parameters (the provider's, e.g. Google's `access_type=offline`).
    public var extraAuthorizationParameters: [String: String]
    /// The HTTP client for every request.
    public var http: HTTPClient
    /// The time and the waits (device polling, expiry).
    public var clock: any OAuthClock
    /// The limit for each request.
    public var requestTimeout: Duration
    /// Where `state` values and PKCE verifiers come from.
    public var random: RandomBytesSource

    /// A client for `metadata`; throws ``OAuthError/Code/missingClientID`` without a client id
    /// and ``OAuthError/Code/invalidMetadata`` for endpoints that are not https.
    public init(
        metadata: OAuthServerMetadata, registration: OAuthClientRegistration,
        extraAuthorizationParameters: [String: String] = [:], http: HTTPClient = HTTPClient(),
        clock: any OAuthClock = SystemOAuthClock(), requestTimeout: Duration = .seconds(30),
        random: RandomBytesSource = .system,
        registrationHelp: String = "Register an application with the authorization server and pass its client id."
    ) throws(OAuthError) {
        try metadata.validate()
        self.metadata = metadata
        self.registration = try registration.validated(registrationHelp: registrationHelp)
        self.extraAuthorizationParameters = extraAuthorizationParameters
        self.http = http
        self.clock = clock
        self.requestTimeout = requestTimeout
        self.random = random
    }

    /// A client for a built-in provider.
    public init(
        provider: OAuthProvider, registration: OAuthClientRegistration, http: HTTPClient = HTTPClient(),
        clock: any OAuthClock = SystemOAuthClock(), requestTimeout: Duration = .seconds(30),
        random: RandomBytesSource = .system
    ) throws(OAuthError) {
        try self.init(
            metadata: provider.metadata, registration: registration,
            extraAuthorizationParameters: provider.extraAuthorizationParameters, http: http, clock: clock,
            requestTimeout: requestTimeout, random: random, registrationHelp: provider.registrationHelp)
    }

    /// Exchanges an authorization code (RFC 6749 §4.1.3, with the PKCE verifier of RFC 7636 §4.5).
    public func exchange(code: String, verifier: String, redirectURI: String) async throws(OAuthError) -> OAuthTokens {
        try await tokenRequest([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ])
    }

    /// Uses a refresh token (RFC 6749 §6). The answer may carry a new refresh token, which then
    /// replaces `refreshToken` (rotation); without one, the old one stays valid.
    ///
    /// `invalid_grant` is ``OAuthError/Code/signInRequired``: the grant is gone and only a new
    /// interactive sign-in helps.
    public func refresh(_ refreshToken: String, scopes: [String] = []) async throws(OAuthError) -> OAuthTokens {
        var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if !scopes.isEmpty { fields.append(("scope", scopes.joined(separator: " "))) }
        do {
            return try await tokenRequest(fields)
        } catch let error where error.code == .invalidGrant {
            throw OAuthError(
                .signInRequired, "the refresh token was refused (expired, revoked or replaced)",
                serverDescription: error.serverDescription, httpStatus: error.httpStatus)
        }
    }

    /// Revokes `refreshToken` (RFC 7009 §2.1) so the grant ends at the server too, for example
    /// when an account is unlinked. When the server publishes no revocation endpoint (Microsoft
    /// does not), returns without a request unless `requireEndpoint` is true; the token then
    /// simply stays unused until it lapses.
    ///
    /// - Throws: ``OAuthError/Code/invalidMetadata`` when required and missing, or the server's error.
    public func revoke(refreshToken: String, requireEndpoint: Bool = false) async throws(OAuthError) {
        guard let endpoint = metadata.revocationEndpoint else {
            guard !requireEndpoint else {
                throw OAuthError(.invalidMetadata, "the authorization server has no revocation endpoint")
            }
            return
        }
        let response = try await post(endpoint, [("token", refreshToken), ("token_type_hint", "refresh_token")])
        // RFC 7009 §2.2: 200 also for a token that was already invalid.
        guard response.status == 200 else { throw TokenEndpointError.parse(response) }
    }

    /// POSTs `fields` plus the client's authentication to the token endpoint (RFC 6749 §3.2).
    func tokenRequest(_ fields: [(String, String)]) async throws(OAuthError) -> OAuthTokens {
        let response = try await post(metadata.tokenEndpoint, fields)
        return try OAuthTokens.parse(response, now: clock.now())
    }

    /// POSTs `fields` with `client_id` (and `client_secret`, RFC 6749 §2.3.1) to `endpoint`.
    func post(_ endpoint: String, _ fields: [(String, String)]) async throws(OAuthError) -> HTTPResponse {
        var all = fields.map { (name: $0.0, value: $0.1) }
        all.append((name: "client_id", value: registration.clientID))
        if let secret = registration.clientSecret { all.append((name: "client_secret", value: secret)) }
        return try await OAuthHTTP.exchange(.form(endpoint, fields: all), http: http, timeout: requestTimeout)
    }

    /// A random, URL-safe value of `count` bytes of entropy.
    func randomToken(_ count: Int = 32) -> String { Base64URL.encode(random.bytes(count)) }
}

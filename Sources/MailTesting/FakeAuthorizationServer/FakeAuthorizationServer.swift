import MailTransport
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An OAuth 2.0 authorization server for tests, on loopback HTTP (or HTTPS with a test CA):
/// metadata (RFC 8414), the authorization endpoint (RFC 6749 §4.1 with PKCE, RFC 7636; `iss`,
/// RFC 9207), the token endpoint (authorization code, refresh with rotation, device code,
/// RFC 8628), the device authorization endpoint, introspection (RFC 7662) and revocation
/// (RFC 7009).
///
/// It parses requests with its own code. The tokens it issues are accepted by ``FakePOP3Server``
/// and ``FakeSMTPServer`` through ``tokenValidator`` (XOAUTH2 and OAUTHBEARER), so a test can
/// sign in, fetch and send end to end; it can expire and revoke tokens, and counts requests.
///
/// ```swift
/// let authorizationServer = try FakeAuthorizationServer()
/// let accounts = SASLServerAccounts(tokenValidator: authorizationServer.tokenValidator)
/// // … device flow against authorizationServer.issuer, then:
/// authorizationServer.approve(userCode: authorizationServer.pendingUserCodes[0])
/// ```
public final class FakeAuthorizationServer: Sendable {
    /// What the server accepts and how it behaves.
    public struct Configuration: Sendable {
        /// The one client id it knows.
        public var clientID = "maillink-tests"
        /// The client secret it demands, if any.
        public var clientSecret: String?
        /// The user every sign-in signs in as (the device flow may approve as another).
        public var user = "alice@example.test"
        /// The scope granted when a request names none.
        public var defaultScope = "https://mail.example.test/"
        /// Whether the authorization endpoint approves (true) or answers `access_denied`.
        public var approvesAuthorization = true
        /// Whether redirects carry `iss` (and the metadata says so, RFC 9207 §3).
        public var sendsIssuer = true
        /// An `iss` to send instead of the real issuer (mix-up tests).
        public var redirectIssuerOverride: String?
        /// A `state` to send instead of the request's (forged-redirect tests).
        public var redirectStateOverride: String?
        /// `expires_in` of access tokens, in seconds.
        public var accessTokenLifetime = 3600
        /// Whether each refresh issues a new refresh token and invalidates the old one.
        public var rotatesRefreshTokens = true
        /// The polling interval the device endpoint asks for, in seconds.
        public var deviceInterval = 5
        /// `expires_in` of device codes, in seconds.
        public var deviceCodeLifetime = 900
        /// How many device polls are answered `slow_down` before the real answer.
        public var slowDownPolls = 0
        /// Whether the metadata is served at the OpenID location only (RFC 8414 location 404).
        public var metadataAtOpenIDLocationOnly = false

        /// The defaults.
        public init() {}
    }

    /// Requests counted per endpoint and grant, for assertions.
    public struct Counters: Sendable, Hashable {
        /// Metadata documents served.
        public var metadata = 0
        /// Authorization requests (browser flow).
        public var authorizations = 0
        /// Token requests by `grant_type` (`authorization_code`, `refresh_token`, `device_code`).
        public var tokenRequests: [String: Int] = [:]
        /// Device authorization requests.
        public var deviceAuthorizations = 0
        /// Introspection requests.
        public var introspections = 0
        /// Revocation requests.
        public var revocations = 0
        /// Token validations by the fake mail servers (``tokenValidator``).
        public var validations = 0
    }

    /// The configuration.
    public let configuration: Configuration
    /// The listener.
    public let listener: LoopbackListener
    /// The issuer identifier: `http://127.0.0.1:PORT` (or `https://localhost:PORT` with TLS).
    public let issuer: String

    let state = Mutex(State())

    struct State {
        var codes: [String: Code] = [:]
        var devices: [String: Device] = [:]
        var accessTokens: [String: Grant] = [:]
        var refreshTokens: [String: Grant] = [:]
        var counters = Counters()
        var slowDownsLeft = 0
    }

    struct Code {
        var clientID, redirectURI, challenge, scope, user: String
    }

    struct Device {
        enum Status { case pending, approved(user: String), denied, expired }
        var userCode, scope: String
        var status: Status
    }

    struct Grant {
        var user, scope, clientID: String
        var active: Bool
    }

    /// Starts a server on 127.0.0.1 (plain HTTP), or with `certificate` on HTTPS (the issuer is
    /// then `https://localhost:PORT`; the certificate must name localhost).
    public init(
        configuration: Configuration = Configuration(), certificate: TestCertificateAuthority.ServerCertificate? = nil
    ) throws {
        self.configuration = configuration
        listener = try LoopbackListener(certificate: certificate, implicitTLS: certificate != nil)
        issuer = certificate == nil ? "http://127.0.0.1:\(listener.port)" : "https://localhost:\(listener.port)"
        state.withLock { $0.slowDownsLeft = configuration.slowDownPolls }
        let listener = self.listener
        Task { [self] in
            await listener.serve { connection in await self.serve(connection) }
        }
    }

    /// Stops listening.
    public func close() { listener.close() }

    /// The counters so far.
    public var counters: Counters { state.withLock { $0.counters } }

    /// User codes of device authorizations not yet approved or denied, oldest first.
    public var pendingUserCodes: [String] {
        state.withLock { state in
            state.devices.values.filter { if case .pending = $0.status { true } else { false } }.map(\.userCode)
                .sorted()
        }
    }

    /// Approves the device authorization with `userCode` as `user` (default: the configured one),
    /// as the user would at the verification page. Returns whether the code was pending.
    @discardableResult
    public func approve(userCode: String, as user: String? = nil) -> Bool {
        setDevice(userCode, to: .approved(user: user ?? configuration.user))
    }

    /// Denies the device authorization with `userCode` (the next poll answers `access_denied`).
    @discardableResult
    public func deny(userCode: String) -> Bool { setDevice(userCode, to: .denied) }

    /// Lets the device authorization with `userCode` expire (the next poll answers `expired_token`).
    @discardableResult
    public func expire(userCode: String) -> Bool { setDevice(userCode, to: .expired) }

    /// Makes every access token issued so far invalid, as if its lifetime had passed.
    public func expireAccessTokens() {
        state.withLock { state in
            for key in state.accessTokens.keys { state.accessTokens[key]?.active = false }
        }
    }

    /// Revokes `token` (an access or refresh token) as RFC 7009 does.
    public func revoke(token: String) {
        state.withLock { state in
            state.accessTokens[token]?.active = false
            state.refreshTokens[token]?.active = false
        }
    }

    /// Revokes every grant of `user`: their access and refresh tokens stop working.
    public func revokeAll(user: String) {
        state.withLock { state in
            for (key, grant) in state.accessTokens where grant.user == user { state.accessTokens[key]?.active = false }
            for (key, grant) in state.refreshTokens where grant.user == user {
                state.refreshTokens[key]?.active = false
            }
        }
    }

    /// The user `token` belongs to, when it is an active access token.
    public func user(ofAccessToken token: String) -> String? {
        state.withLock { state in state.accessTokens[token].flatMap { $0.active ? $0.user : nil } }
    }

    /// A validator for ``SASLServerAccounts/tokenValidator``: accepts active access tokens, for
    /// their own user (any case) or, without a user name (OAUTHBEARER without `a=`), for theirs.
    public var tokenValidator: SASLTokenValidator {
        { [self] user, token in
            state.withLock { state -> String? in
                state.counters.validations += 1
                guard let grant = state.accessTokens[token], grant.active else { return nil }
                guard let user else { return grant.user }
                return user.lowercased() == grant.user.lowercased() ? user : nil
            }
        }
    }

    private func setDevice(_ userCode: String, to status: Device.Status) -> Bool {
        state.withLock { state in
            guard let key = state.devices.first(where: { $0.value.userCode == userCode })?.key,
                case .pending = state.devices[key]?.status
            else { return false }
            state.devices[key]?.status = status
            return true
        }
    }

    /// Does what a browser does with an authorization URL: requests it, and follows the
    /// redirect to the client's loopback listener. Returns the status the listener answered
    /// (or the authorization endpoint's, when it did not redirect).
    public func actAsBrowser(opening url: String, tlsPolicy: TLSPolicy = .default) async throws -> Int {
        let client = HTTPClient(tlsPolicy: tlsPolicy, userAgent: "FakeBrowser")
        let first = try await client.send(.get(url, accept: "text/html"), timeout: .seconds(30))
        guard first.status == 302, let location = first.headers.value(of: "location") else { return first.status }
        return try await client.send(.get(location, accept: "text/html"), timeout: .seconds(30)).status
    }
}

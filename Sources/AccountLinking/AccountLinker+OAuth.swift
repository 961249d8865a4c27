import AutoDiscovery
import MailAuth
import MailMessage
import MailOAuth
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AccountLinker {
    /// How ``AccountLinker/link(address:oauth:options:)`` signs in with OAuth 2.0: the host's own
    /// client registration (MailLink ships none), the browser or the device flow, and the
    /// authorization server when the provider's entry does not name it.
    public struct OAuthSignIn: Sendable {
        /// Which OAuth flow asks the user.
        public enum Method: String, Sendable, Hashable {
            /// Authorization code with PKCE and a loopback redirect (RFC 7636, RFC 8252): the host
            /// opens the URL of ``OAuthPrompt/openBrowser(url:)`` in the system browser.
            case browser
            /// The device authorization grant (RFC 8628): the host shows the code of
            /// ``OAuthPrompt/enterCode(userCode:verificationURI:verificationURIComplete:)``.
            case device
        }

        /// Where the authorization server's endpoints come from.
        public enum Server: Sendable, Hashable {
            /// The provider's entry (``AutoDiscovery/ProviderOAuth``): Microsoft's and Google's
            /// are built in, others are read from the entry's endpoints or its issuer's metadata.
            case provider
            /// The issuer's RFC 8414 (or OpenID Connect) metadata, read at sign-in.
            case issuer(String)
            /// Metadata the host already has.
            case metadata(OAuthServerMetadata)
        }

        /// The flow.
        public var method: Method
        /// The host application's registration with the provider.
        public var registration: OAuthClientRegistration
        /// The authorization server.
        public var server: Server
        /// The scopes to ask for; nil takes the provider's for the incoming protocol the link uses
        /// (POP3 or IMAP) and SMTP (``AutoDiscovery/ProviderOAuth/scopes(for:)``).
        public var scopes: [String]?
        /// How long the user has to finish signing in.
        public var timeout: Duration
        /// The HTTP client for metadata and token requests (an extra CA goes here).
        public var http: HTTPClient
        /// The time and the waits (device polling).
        public var clock: any OAuthClock

        /// Whether the host named the authorization server (rather than the provider's entry).
        var namesServer: Bool {
            if case .provider = server { false } else { true }
        }

        /// A sign-in with `registration` by `method`.
        public init(
            method: Method, registration: OAuthClientRegistration, server: Server = .provider, scopes: [String]? = nil,
            timeout: Duration = .seconds(600), http: HTTPClient = HTTPClient(),
            clock: any OAuthClock = SystemOAuthClock()
        ) {
            self.method = method
            self.registration = registration
            self.server = server
            self.scopes = scopes
            self.timeout = timeout
            self.http = http
            self.clock = clock
        }
    }

    /// Links `address` with an OAuth 2.0 sign-in instead of a password: settings (given or
    /// discovered, approved where needed), then the provider's sign-in with a step carrying the
    /// page to open or the code to enter (``LinkStep/authorize(_:)``), then the usual connection
    /// test with the token, the confirmation e-mail and, once confirmed, sync.
    ///
    /// The refresh token is the stored secret (``OAuthGrant``, kept by an ``OAuthCredentialStore``,
    /// which ``Configuration/files(directory:primaryAddress:confirmationSender:confirmationBaseURL:store:)``
    /// and ``Configuration/inMemory(primaryAddress:confirmationSender:confirmationBaseURL:store:)`` use);
    /// access tokens are refreshed as sync, sending and checks need them. Linking an account that
    /// waits for ``LinkedAccount/Attention/signInAgain`` again clears it.
    ///
    /// ```swift
    /// let signIn = AccountLinker.OAuthSignIn(method: .device, registration: .init(clientID: myClientID))
    /// for await step in await linker.link(address: try EmailAddress("someone@outlook.com"), oauth: signIn) {
    ///     print(step)   // … enter the code ABCD-EFGH at https://… to sign in, signed in to the provider, …
    /// }
    /// ```
    public func link(
        address: EmailAddress, oauth: OAuthSignIn, options: LinkOptions = LinkOptions()
    ) -> AsyncStream<LinkStep> {
        AsyncStream { continuation in
            let task = Task {
                await self.runLink(address: address, secret: nil, oauth: oauth, options: options) {
                    continuation.yield($0)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The scopes a link asks for when the host names none: the provider's for the incoming
    /// protocol (a grant for POP3 does not open IMAP at Microsoft) and for sending.
    static func oauthScopes(_ hints: ProviderHints, incoming: IncomingProtocol) -> [String] {
        hints.oauth?.scopes(for: [incoming == .imap ? .imap : .pop3, .smtp]) ?? []
    }

    /// The outcome of a sign-in during linking: the session its token provider belongs to, and
    /// the grant to store once the account is saved.
    struct Authorization: Sendable {
        let session: OAuthTokenSession
        let keeper: OAuthGrantKeeper
        var secret: Credentials.Secret { .oauth2(session.tokenProvider) }
    }

    /// Runs the sign-in of `oauth` at the provider `hints` describe, reporting its prompt.
    func authorize(
        _ oauth: OAuthSignIn, address: EmailAddress, hints: ProviderHints, incoming: IncomingProtocol,
        prompt: (OAuthPrompt) -> Void
    ) async -> Result<Authorization, LinkDiagnosisError> {
        do throws(OAuthError) {
            let (metadata, extra, help) = try await Self.metadata(for: oauth, hints: hints)
            let client = try OAuthClient(
                metadata: metadata, registration: oauth.registration, extraAuthorizationParameters: extra,
                http: oauth.http, clock: oauth.clock, random: .system, registrationHelp: help)
            let scopes = oauth.scopes ?? Self.oauthScopes(hints, incoming: incoming)
            let tokens: OAuthTokens
            switch oauth.method {
            case .device:
                let device = try await client.startDeviceAuthorization(scopes: scopes)
                prompt(
                    .enterCode(
                        userCode: device.userCode, verificationURI: device.verificationURI,
                        verificationURIComplete: device.verificationURIComplete))
                tokens = try await client.waitForDeviceAuthorization(device)
            case .browser:
                let signIn = try await client.startBrowserSignIn(scopes: scopes, loginHint: address.description)
                prompt(.openBrowser(url: signIn.authorizationURL))
                tokens = try await signIn.complete(timeout: oauth.timeout)
            }
            guard let refreshToken = tokens.refreshToken else {
                throw OAuthError(.invalidResponse, "the sign-in returned no refresh token (ask for offline access)")
            }
            let keeper = OAuthGrantKeeper(
                OAuthGrant(
                    issuer: metadata.issuer, tokenEndpoint: metadata.tokenEndpoint,
                    clientID: oauth.registration.clientID,
                    refreshToken: refreshToken, scopes: scopes))
            let session = OAuthTokenSession(client: client, refreshToken: refreshToken, scopes: scopes, tokens: tokens)
            {
                newRefreshToken in await keeper.rotated(newRefreshToken)
            }
            return .success(Authorization(session: session, keeper: keeper))
        } catch {
            logger.info(
                "OAuth sign-in for \(AccountID(address)) failed: \(error.code)",
                metadata: ["account": AccountID(address).rawValue])
            guard error.requiresSignIn else { return .failure(LinkDiagnosisError(LinkDiagnosis(error))) }
            // Denied, or the code expired: the user can simply start again.
            return .failure(
                LinkDiagnosisError(
                    LinkDiagnosis(
                        stage: .authentication, summary: "the sign-in at the provider did not complete (\(error.code))",
                        serverText: error.serverDescription, suggestion: error.recoverySuggestion)))
        }
    }

    /// The server metadata (with the provider's extra authorization parameters and its
    /// registration help) for a sign-in.
    static func metadata(
        for oauth: OAuthSignIn, hints: ProviderHints
    ) async throws(OAuthError) -> (OAuthServerMetadata, [String: String], String) {
        let generic = "Register an application with the authorization server and pass its client id."
        switch oauth.server {
        case .metadata(let metadata): return (metadata, [:], generic)
        case .issuer(let issuer):
            return (try await OAuthServerMetadata.discover(issuer: issuer, http: oauth.http), [:], generic)
        case .provider:
            guard let entry = hints.oauth else {
                throw OAuthError(.invalidMetadata, "the provider's entry names no authorization server")
            }
            let builtIn: [OAuthProvider] = [
                .microsoftConsumers, .microsoft(tenant: "organizations"), .microsoftCommon, .google,
            ]
            if let provider = builtIn.first(where: { $0.metadata.issuer == entry.issuer }) {
                return (provider.metadata, provider.extraAuthorizationParameters, provider.registrationHelp)
            }
            if let tokenURL = entry.tokenURL {
                let metadata = OAuthServerMetadata(
                    issuer: entry.issuer, authorizationEndpoint: entry.authorizationURL, tokenEndpoint: tokenURL,
                    deviceAuthorizationEndpoint: entry.deviceAuthorizationURL)
                return (metadata, [:], generic)
            }
            return (try await OAuthServerMetadata.discover(issuer: entry.issuer, http: oauth.http), [:], generic)
        }
    }

    /// Stores the secret of a newly linked account: the grant of an OAuth sign-in (through an
    /// ``OAuthCredentialStore``, which then keeps its rotations), else the secret itself.
    func storeSecret(_ secret: Credentials.Secret, authorization: Authorization?, for id: AccountID) async throws {
        guard let authorization else {
            try await configuration.credentials.setSecret(secret, for: id)
            return
        }
        if let store = configuration.credentials as? OAuthCredentialStore {
            try await store.adopt(authorization.session, keeper: authorization.keeper, for: id)
        } else {
            // A store of the host's own: the token provider itself (works with stores that keep
            // code, such as InMemoryCredentialStore; FileCredentialStore says to use OAuthCredentialStore).
            try await configuration.credentials.setSecret(authorization.secret, for: id)
        }
    }
}

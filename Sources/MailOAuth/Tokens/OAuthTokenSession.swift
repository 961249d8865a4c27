import MailAuth
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps one account's access token fresh: refreshes it a margin before it expires, one refresh
/// at a time (concurrent callers await the same one), hands rotated refresh tokens to the host
/// to store, and remembers `invalid_grant` as "sign in again" (RFC 6749 §6, §5.2).
///
/// ```swift
/// let session = OAuthTokenSession(client: client, refreshToken: stored, scopes: OAuthProvider.microsoftMailScopes) {
///     newRefreshToken in try? await myStore.save(newRefreshToken, for: address)
/// }
/// let credentials = Credentials(user: address, secret: .oauth2(session.tokenProvider))
/// ```
public actor OAuthTokenSession {
    /// How long before expiry a token counts as stale (RFC 6749 §4.2.2's `expires_in` is the
    /// server's promise; a margin keeps a token from expiring mid-session).
    public nonisolated let margin: Duration
    /// The scopes sent with each refresh (Microsoft needs them; others ignore them).
    public nonisolated let scopes: [String]

    private let client: OAuthClient
    private let rotated: @Sendable (String) async -> Void
    private var refreshToken: String
    private var current: OAuthTokens?
    private var refreshing: Task<OAuthTokens, any Error>?
    private var signInRequired: OAuthError?
    private var refreshCount = 0

    /// A session for the grant behind `refreshToken`; `tokens` is the answer that came with it
    /// (its access token is used until stale). `rotated` is called with each new refresh token,
    /// after which the old one may no longer work: store it.
    public init(
        client: OAuthClient, refreshToken: String, scopes: [String] = [], tokens: OAuthTokens? = nil,
        margin: Duration = .seconds(60),
        rotated: @escaping @Sendable (_ newRefreshToken: String) async -> Void = { _ in }
    ) {
        self.client = client
        self.refreshToken = refreshToken
        self.scopes = scopes
        self.current = tokens
        self.margin = margin
        self.rotated = rotated
    }

    /// A session from the tokens a sign-in returned; throws ``OAuthError/Code/invalidResponse``
    /// when the server issued no refresh token (Microsoft: `offline_access` missing; Google:
    /// `access_type=offline` missing).
    public init(
        client: OAuthClient, tokens: OAuthTokens, scopes: [String] = [], margin: Duration = .seconds(60),
        rotated: @escaping @Sendable (_ newRefreshToken: String) async -> Void = { _ in }
    ) throws(OAuthError) {
        guard let refreshToken = tokens.refreshToken else {
            throw OAuthError(.invalidResponse, "the sign-in returned no refresh token (ask for offline access)")
        }
        self.init(
            client: client, refreshToken: refreshToken, scopes: scopes, tokens: tokens, margin: margin,
            rotated: rotated)
    }

    /// A fresh access token: the current one while it is good for ``margin`` more, otherwise
    /// a refreshed one. `forceRefresh` refreshes anyway (the server rejected the token).
    ///
    /// - Throws: ``OAuthError/Code/signInRequired`` once the grant is gone (and from then on,
    ///   without asking the server again), or the refresh's error.
    public func accessToken(forceRefresh: Bool = false) async throws(OAuthError) -> String {
        if let signInRequired { throw signInRequired }
        if !forceRefresh, let current, current.isFresh(at: client.clock.now(), margin: margin) {
            return current.accessToken
        }
        let task: Task<OAuthTokens, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let client = self.client
            let refreshToken = self.refreshToken
            let scopes = self.scopes
            task = Task { try await client.refresh(refreshToken, scopes: scopes) }
            refreshing = task
        }
        do {
            let tokens = try await task.value
            await adopt(tokens, from: task)
            return tokens.accessToken
        } catch let error as OAuthError {
            finish(task, failure: error)
            throw error
        } catch {
            let wrapped = OAuthError(.network, "the refresh failed: \(type(of: error))")
            finish(task, failure: wrapped)
            throw wrapped
        }
    }

    /// How many refreshes this session has made (for tests and diagnostics).
    public var refreshes: Int { refreshCount }

    /// The provider MailAuth's `Credentials` take: POP3 and SMTP clients call it before each
    /// authentication, with `refresh: true` after a rejected token.
    public nonisolated var tokenProvider: OAuth2TokenProvider {
        OAuth2TokenProvider { refresh in try await self.accessToken(forceRefresh: refresh) }
    }

    private func adopt(_ tokens: OAuthTokens, from task: Task<OAuthTokens, any Error>) async {
        guard refreshing == task else { return }  // another caller adopted it already
        refreshing = nil
        refreshCount += 1
        current = tokens
        if let next = tokens.refreshToken, next != refreshToken {
            refreshToken = next
            await rotated(next)
        }
    }

    private func finish(_ task: Task<OAuthTokens, any Error>, failure: OAuthError) {
        if refreshing == task { refreshing = nil }
        if failure.code == .signInRequired { signInRequired = failure }
    }
}

extension Credentials {
    /// Credentials whose tokens come from `session` (XOAUTH2, OAUTHBEARER).
    public init(user: String, session: OAuthTokenSession) {
        self.init(user: user, secret: .oauth2(session.tokenProvider))
    }
}

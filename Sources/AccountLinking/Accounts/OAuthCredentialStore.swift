import MailAuth
import MailOAuth
import MailTransport
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A credential store that also keeps OAuth 2.0 refresh-token grants (``OAuthGrant``), so that
/// accounts linked with OAuth survive a restart. ``FileCredentialStore`` and
/// ``InMemoryCredentialStore`` are both.
public protocol OAuthGrantStore: CredentialStore {
    /// The grant stored for `account`, if one is (a password gives nil).
    func grant(for account: AccountID) async throws -> OAuthGrant?
    /// Stores (or with nil, removes) the grant for `account`, replacing any other secret.
    func setGrant(_ grant: OAuthGrant?, for account: AccountID) async throws
}

extension FileCredentialStore: OAuthGrantStore {}

/// The credential layer for accounts that sign in with OAuth 2.0: in front of a store that keeps
/// grants, it hands sync, sending and checks a `Credentials.Secret` whose token provider is built
/// from the account's stored grant. Passwords pass through unchanged.
///
/// Each account gets one ``MailOAuth/OAuthTokenSession``: the access token is refreshed a margin
/// before it expires, one refresh at a time (concurrent sessions of the account await the same
/// one), and a rotated refresh token is written back with ``OAuthGrantStore/setGrant(_:for:)``
/// before it is used again. A grant the server refuses (`invalid_grant`, RFC 6749 §5.2) makes
/// the provider throw ``MailOAuth/OAuthError/Code/signInRequired`` from then on, without asking
/// the server again: the linker diagnoses it as ``LinkDiagnosis/Stage/signInAgain``. Before
/// that, the stored grant is read once more: when another process sharing the store rotated the
/// refresh token meanwhile, its new one is used instead.
///
/// ```swift
/// let grants = try FileCredentialStore(path: directory + "/secrets.json")
/// configuration.credentials = OAuthCredentialStore(grants: grants, registrations: [.init(clientID: myClientID)])
/// ```
///
/// The client secret, for providers that issue one to installed applications (Google), is not
/// stored with the grant: pass the host's registrations, matched by client id.
public actor OAuthCredentialStore: OAuthGrantStore {
    /// Where grants and passwords are kept.
    public nonisolated let grants: any OAuthGrantStore
    /// The host's client registrations, by client id (for the client secret).
    public nonisolated let registrations: [OAuthClientRegistration]
    /// The HTTP client for refresh requests.
    public nonisolated let http: HTTPClient
    /// The time, for expiry.
    public nonisolated let clock: any OAuthClock
    /// How long before expiry an access token is refreshed.
    public nonisolated let margin: Duration

    private var sessions: [AccountID: (keeper: OAuthGrantKeeper, session: OAuthTokenSession)] = [:]

    /// A store over `grants`.
    public init(
        grants: any OAuthGrantStore, registrations: [OAuthClientRegistration] = [], http: HTTPClient = HTTPClient(),
        clock: any OAuthClock = SystemOAuthClock(), margin: Duration = .seconds(60)
    ) {
        self.grants = grants
        self.registrations = registrations
        self.http = http
        self.clock = clock
        self.margin = margin
    }

    /// The account's password, or a token provider built from its grant.
    public func secret(for account: AccountID) async throws -> Credentials.Secret? {
        guard let grant = try await grants.grant(for: account) else {
            sessions[account] = nil
            return try await grants.secret(for: account)
        }
        let session = try session(for: account, grant: grant)
        return .oauth2(
            OAuth2TokenProvider { refresh in
                try await self.accessToken(for: account, from: session, refresh: refresh)
            })
    }

    /// A token from `session`; when its refresh token was refused, the stored grant is read
    /// again: another process sharing the store may have rotated it since (then its new refresh
    /// token is used, once), otherwise the grant is really gone.
    private func accessToken(
        for account: AccountID, from session: OAuthTokenSession, refresh: Bool
    ) async throws -> String {
        do {
            return try await session.accessToken(forceRefresh: refresh)
        } catch let error where error.code == .signInRequired {
            guard let stored = try await grants.grant(for: account),
                let used = sessions[account], used.session === session, stored != used.keeper.grant
            else { throw error }
            return try await self.session(for: account, grant: stored).accessToken(forceRefresh: refresh)
        }
    }

    /// Stores a password (a token provider is kept by the underlying store only if it can).
    public func setSecret(_ secret: Credentials.Secret?, for account: AccountID) async throws {
        sessions[account] = nil
        try await grants.setSecret(secret, for: account)
    }

    /// The stored grant, with any rotation already written back.
    public func grant(for account: AccountID) async throws -> OAuthGrant? {
        try await grants.grant(for: account)
    }

    /// Stores a grant; the account's next secret is built from it.
    public func setGrant(_ grant: OAuthGrant?, for account: AccountID) async throws {
        sessions[account] = nil
        try await grants.setGrant(grant, for: account)
    }

    /// Takes over a session started by a sign-in (its access token is used while fresh): stores
    /// the keeper's grant and from now on writes each rotation back.
    func adopt(_ session: OAuthTokenSession, keeper: OAuthGrantKeeper, for account: AccountID) async throws {
        let grants = self.grants
        // Cached before the write, so no use of the account in between builds a second session.
        sessions[account] = (keeper, session)
        do {
            try await keeper.persist { grant in try await grants.setGrant(grant, for: account) }
        } catch {
            if sessions[account]?.keeper === keeper { sessions[account] = nil }
            throw error
        }
    }

    /// The account's session: no suspension between the cache check and the insert.
    private func session(for account: AccountID, grant: OAuthGrant) throws -> OAuthTokenSession {
        // The cached session stays while the stored grant is the one it holds (another process
        // that rotated it, or a new sign-in, makes a new session).
        if let cached = sessions[account], cached.keeper.grant == grant { return cached.session }
        let registration =
            registrations.first { $0.clientID == grant.clientID }
            ?? OAuthClientRegistration(clientID: grant.clientID)
        let client = try OAuthClient(
            metadata: OAuthServerMetadata(
                issuer: grant.issuer, authorizationEndpoint: nil, tokenEndpoint: grant.tokenEndpoint),
            registration: registration, http: http, clock: clock)
        let grants = self.grants
        let keeper = OAuthGrantKeeper(grant) { grant in try await grants.setGrant(grant, for: account) }
        let session = OAuthTokenSession(
            client: client, refreshToken: grant.refreshToken, scopes: grant.scopes, margin: margin
        ) { newRefreshToken in
            await keeper.rotated(newRefreshToken)
        }
        sessions[account] = (keeper, session)
        return session
    }
}

/// One account's grant while its session runs: the refresh token is replaced on each rotation
/// and, once the account is stored, written back at once (the old one may no longer work).
///
/// Its state is read without suspending, so that ``OAuthCredentialStore`` checks its cache and
/// inserts a new session in one step: two first uses of an account never make two sessions
/// (which would refresh twice, the second time with a spent refresh token).
final class OAuthGrantKeeper: Sendable {
    private let state: Mutex<(grant: OAuthGrant, write: (@Sendable (OAuthGrant) async throws -> Void)?)>

    init(_ grant: OAuthGrant, write: (@Sendable (OAuthGrant) async throws -> Void)? = nil) {
        state = Mutex((grant, write))
    }

    /// The grant as it stands (with the newest refresh token).
    var grant: OAuthGrant { state.withLock { $0.grant } }

    /// Starts writing the grant back: now, and after every rotation.
    func persist(_ write: @escaping @Sendable (OAuthGrant) async throws -> Void) async throws {
        let grant = state.withLock { state in
            state.write = write
            return state.grant
        }
        try await write(grant)
    }

    /// The server rotated the refresh token.
    func rotated(_ refreshToken: String) async {
        let (grant, write) = state.withLock { state in
            state.grant.refreshToken = refreshToken
            return (state.grant, state.write)
        }
        // A failed write leaves the old token on disk; the next process then meets
        // invalid_grant and asks for a new sign-in, which is the safe outcome.
        try? await write?(grant)
    }
}

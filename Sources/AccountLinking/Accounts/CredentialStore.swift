import MailAuth

/// Where the secrets of linked accounts are kept: MailAuth's `Credentials.Secret`, a password (or
/// app password) or an OAuth 2.0 token provider, never a bare string.
///
/// A desktop host backs this with the system keychain; ``FileCredentialStore`` keeps passwords in
/// a file readable only by its owner; ``InMemoryCredentialStore`` keeps anything, including token
/// providers a host builds from its own sign-in. Secrets never appear in accounts, errors or logs.
public protocol CredentialStore: Sendable {
    /// The secret for `account`, if one is stored.
    func secret(for account: AccountID) async throws -> Credentials.Secret?
    /// Stores (or with nil, removes) the secret for `account`.
    func setSecret(_ secret: Credentials.Secret?, for account: AccountID) async throws
}

/// Secrets in memory: passwords, token providers and OAuth 2.0 grants (``OAuthGrantStore``;
/// ``OAuthCredentialStore`` builds token providers from the grants).
public actor InMemoryCredentialStore: OAuthGrantStore {
    private var secrets: [AccountID: Credentials.Secret] = [:]
    private var grants: [AccountID: OAuthGrant] = [:]

    /// An empty store.
    public init() {}

    public func secret(for account: AccountID) -> Credentials.Secret? { secrets[account] }
    public func setSecret(_ secret: Credentials.Secret?, for account: AccountID) {
        secrets[account] = secret
        grants[account] = nil
    }
    public func grant(for account: AccountID) -> OAuthGrant? { grants[account] }
    public func setGrant(_ grant: OAuthGrant?, for account: AccountID) {
        grants[account] = grant
        secrets[account] = nil
    }
}

/// Passwords in a JSON file created with mode 0600, replaced durably on every change.
///
/// The file: `{"format": "maillink-secrets", "version": 1, "secrets": {"alice@example.com":
/// {"kind": "password", "value": "…"}}}`; an OAuth 2.0 account has `{"kind": "oauth2-refresh-token",
/// "grant": {…}}` (``OAuthGrant``: the refresh token, never an access token). A token provider is
/// code, not data: storing one through ``setSecret(_:for:)`` is an error that says so; store its
/// grant with ``setGrant(_:for:)``.
public actor FileCredentialStore: CredentialStore {
    struct Entry: Codable, Sendable {
        var kind: String
        var value: String?
        var grant: OAuthGrant?
    }

    struct Contents: StateFileContents {
        static let format = "maillink-secrets"
        static let version = 1
        var format = Self.format
        var version = Self.version
        var secrets: [String: Entry]
    }

    /// The file.
    public nonisolated let path: String
    private let file: StateFile<Contents>
    private let lock = AsyncLock()

    /// A store in the file at `path`; its folder is created when missing.
    /// - Throws: ``StateFileError`` when the folder cannot be created or written.
    public init(path: String) throws {
        try StateFolder.prepare(StateFolder.parent(of: path))
        self.path = path
        file = StateFile(path: path)
    }

    public func secret(for account: AccountID) async throws -> Credentials.Secret? {
        guard let entry = try await file.load()?.secrets[account.rawValue] else { return nil }
        if entry.kind == "oauth2-refresh-token" {
            throw StateFileError(
                .unsupportedSecret, path: path,
                detail: "\(account) signs in with OAuth 2.0; build its token provider from grant(for:)")
        }
        guard entry.kind == "password", let value = entry.value else {
            throw StateFileError(.unreadable, path: path, detail: "the secret of \(account) has an unknown kind \(entry.kind)")
        }
        return .password(value)
    }

    /// The OAuth 2.0 refresh-token grant stored for `account`, if one is (a password gives nil).
    /// - Throws: ``StateFileError`` when the file or the entry cannot be read.
    public func grant(for account: AccountID) async throws -> OAuthGrant? {
        guard let entry = try await file.load()?.secrets[account.rawValue], entry.kind != "password" else { return nil }
        guard entry.kind == "oauth2-refresh-token", let grant = entry.grant else {
            throw StateFileError(.unreadable, path: path, detail: "the secret of \(account) has an unknown kind \(entry.kind)")
        }
        return grant
    }

    /// Stores (or with nil, removes) the refresh-token grant for `account`, replacing any password;
    /// called again with the new refresh token each time the server rotates it.
    public func setGrant(_ grant: OAuthGrant?, for account: AccountID) async throws {
        try await store(grant.map { Entry(kind: "oauth2-refresh-token", value: nil, grant: $0) }, for: account)
    }

    public func setSecret(_ secret: Credentials.Secret?, for account: AccountID) async throws {
        let entry: Entry?
        switch secret {
        case .password(let password)?: entry = Entry(kind: "password", value: password, grant: nil)
        case .oauth2?:
            throw StateFileError(
                .unsupportedSecret, path: path,
                detail: "an OAuth 2.0 token provider cannot be stored in a file; store its grant with setGrant(_:for:)")
        case nil: entry = nil
        }
        try await store(entry, for: account)
    }

    private func store(_ entry: Entry?, for account: AccountID) async throws {
        try await lock.run {
            var contents = try await file.load() ?? Contents(secrets: [:])
            contents.secrets[account.rawValue] = entry
            try await file.save(contents)
        }
    }
}

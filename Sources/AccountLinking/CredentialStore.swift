import FolderRouting
import Foundation

/// Where the secrets of linked accounts are kept (passwords, app passwords). An application on a
/// desktop would back this with the system keychain; ``FileCredentialStore`` keeps them in a file
/// readable only by its owner. Secrets never appear in accounts, errors or logs.
public protocol CredentialStore: Sendable {
    /// The secret for `account`, if one is stored.
    func secret(for account: String) async throws -> String?
    /// Stores (or with nil, removes) the secret for `account`.
    func setSecret(_ secret: String?, for account: String) async throws
}

/// Secrets in a JSON file with mode 0600, replaced durably on every change.
public actor FileCredentialStore: CredentialStore {
    public nonisolated let path: String

    public init(path: String) {
        self.path = path
    }

    public func secret(for account: String) async throws -> String? {
        try await load()[account]
    }

    public func setSecret(_ secret: String?, for account: String) async throws {
        var secrets = try await load()
        secrets[account] = secret
        try await DurableFile.replace(at: path, with: Array(try JSONEncoder().encode(secrets)))
        _ = chmod(path, 0o600)
    }

    private func load() async throws -> [String: String] {
        guard let bytes = try await DurableFile.read(at: path) else { return [:] }
        return try JSONDecoder().decode([String: String].self, from: Data(bytes))
    }
}

/// Secrets in memory.
public actor InMemoryCredentialStore: CredentialStore {
    private var secrets: [String: String] = [:]
    public init() {}
    public func secret(for account: String) -> String? { secrets[account] }
    public func setSecret(_ secret: String?, for account: String) { secrets[account] = secret }
}

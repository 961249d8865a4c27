import FolderRouting
import Foundation

/// Where linked accounts are kept between runs. One requirement to load, one to save;
/// ``FileAccountStore`` is the real one.
public protocol AccountStore: Sendable {
    /// Every linked account.
    func loadAccounts() async throws -> [LinkedAccount]
    /// Replaces every linked account.
    func saveAccounts(_ accounts: [LinkedAccount]) async throws
}

/// Accounts in a JSON file, replaced durably and atomically on every change.
public struct FileAccountStore: AccountStore {
    /// The file.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func loadAccounts() async throws -> [LinkedAccount] {
        guard let bytes = try await DurableFile.read(at: path) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([LinkedAccount].self, from: Data(bytes))
    }

    public func saveAccounts(_ accounts: [LinkedAccount]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try await DurableFile.replace(at: path, with: Array(try encoder.encode(accounts)))
    }
}

/// Accounts in memory, for tests and for applications that persist them elsewhere.
public actor InMemoryAccountStore: AccountStore {
    private var accounts: [LinkedAccount] = []
    public init(_ accounts: [LinkedAccount] = []) { self.accounts = accounts }
    public func loadAccounts() -> [LinkedAccount] { accounts }
    public func saveAccounts(_ accounts: [LinkedAccount]) { self.accounts = accounts }
}

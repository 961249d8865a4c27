/// Where linked accounts are kept between runs: read them all, or change them atomically.
///
/// The contract: ``update(_:)`` applies its change to the current accounts and saves the result
/// as one step, with no other update in between, so two operations that run at the same time (a
/// ``AccountLinker/confirm(_:address:)`` while a ``AccountLinker/link(address:secret:options:)`` is in
/// flight) never overwrite each other. When the change throws, nothing is saved.
///
/// ``FileAccountStore`` keeps them in a file; ``InMemoryAccountStore`` in memory. A host with its
/// own database implements the two requirements over a transaction.
public protocol AccountStore: Sendable {
    /// Every linked account, in the order they were linked.
    func accounts() async throws -> [LinkedAccount]

    /// Applies `change` to the accounts and saves them, atomically.
    func update<Result: Sendable>(
        _ change: @Sendable (inout [LinkedAccount]) throws -> Result
    ) async throws -> Result
}

extension AccountStore {
    /// The account with identity `id`, if linked.
    public func account(_ id: AccountID) async throws -> LinkedAccount? {
        try await accounts().first { $0.id == id }
    }
}

/// Accounts in memory, for tests and for hosts that keep them elsewhere.
public actor InMemoryAccountStore: AccountStore {
    private var stored: [LinkedAccount]

    /// A store holding `accounts`.
    public init(_ accounts: [LinkedAccount] = []) { stored = accounts }

    public func accounts() -> [LinkedAccount] { stored }

    public func update<Result: Sendable>(
        _ change: @Sendable (inout [LinkedAccount]) throws -> Result
    ) throws -> Result {
        var copy = stored
        let result = try change(&copy)
        stored = copy
        return result
    }
}

/// Accounts in a JSON file, replaced durably and atomically on every change.
///
/// The file: `{"format": "maillink-accounts", "version": 1, "accounts": [LinkedAccount…]}` (see
/// ``LinkedAccount`` for each object's keys). A file that cannot be read stops every operation
/// with a ``StateFileError`` and is never overwritten.
public actor FileAccountStore: AccountStore {
    struct Contents: StateFileContents {
        static let format = "maillink-accounts"
        static let version = 1
        var format = Self.format
        var version = Self.version
        var accounts: [LinkedAccount]
    }

    /// The file.
    public nonisolated let path: String
    private let file: StateFile<Contents>

    /// A store in the file at `path`; its folder is created when missing.
    /// - Throws: ``StateFileError`` when the folder cannot be created or written.
    public init(path: String) throws {
        try StateFolder.prepare(StateFolder.parent(of: path))
        self.path = path
        file = StateFile(path: path)
    }

    public func accounts() async throws -> [LinkedAccount] {
        try await file.load()?.accounts ?? []
    }

    public func update<Result: Sendable>(
        _ change: @Sendable (inout [LinkedAccount]) throws -> Result
    ) async throws -> Result {
        // The actor runs one call at a time, but `await` inside would let another start; the
        // lock keeps load–change–save whole.
        try await lock.run {
            var accounts = try await file.load()?.accounts ?? []
            let result = try change(&accounts)
            try await file.save(Contents(accounts: accounts))
            return result
        }
    }

    private let lock = AsyncLock()
}

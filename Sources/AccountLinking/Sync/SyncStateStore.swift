import FolderRouting

/// Where a sync keeps what it remembers about each mailbox (``SyncState``: delivered unique-ids
/// and first-seen dates), so a host can keep it in its own database instead of files.
///
/// The key is the account key ``MailboxSync`` stores with each message (for linked accounts the
/// ``AccountID``'s text). The contract: ``save(_:for:)`` is durable when it returns (the sync
/// deletes mail from a server only after it), and ``state(for:)`` of an account never saved is
/// an empty state.
public protocol SyncStateStore: Sendable {
    /// The state of `account`'s mailbox; empty when none was saved.
    func state(for account: String) async throws -> SyncState
    /// Saves the state durably.
    func save(_ state: SyncState, for account: String) async throws
    /// Forgets the state (when an account is unlinked).
    func removeState(for account: String) async throws
}

/// Sync states in memory.
public actor InMemorySyncStateStore: SyncStateStore {
    private var states: [String: SyncState] = [:]

    /// An empty store.
    public init() {}

    public func state(for account: String) -> SyncState { states[account] ?? SyncState() }
    public func save(_ state: SyncState, for account: String) { states[account] = state }
    public func removeState(for account: String) { states[account] = nil }
}

/// One state file for one mailbox, whatever the account key: `linkmail fetch --state FILE`.
public struct SyncStateFile: SyncStateStore {
    /// The file.
    public let path: String

    /// The state in the file at `path`.
    public init(path: String) { self.path = path }

    public func state(for account: String) async throws -> SyncState { try await SyncState.load(from: path) }
    public func save(_ state: SyncState, for account: String) async throws { try await state.save(to: path) }
    public func removeState(for account: String) async throws { try await SyncState.remove(at: path) }
}

/// Sync states as files in a folder, one per account (`uidl-<account>.json`, see ``SyncState``).
public struct FileSyncStateStore: SyncStateStore {
    /// The folder.
    public let directory: String

    /// A store in `directory`, created when missing.
    /// - Throws: ``StateFileError`` when the folder cannot be created or written.
    public init(directory: String) throws {
        try StateFolder.prepare(directory)
        self.directory = directory
    }

    /// The file of `account`.
    public func path(for account: String) -> String { directory + "/uidl-" + Self.fileSafe(account) + ".json" }

    public func state(for account: String) async throws -> SyncState { try await SyncState.load(from: path(for: account)) }
    public func save(_ state: SyncState, for account: String) async throws { try await state.save(to: path(for: account)) }
    public func removeState(for account: String) async throws { try await SyncState.remove(at: path(for: account)) }

    /// `text` with everything but letters, digits and `@._-` replaced by `_`.
    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || "@._-".contains($0) ? $0 : "_" })
    }
}

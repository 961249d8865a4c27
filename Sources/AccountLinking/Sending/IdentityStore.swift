/// Where the user's identity settings are kept: which From address is the default.
///
/// ``FileIdentityStore`` keeps them in a file, ``InMemoryIdentityStore`` in memory; a host with
/// its own database implements the two requirements.
public protocol IdentityStore: Sendable {
    /// The default From, nil for the primary mailbox.
    func defaultIdentity() async throws -> AccountID?
    /// Sets (or with nil, resets to the primary) the default From.
    func setDefaultIdentity(_ identity: AccountID?) async throws
}

/// Identity settings in memory.
public actor InMemoryIdentityStore: IdentityStore {
    private var chosen: AccountID?

    /// Settings with the primary as the default.
    public init(defaultIdentity: AccountID? = nil) { chosen = defaultIdentity }

    public func defaultIdentity() -> AccountID? { chosen }
    public func setDefaultIdentity(_ identity: AccountID?) { chosen = identity }
}

/// Identity settings in a JSON file: `{"format": "maillink-identities", "version": 1,
/// "defaultIdentity": "alice@example.com"}` (`defaultIdentity` absent for the primary).
public struct FileIdentityStore: IdentityStore {
    struct Contents: StateFileContents {
        static let format = "maillink-identities"
        static let version = 1
        var format = Self.format
        var version = Self.version
        var defaultIdentity: AccountID?
    }

    /// The file.
    public let path: String
    private let file: StateFile<Contents>

    /// Settings in the file at `path`; its folder is created when missing.
    /// - Throws: ``StateFileError`` when the folder cannot be created or written.
    public init(path: String) throws {
        try StateFolder.prepare(StateFolder.parent(of: path))
        self.path = path
        file = StateFile(path: path)
    }

    public func defaultIdentity() async throws -> AccountID? { try await file.load()?.defaultIdentity }

    public func setDefaultIdentity(_ identity: AccountID?) async throws {
        try await file.save(Contents(defaultIdentity: identity))
    }
}

/// A ``MailStore`` that keeps everything in memory, with the same behaviour as ``MaildirStore``.
///
/// For tests, and for host applications that keep mail elsewhere and want routing,
/// markers and deduplication without a disk. "Durable" here means "until the
/// actor is released".
public actor InMemoryMailStore: MailStore {
    private struct Entry {
        var message: StoredMessage
        var bytes: [UInt8]
        var sequence: Int
    }

    private var entries: [StoredMessage.ID: Entry] = [:]
    private var byOrigin: [MessageOrigin: StoredMessage.ID] = [:]
    private var knownFolders: Set<Folder> = [.inbox]
    private var sequence = 0

    /// Creates an empty store holding only the Inbox.
    public init() {}

    /// Delivers messages in order; see ``MailStore/deliver(_:)``.
    public func deliver(_ messages: [IncomingMessage]) -> [DeliveryOutcome] {
        messages.map(store)
    }

    private func store(_ incoming: IncomingMessage) -> DeliveryOutcome {
        if let origin = incoming.origin, let existing = byOrigin[origin] {
            return .duplicate(existing: existing)
        }
        sequence += 1
        let id = StoredMessage.ID("memory-\(sequence)")
        let message = StoredMessage(
            id: id, folder: incoming.folder, origin: incoming.origin, marker: incoming.marker,
            size: incoming.bytes.count)
        entries[id] = Entry(message: message, bytes: incoming.bytes, sequence: sequence)
        if let origin = incoming.origin { byOrigin[origin] = id }
        knownFolders.insert(incoming.folder)
        return .delivered(message)
    }

    /// Starts a chunked delivery that stays invisible until committed.
    public func beginDelivery(to folder: Folder, marker: MarkerColor?, origin: MessageOrigin?) -> any MessageWriter {
        knownFolders.insert(folder)
        return InMemoryMessageWriter(
            store: self, message: IncomingMessage(bytes: [], folder: folder, marker: marker, origin: origin))
    }

    fileprivate func commit(_ message: IncomingMessage) -> DeliveryOutcome {
        store(message)
    }

    /// The message delivered from `origin`, if any.
    public func message(from origin: MessageOrigin) -> StoredMessage.ID? {
        byOrigin[origin]
    }

    /// Every folder, the Inbox first, then by path.
    public func folders() -> [Folder] {
        knownFolders.sorted(by: Folder.storeOrder)
    }

    /// Creates a folder; no error when it exists.
    public func createFolder(_ folder: Folder) {
        knownFolders.insert(folder)
    }

    /// The messages of a folder, oldest delivery first.
    public func messages(in folder: Folder) throws -> [StoredMessage] {
        guard knownFolders.contains(folder) else {
            throw MailStoreError(.folderNotFound, "no such folder", folder: folder)
        }
        return entries.values.filter { $0.message.folder == folder }.sorted { $0.sequence < $1.sequence }.map(\.message)
    }

    /// The bytes of a message, exactly as delivered.
    public func read(_ id: StoredMessage.ID) throws -> [UInt8] {
        try entry(id).bytes
    }

    /// Changes or removes a message's marker.
    public func setMarker(_ marker: MarkerColor?, for id: StoredMessage.ID) throws {
        _ = try entry(id)
        entries[id]?.message.marker = marker
    }

    /// Moves a message to another folder, creating it when needed.
    public func move(_ id: StoredMessage.ID, to folder: Folder) throws {
        _ = try entry(id)
        knownFolders.insert(folder)
        entries[id]?.message.folder = folder
    }

    /// Removes a message and forgets its origin.
    public func remove(_ id: StoredMessage.ID) throws {
        let removed = try entry(id)
        entries[id] = nil
        if let origin = removed.message.origin, byOrigin[origin] == id { byOrigin[origin] = nil }
    }

    /// Removes a folder with its messages.
    public func removeFolder(_ folder: Folder) throws {
        guard !folder.isInbox else { throw MailStoreError(.invalidFolderName, "the Inbox cannot be removed", folder: folder) }
        guard knownFolders.contains(folder) else { throw MailStoreError(.folderNotFound, "no such folder", folder: folder) }
        guard !knownFolders.contains(where: { $0.parent == folder }) else {
            throw MailStoreError(.invalidFolderName, "the folder has sub-folders", folder: folder)
        }
        for message in try messages(in: folder) { try remove(message.id) }
        knownFolders.remove(folder)
    }

    private func entry(_ id: StoredMessage.ID) throws -> Entry {
        guard let entry = entries[id] else {
            throw MailStoreError(.messageNotFound, "no message \(id)")
        }
        return entry
    }
}

/// The chunked delivery of ``InMemoryMailStore``: bytes are buffered until ``commit()``.
actor InMemoryMessageWriter: MessageWriter {
    private let store: InMemoryMailStore
    private var message: IncomingMessage
    private var isOpen = true

    init(store: InMemoryMailStore, message: IncomingMessage) {
        self.store = store
        self.message = message
    }

    func append(_ bytes: [UInt8]) throws {
        guard isOpen else {
            throw MailStoreError(.writerClosed, "append after commit or abort", folder: message.folder)
        }
        message.bytes += bytes
    }

    func commit() async throws -> DeliveryOutcome {
        guard isOpen else {
            throw MailStoreError(.writerClosed, "commit after commit or abort", folder: message.folder)
        }
        isOpen = false
        let outcome = await store.commit(message)
        message.bytes = []
        return outcome
    }

    func abort() {
        isOpen = false
        message.bytes = []
    }
}

extension Folder {
    /// The order stores list folders in: the Inbox first, then by path components.
    static func storeOrder(_ left: Folder, _ right: Folder) -> Bool {
        if left.isInbox != right.isInbox { return left.isInbox }
        return left.components.lexicographicallyPrecedes(right.components)
    }
}

/// Where linked mail lands: folders of messages, each with its origin and marker.
///
/// The contract every store keeps (``MaildirStore`` on disk, ``InMemoryMailStore`` in memory):
/// - a delivery that returns `.delivered` is durable; one that throws leaves nothing visible;
/// - one message per ``MessageOrigin``: a second delivery of the same origin returns `.duplicate`;
/// - bytes are stored exactly as given, valid RFC 5322 or not;
/// - a folder that does not exist is created by the first delivery into it;
/// - ``StoredMessage/ID`` stays the same when the message moves or the store is reopened.
public protocol MailStore: Sendable {
    /// Delivers several messages together, in order: one outcome per message.
    ///
    /// Batching lets a disk store pay for durability once per batch rather than once per message.
    func deliver(_ messages: [IncomingMessage]) async throws -> [DeliveryOutcome]

    /// Takes one message of a batch now; it becomes durable and visible with the others at
    /// ``commit(_:)`` (see ``StagedDelivery``). Nothing staged is visible before.
    func stage(_ message: IncomingMessage) async throws -> StagedDelivery

    /// Makes staged messages durable and visible together, in order: one outcome per message, as
    /// ``deliver(_:)`` gives. On failure none of them is visible.
    func commit(_ staged: [StagedDelivery]) async throws -> [DeliveryOutcome]

    /// Drops staged messages that will not be committed (a failed transfer); none becomes visible.
    func discard(_ staged: [StagedDelivery]) async

    /// Starts delivering one message whose bytes arrive in chunks.
    func beginDelivery(
        to folder: Folder, marker: MarkerColor?, origin: MessageOrigin?
    ) async throws -> any MessageWriter

    /// The message already delivered from `origin`, if any; a sync asks before fetching.
    func message(from origin: MessageOrigin) async throws -> StoredMessage.ID?

    /// Every folder, the Inbox first, then by path.
    func folders() async throws -> [Folder]

    /// Creates a folder (and nothing else); no error when it exists.
    func createFolder(_ folder: Folder) async throws

    /// The messages of a folder, oldest delivery first.
    func messages(in folder: Folder) async throws -> [StoredMessage]

    /// The bytes of a message, exactly as delivered.
    func read(_ id: StoredMessage.ID) async throws -> [UInt8]

    /// Changes (or, with `nil`, removes) a message's marker.
    func setMarker(_ marker: MarkerColor?, for id: StoredMessage.ID) async throws

    /// Moves a message to another folder, creating the folder when needed; its identifier stays.
    func move(_ id: StoredMessage.ID, to folder: Folder) async throws

    /// Removes a message for good. Its origin is forgotten too, so a later delivery from the same
    /// origin (after its account was unlinked and linked again) is stored, not a duplicate.
    func remove(_ id: StoredMessage.ID) async throws

    /// Removes a folder and every message in it (not the Inbox, and not a folder that has
    /// sub-folders: remove those first).
    func removeFolder(_ folder: Folder) async throws
}

extension MailStore {
    /// Keeps the message until ``commit(_:)`` (a store that writes staged messages at once
    /// implements its own).
    public func stage(_ message: IncomingMessage) async throws -> StagedDelivery {
        StagedDelivery(.held(message))
    }

    /// Nothing to do for held messages.
    public func discard(_ staged: [StagedDelivery]) async {}

    /// Delivers the held messages with ``deliver(_:)``; those committed already keep their outcome.
    public func commit(_ staged: [StagedDelivery]) async throws -> [DeliveryOutcome] {
        var messages: [IncomingMessage] = []
        for delivery in staged {
            switch delivery.storage {
            case .held(let message): messages.append(message)
            case .committed: break
            case .written: throw MailStoreError(.writerClosed, "a message staged in another store")
            }
        }
        return try StagedDelivery.outcomes(of: staged, from: try await deliver(messages))
    }

    /// Delivers one message.
    public func deliver(_ message: IncomingMessage) async throws -> DeliveryOutcome {
        let outcomes = try await deliver([message])
        guard let outcome = outcomes.first else {
            throw MailStoreError(.ioFailure, "the store returned no outcome", folder: message.folder)
        }
        return outcome
    }

    /// The listing entry of one message, searching every folder; `nil` when absent.
    public func message(_ id: StoredMessage.ID) async throws -> StoredMessage? {
        for folder in try await folders() {
            if let found = try await messages(in: folder).first(where: { $0.id == id }) { return found }
        }
        return nil
    }
}

/// A message handed to the store ahead of its batch's commit: ``MailStore/stage(_:)`` takes it,
/// ``MailStore/commit(_:)`` makes a batch of them durable and visible together.
///
/// Why: a sync that holds a whole batch in memory until the batch's single `fsync` round needs
/// memory for the batch; one that commits every message alone pays a round per message. Staging
/// gives both: ``MaildirStore`` writes each staged message into `tmp/` at once (memory: one
/// message) and pays the durability steps once per commit. Other stores keep the message here
/// until the commit delivers the batch with ``MailStore/deliver(_:)``.
public struct StagedDelivery: Sendable {
    enum Storage: Sendable {
        /// Kept in memory, for ``MailStore/deliver(_:)`` at the commit.
        case held(IncomingMessage)
        /// Written by a ``MaildirStore`` (its engine's token).
        case written(token: Int, store: ObjectIdentifier)
        /// Committed already (a streamed message of a store that cannot defer it).
        case committed(DeliveryOutcome)
    }

    let storage: Storage

    init(_ storage: Storage) { self.storage = storage }

    /// The bytes this staging keeps in memory until its commit: the whole message for a store
    /// that delivers at the commit, none for one that wrote it already.
    public var bytesHeld: Int {
        switch storage {
        case .held(let message): message.bytes.count
        case .written, .committed: 0
        }
    }

    /// The outcome of each of `staged`, in order: a message committed already keeps its own,
    /// the others take `outcomes` (what the store returned for them) one after the other.
    static func outcomes(of staged: [StagedDelivery], from outcomes: [DeliveryOutcome]) throws -> [DeliveryOutcome] {
        var remaining = outcomes.makeIterator()
        return try staged.map { delivery in
            if case .committed(let outcome) = delivery.storage { return outcome }
            guard let outcome = remaining.next() else {
                throw MailStoreError(.ioFailure, "the store returned too few outcomes")
            }
            return outcome
        }
    }
}

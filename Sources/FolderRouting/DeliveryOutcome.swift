/// What a store did with one delivered message.
public enum DeliveryOutcome: Hashable, Sendable {
    /// Stored durably: present after a crash or power loss from now on.
    case delivered(StoredMessage)
    /// Not stored, because the store already holds a message with the same ``MessageOrigin``.
    case duplicate(existing: StoredMessage.ID)

    /// The identifier of the message in the store, new or existing.
    public var id: StoredMessage.ID {
        switch self {
        case .delivered(let message): message.id
        case .duplicate(let existing): existing
        }
    }

    /// Whether the message was new.
    public var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }
}

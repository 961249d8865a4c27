/// Where a linked account's mail goes by default, or where a rule sends it.
///
/// Hotmail offered three choices when linking an account: a new folder named after
/// the account, the Inbox, or an existing folder. The first is resolved once, at link
/// time, with ``Folder/named(afterAccount:avoiding:)`` so that the name stays stable;
/// ``accountFolder`` defers that choice to ``AccountRoute/resolvedFolder``.
public enum RoutingDestination: Hashable, Sendable, Codable {
    /// The Inbox.
    case inbox
    /// A given folder; a store creates it on first delivery.
    case folder(Folder)
    /// The folder named after the linked account, made safe (``Folder/safeComponent(_:)``).
    case accountFolder
}

/// A mailbox's counters from STATUS (RFC 9051 §7.3.2) or SELECT/EXAMINE (RFC 9051 §6.3.2):
/// what a sync engine keys on.
///
/// ```
/// S: * STATUS INBOX (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 HIGHESTMODSEQ 7011231)
/// ```
public struct IMAPMailboxStatus: Sendable, Hashable {
    /// How many messages (`MESSAGES`, or `EXISTS` after SELECT).
    public var messageCount: Int?
    /// The UID the next message will get (`UIDNEXT`).
    public var uidNext: UInt32?
    /// The UIDVALIDITY: when it changes, every UID recorded before is void (RFC 9051 §2.3.1.1).
    public var uidValidity: UInt32?
    /// How many messages lack `\Seen` (`UNSEEN` in STATUS).
    public var unseenCount: Int?
    /// The highest mod-sequence (RFC 7162 §3.1.2.1), when the server keeps them.
    public var highestModSeq: UInt64?
    /// The mailbox's size in octets (`SIZE`, RFC 8438).
    public var size: UInt64?

    /// A status with the given values.
    public init(
        messageCount: Int? = nil, uidNext: UInt32? = nil, uidValidity: UInt32? = nil, unseenCount: Int? = nil,
        highestModSeq: UInt64? = nil, size: UInt64? = nil
    ) {
        self.messageCount = messageCount
        self.uidNext = uidNext
        self.uidValidity = uidValidity
        self.unseenCount = unseenCount
        self.highestModSeq = highestModSeq
        self.size = size
    }
}

/// The counters STATUS can ask for (RFC 9051 §6.3.11).
public enum IMAPStatusItem: String, Sendable, Hashable, CaseIterable {
    /// `MESSAGES`.
    case messages = "MESSAGES"
    /// `UIDNEXT`.
    case uidNext = "UIDNEXT"
    /// `UIDVALIDITY`.
    case uidValidity = "UIDVALIDITY"
    /// `UNSEEN`.
    case unseen = "UNSEEN"
    /// `HIGHESTMODSEQ` (needs CONDSTORE, RFC 7162 §3.1.2.1).
    case highestModSeq = "HIGHESTMODSEQ"
}

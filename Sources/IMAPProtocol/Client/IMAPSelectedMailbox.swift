/// The mailbox a SELECT or EXAMINE opened (RFC 9051 §6.3.2), with what a sync engine keys on.
///
/// ```
/// S: * 172 EXISTS
/// S: * OK [UIDVALIDITY 3857529045] UIDs valid
/// S: * OK [UIDNEXT 4392] Predicted next UID
/// S: * OK [HIGHESTMODSEQ 715194045007]
/// S: A2 OK [READ-WRITE] SELECT completed
/// ```
public struct IMAPSelectedMailbox: Sendable, Hashable {
    /// The mailbox.
    public var name: IMAPMailboxName
    /// Whether it was opened read-only (EXAMINE, or `[READ-ONLY]`): flags and expunges are refused.
    public var isReadOnly: Bool
    /// EXISTS, UIDNEXT, UIDVALIDITY, HIGHESTMODSEQ as announced (EXISTS follows later updates).
    public var status: IMAPMailboxStatus
    /// The flags defined in the mailbox (`FLAGS`).
    public var flags: [String]
    /// The flags the client may change permanently (`[PERMANENTFLAGS]`).
    public var permanentFlags: [String]

    /// A mailbox from its parts.
    public init(
        name: IMAPMailboxName, isReadOnly: Bool, status: IMAPMailboxStatus = IMAPMailboxStatus(), flags: [String] = [],
        permanentFlags: [String] = []
    ) {
        self.name = name
        self.isReadOnly = isReadOnly
        self.status = status
        self.flags = flags
        self.permanentFlags = permanentFlags
    }

    /// The UIDVALIDITY (RFC 9051 §2.3.1.1): messages are keyed on (mailbox, UIDVALIDITY, UID).
    public var uidValidity: UInt32? { status.uidValidity }
    /// The UID the next new message will get at least.
    public var uidNext: UInt32? { status.uidNext }
    /// How many messages the mailbox holds (EXISTS).
    public var messageCount: Int { status.messageCount ?? 0 }
    /// The highest mod-sequence when CONDSTORE is on (RFC 7162 §3.1.2.1).
    public var highestModSeq: UInt64? { status.highestModSeq }
}

/// What a UID FETCH tells about one message without its body (RFC 9051 §7.5.2).
public struct IMAPMessageSummary: Sendable, Hashable {
    /// The message's UID, valid with the mailbox's UIDVALIDITY.
    public var uid: UInt32
    /// Its size in octets (`RFC822.SIZE`).
    public var size: Int
    /// Its flags (`\Seen`, `\Flagged`, keywords).
    public var flags: [String]
    /// Its internal date as sent, if asked for.
    public var internalDate: String?
    /// Its mod-sequence, with CONDSTORE.
    public var modSeq: UInt64?

    /// A summary from its parts.
    public init(uid: UInt32, size: Int, flags: [String] = [], internalDate: String? = nil, modSeq: UInt64? = nil) {
        self.uid = uid
        self.size = size
        self.flags = flags
        self.internalDate = internalDate
        self.modSeq = modSeq
    }

    init?(_ attributes: IMAPFetchAttributes) {
        guard let uid = attributes.uid else { return nil }
        self.init(
            uid: uid, size: attributes.size ?? 0, flags: attributes.flags ?? [], internalDate: attributes.internalDate,
            modSeq: attributes.modSeq)
    }

    /// Whether the message carries `flag` (compared case-insensitively, RFC 9051 §2.3.2).
    public func hasFlag(_ flag: String) -> Bool { flags.contains { $0.uppercased() == flag.uppercased() } }
}

/// A message fetched with `BODY.PEEK[]`: its summary and its bytes exactly as the server holds them.
public struct IMAPFetchedMessage: Sendable, Hashable {
    /// UID, size, flags, date.
    public var summary: IMAPMessageSummary
    /// The whole message (RFC 5322), CRLF line ends as stored.
    public var content: [UInt8]

    /// A message from its parts.
    public init(summary: IMAPMessageSummary, content: [UInt8]) {
        self.summary = summary
        self.content = content
    }

    /// The message's UID.
    public var uid: UInt32 { summary.uid }
}

/// How ``IMAPClient/idle(timeout:clock:)`` ended.
public enum IMAPIdleResult: Sendable, Hashable {
    /// The server reported changes: new messages (EXISTS), removals (EXPUNGE, VANISHED), flag
    /// changes (FETCH).
    case changed([IMAPUntaggedResponse])
    /// Nothing happened before the timeout.
    case timedOut
}

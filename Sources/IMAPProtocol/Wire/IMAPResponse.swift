/// One server response (RFC 9051 §7, §2.2.2): a continuation request, a tagged completion, or
/// untagged data.
///
/// ```
/// S: + Ready for literal data              → .continuation
/// S: A7 OK [READ-WRITE] SELECT completed   → .tagged
/// S: * 23 EXISTS                           → .untagged(.exists(23))
/// ```
public enum IMAPResponse: Sendable, Hashable {
    /// `+ text`: the server waits for a literal's bytes, a SASL response or (IDLE) `DONE`.
    case continuation(String)
    /// `tag OK/NO/BAD text`: the command with this tag is complete.
    case tagged(IMAPTaggedResponse)
    /// `* ...`: data or status not tied to one command.
    case untagged(IMAPUntaggedResponse)
}

/// The completion of one command (RFC 9051 §7.1).
public struct IMAPTaggedResponse: Sendable, Hashable {
    /// The command's tag.
    public var tag: String
    /// `OK`, `NO` or `BAD`.
    public var status: IMAPStatus
    /// The code and text.
    public var text: IMAPResponseText

    /// A completion from its parts.
    public init(tag: String, status: IMAPStatus, text: IMAPResponseText) {
        self.tag = tag
        self.status = status
        self.text = text
    }
}

/// Untagged data (RFC 9051 §7.1-§7.5, RFC 5161, RFC 2971, RFC 7162).
public enum IMAPUntaggedResponse: Sendable, Hashable {
    /// `* OK/NO/BAD/PREAUTH/BYE [code] text`.
    case condition(IMAPStatus, IMAPResponseText)
    /// `* CAPABILITY ...` (RFC 9051 §7.2.2).
    case capability(IMAPCapabilities)
    /// `* ENABLED ...` (RFC 5161 §3.2).
    case enabled([String])
    /// `* FLAGS (...)` (RFC 9051 §7.3.5).
    case flags([String])
    /// `* LIST (attributes) delimiter name` (RFC 9051 §7.3.1).
    case list(IMAPMailbox)
    /// `* STATUS name (items)` (RFC 9051 §7.3.2).
    case status(IMAPMailboxName, IMAPMailboxStatus)
    /// `* SEARCH n...` (RFC 3501 §7.2.5), with `(MODSEQ n)` under CONDSTORE (RFC 7162 §3.1.5).
    case search([UInt32], highestModSeq: UInt64?)
    /// `* ESEARCH ...` (RFC 4731): the UIDs of `ALL`, when present.
    case extendedSearch(IMAPUIDSet)
    /// `* n EXISTS` (RFC 9051 §7.4.1).
    case exists(Int)
    /// `* n RECENT` (RFC 3501 §7.3.2).
    case recent(Int)
    /// `* n EXPUNGE` (RFC 9051 §7.5.1).
    case expunge(Int)
    /// `* n FETCH (...)` (RFC 9051 §7.5.2).
    case fetch(sequenceNumber: Int, IMAPFetchAttributes)
    /// `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10).
    case vanished(earlier: Bool, IMAPUIDSet)
    /// `* ID (...)` or `* ID NIL` (RFC 2971 §3.2).
    case id([String: String])
    /// Anything else, by its first word (NAMESPACE, LSUB, QUOTA...): read and ignored.
    case other(String)
}

/// One IMAP command, as a value that encodes itself onto the wire (RFC 9051 §6, with RFC 2177
/// IDLE, RFC 4315 UID EXPUNGE, RFC 5161 ENABLE, RFC 2971 ID, RFC 6154 LIST RETURN, RFC 7162).
///
/// Encoding refuses CR, LF and NUL in every argument, so no argument (a user name someone typed,
/// a mailbox name a server sent) can smuggle a second command onto the line.
///
/// ```
/// C: A1 LOGIN "alice" "secret"
/// C: A2 SELECT INBOX (CONDSTORE)
/// C: A3 UID FETCH 1:4 (UID RFC822.SIZE FLAGS BODY.PEEK[])
/// ```
public enum IMAPCommand: Sendable, Hashable, CustomStringConvertible {
    /// `CAPABILITY` (RFC 9051 §6.1.1).
    case capability
    /// `NOOP` (RFC 9051 §6.1.2): polls for updates, keeps the session alive.
    case noop
    /// `LOGOUT` (RFC 9051 §6.1.3).
    case logout
    /// `STARTTLS` (RFC 9051 §6.2.1).
    case startTLS
    /// `LOGIN user password` (RFC 9051 §6.2.3): the password in the clear unless TLS protects it.
    case login(user: String, password: String)
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 9051 §6.2.2, RFC 4959 SASL-IR).
    case authenticate(mechanism: String, initialResponse: String?)
    /// `ENABLE ext...` (RFC 5161).
    case enable([String])
    /// `ID (key value ...)` or `ID NIL` (RFC 2971).
    case id([(String, String)]?)
    /// `LIST reference pattern [RETURN (SPECIAL-USE)]` (RFC 9051 §6.3.9, RFC 6154 §5.1).
    case list(reference: IMAPMailboxName, pattern: IMAPMailboxName, returnSpecialUse: Bool)
    /// `STATUS mailbox (items)` (RFC 9051 §6.3.11).
    case status(IMAPMailboxName, [IMAPStatusItem])
    /// `SELECT mailbox [(CONDSTORE)]` (RFC 9051 §6.3.2, RFC 7162 §3.1.8).
    case select(IMAPMailboxName, condStore: Bool)
    /// `EXAMINE mailbox [(CONDSTORE)]` (RFC 9051 §6.3.3): read-only.
    case examine(IMAPMailboxName, condStore: Bool)
    /// `UID SEARCH criteria` (RFC 9051 §6.4.4, §6.4.9).
    case uidSearch(IMAPSearchKey)
    /// `UID FETCH set (items) [(CHANGEDSINCE n)]` (RFC 9051 §6.4.5, RFC 7162 §3.1.4.1).
    case uidFetch(IMAPUIDSet, [IMAPFetchItem], changedSince: UInt64?)
    /// `UID STORE set [+-]FLAGS[.SILENT] (flags)` (RFC 9051 §6.4.6).
    case uidStore(IMAPUIDSet, IMAPStoreMode, flags: [String], silent: Bool)
    /// `UID EXPUNGE set` (RFC 4315 §2.1): removes only these `\Deleted` messages.
    case uidExpunge(IMAPUIDSet)
    /// `EXPUNGE` (RFC 9051 §6.4.3): removes every `\Deleted` message of the mailbox.
    case expunge
    /// `CLOSE` (RFC 9051 §6.4.1): expunges silently and leaves the mailbox.
    case close
    /// `IDLE` (RFC 2177): wait for the server's updates until `DONE`.
    case idle

    /// The command word(s), upper case (`UID FETCH`).
    public var verb: String {
        switch self {
        case .capability: "CAPABILITY"
        case .noop: "NOOP"
        case .logout: "LOGOUT"
        case .startTLS: "STARTTLS"
        case .login: "LOGIN"
        case .authenticate: "AUTHENTICATE"
        case .enable: "ENABLE"
        case .id: "ID"
        case .list: "LIST"
        case .status: "STATUS"
        case .select: "SELECT"
        case .examine: "EXAMINE"
        case .uidSearch: "UID SEARCH"
        case .uidFetch: "UID FETCH"
        case .uidStore: "UID STORE"
        case .uidExpunge: "UID EXPUNGE"
        case .expunge: "EXPUNGE"
        case .close: "CLOSE"
        case .idle: "IDLE"
        }
    }

    /// The verb and harmless arguments; a password or SASL response never appears.
    public var description: String {
        switch self {
        case .login(let user, _): "LOGIN \(user) <redacted>"
        case .authenticate(let mechanism, let initial):
            "AUTHENTICATE \(mechanism)\(initial == nil ? "" : " <redacted>")"
        case .select(let name, _), .examine(let name, _), .status(let name, _): "\(verb) \(name)"
        case .uidFetch(let set, _, _), .uidStore(let set, _, _, _), .uidExpunge(let set): "\(verb) \(set)"
        default: verb
        }
    }

    /// Equality by encoded form (``id(_:)`` holds tuples).
    public static func == (lhs: IMAPCommand, rhs: IMAPCommand) -> Bool {
        lhs.comparisonKey == rhs.comparisonKey
    }

    /// Hashes the encoded form.
    public func hash(into hasher: inout Hasher) { hasher.combine(comparisonKey) }

    private var comparisonKey: [UInt8] {
        (try? encode(tag: "X", options: IMAPEncodingOptions()).segments.flatMap { $0 }) ?? Array(verb.utf8)
    }
}

/// A search key for UID SEARCH (RFC 9051 §6.4.4), the few a linker needs.
public indirect enum IMAPSearchKey: Sendable, Hashable {
    /// `ALL`.
    case all
    /// `UID set`.
    case uids(IMAPUIDSet)
    /// `DELETED`.
    case deleted
    /// `UNDELETED`.
    case undeleted
    /// `SEEN`.
    case seen
    /// `UNSEEN`.
    case unseen
    /// `SINCE date` by internal date, with the date as `1-Feb-2024` (RFC 9051 §9 `date`).
    case since(day: Int, month: Int, year: Int)
    /// `MODSEQ n` (RFC 7162 §3.1.5): changed since mod-sequence n.
    case modSeq(UInt64)
    /// Every key at once (keys separated by spaces).
    case and([IMAPSearchKey])

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The key's wire form.
    public var wire: String {
        switch self {
        case .all: "ALL"
        case .uids(let set): "UID \(set)"
        case .deleted: "DELETED"
        case .undeleted: "UNDELETED"
        case .seen: "SEEN"
        case .unseen: "UNSEEN"
        case .since(let day, let month, let year):
            "SINCE \(day)-\(Self.months[min(max(month, 1), 12) - 1])-\(year)"
        case .modSeq(let value): "MODSEQ \(value)"
        case .and(let keys): keys.isEmpty ? "ALL" : "(" + keys.map(\.wire).joined(separator: " ") + ")"
        }
    }
}

/// A FETCH data item to ask for (RFC 9051 §6.4.5).
public enum IMAPFetchItem: String, Sendable, Hashable, CaseIterable {
    /// `UID`.
    case uid = "UID"
    /// `RFC822.SIZE`.
    case size = "RFC822.SIZE"
    /// `FLAGS`.
    case flags = "FLAGS"
    /// `INTERNALDATE`.
    case internalDate = "INTERNALDATE"
    /// `MODSEQ` (RFC 7162 §3.1.4.1).
    case modSeq = "MODSEQ"
    /// `BODY.PEEK[]`: the whole message without setting `\Seen` (plain `BODY[]` marks it read).
    case bodyPeek = "BODY.PEEK[]"
}

/// How UID STORE changes flags (RFC 9051 §6.4.6).
public enum IMAPStoreMode: String, Sendable, Hashable {
    /// `+FLAGS`: add.
    case add = "+FLAGS"
    /// `-FLAGS`: remove.
    case remove = "-FLAGS"
    /// `FLAGS`: replace.
    case replace = "FLAGS"
}

/// How literals may be sent (RFC 7888).
public enum IMAPLiteralMode: Sendable, Hashable {
    /// `{n}`: wait for the server's `+` before the bytes (RFC 9051 §4.3).
    case synchronizing
    /// `{n+}` always (LITERAL+).
    case nonSynchronizing
    /// `{n+}` up to 4096 octets, `{n}` above (LITERAL-).
    case nonSynchronizingUpTo4096
}

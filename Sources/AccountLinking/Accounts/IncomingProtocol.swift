import IMAPProtocol

/// How a linked account's mail is fetched: POP3 (RFC 1939) or IMAP (RFC 9051).
///
/// Stored as `"pop3"` or `"imap"` under `incomingProtocol`; an account stored before the key
/// existed reads as POP3, the only protocol there was.
public enum IncomingProtocol: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// POP3: one mailbox, deletions at QUIT.
    case pop3
    /// IMAP: folders, read state, many devices; the better choice where a provider offers it.
    case imap

    /// The stored and printed name.
    public var description: String { rawValue }

    /// The protocol named `pop3`/`pop` or `imap` (any case); nil for anything else.
    public init?(named name: String) {
        switch name.lowercased() {
        case "pop3", "pop": self = .pop3
        case "imap", "imap4": self = .imap
        default: return nil
        }
    }
}

/// What an IMAP account reads and how its folders land (``IMAPSyncMailbox``).
///
/// Stored under `imap` as `{"mailboxes": "inbox"}` (the default), `{"mailboxes": "named",
/// "names": ["INBOX", "Archive"]}`, `{"mailboxes": "all", "specialUse": ["trash"]}` (every mailbox
/// but Trash, Junk and Drafts, plus the uses listed), or `{"mailboxes": "special-use",
/// "specialUse": ["archive", "sent"], "withInbox": true}`, with `"keepSourceFolders": true` when the
/// source's folders are kept under the account's folder. Special uses are RFC 6154 §2's names in
/// lower case without the backslash.
public struct IMAPSourceOptions: Sendable, Hashable, Codable {
    /// The mailboxes read (INBOX by default).
    public var mailboxes: IMAPSyncMailbox.Selection
    /// Whether mailboxes other than INBOX become folders under the account's folder (else
    /// everything lands in the account's folder).
    public var keepsSourceFolders: Bool

    /// Options; by default INBOX only, into the account's folder.
    public init(mailboxes: IMAPSyncMailbox.Selection = .inbox, keepsSourceFolders: Bool = false) {
        self.mailboxes = mailboxes
        self.keepsSourceFolders = keepsSourceFolders
    }

    /// The stored name of a special use (`trash` for `\Trash`).
    public static func name(of use: IMAPSpecialUse) -> String {
        String(use.rawValue.dropFirst()).lowercased()
    }

    /// The special use stored as `name` (`trash`, `\Trash`, any case); nil for anything else.
    public static func specialUse(named name: String) -> IMAPSpecialUse? {
        IMAPSpecialUse(attribute: name.hasPrefix("\\") ? name : "\\" + name)
    }

    private enum CodingKeys: String, CodingKey {
        case mailboxes, names, specialUse, withInbox, keepSourceFolders
    }

    /// Decodes the stored form; an unknown kind or special use is an error, never a silent change.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keepsSourceFolders = try container.decodeIfPresent(Bool.self, forKey: .keepSourceFolders) ?? false
        let useNames = try container.decodeIfPresent([String].self, forKey: .specialUse) ?? []
        var uses: Set<IMAPSpecialUse> = []
        for name in useNames {
            guard let use = Self.specialUse(named: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .specialUse, in: container, debugDescription: "not an RFC 6154 special use: \(name)")
            }
            uses.insert(use)
        }
        let kind = try container.decodeIfPresent(String.self, forKey: .mailboxes) ?? "inbox"
        switch kind {
        case "inbox": mailboxes = .inbox
        case "named": mailboxes = .named(try container.decode([String].self, forKey: .names))
        case "all": mailboxes = .all(including: uses)
        case "special-use":
            mailboxes = .specialUse(uses, inbox: try container.decodeIfPresent(Bool.self, forKey: .withInbox) ?? true)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .mailboxes, in: container,
                debugDescription: "mailboxes must be inbox, named, all or special-use, not \(kind)")
        }
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func names(_ uses: Set<IMAPSpecialUse>) -> [String] { uses.map(Self.name(of:)).sorted() }
        switch mailboxes {
        case .inbox:
            try container.encode("inbox", forKey: .mailboxes)
        case .named(let list):
            try container.encode("named", forKey: .mailboxes)
            try container.encode(list, forKey: .names)
        case .all(let including):
            try container.encode("all", forKey: .mailboxes)
            if !including.isEmpty { try container.encode(names(including), forKey: .specialUse) }
        case .specialUse(let uses, let inbox):
            try container.encode("special-use", forKey: .mailboxes)
            try container.encode(names(uses), forKey: .specialUse)
            try container.encode(inbox, forKey: .withInbox)
        }
        if keepsSourceFolders { try container.encode(true, forKey: .keepSourceFolders) }
    }
}

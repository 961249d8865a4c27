/// One mailbox of a LIST response (RFC 9051 §7.3.1), with its special use (RFC 6154).
///
/// ```
/// S: * LIST (\HasNoChildren \Sent) "/" Sent
/// ```
public struct IMAPMailbox: Sendable, Hashable {
    /// The name, as the server sent it.
    public var name: IMAPMailboxName
    /// The hierarchy delimiter (`/`, `.`), or nil for a flat namespace (`NIL`).
    public var delimiter: String?
    /// The name attributes as sent (`\HasNoChildren`, `\Noselect`, `\Sent`).
    public var attributes: [String]

    /// A mailbox from its parts.
    public init(name: IMAPMailboxName, delimiter: String?, attributes: [String]) {
        self.name = name
        self.delimiter = delimiter
        self.attributes = attributes
    }

    /// The special use the server marked it with, if any (RFC 6154 §2).
    public var specialUse: IMAPSpecialUse? {
        attributes.lazy.compactMap { IMAPSpecialUse(attribute: $0) }.first
    }

    /// Whether the mailbox can be selected (no `\Noselect` or `\NonExistent`, RFC 9051 §7.3.1).
    public var isSelectable: Bool {
        !attributes.contains { ["\\NOSELECT", "\\NONEXISTENT"].contains($0.uppercased()) }
    }
}

/// What a mailbox is for, as RFC 6154 §2 marks it: names are localised (`[Gmail]/Enviados`),
/// these attributes are not.
public enum IMAPSpecialUse: String, Sendable, Hashable, CaseIterable {
    /// `\All`: every message (a virtual mailbox, Gmail's "All Mail").
    case all = "\\All"
    /// `\Archive`.
    case archive = "\\Archive"
    /// `\Drafts`.
    case drafts = "\\Drafts"
    /// `\Flagged`: a virtual mailbox of flagged messages.
    case flagged = "\\Flagged"
    /// `\Junk`.
    case junk = "\\Junk"
    /// `\Sent`.
    case sent = "\\Sent"
    /// `\Trash`.
    case trash = "\\Trash"

    /// The use an attribute names, compared case-insensitively; nil for other attributes.
    public init?(attribute: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.uppercased() == attribute.uppercased() }) else {
            return nil
        }
        self = match
    }
}

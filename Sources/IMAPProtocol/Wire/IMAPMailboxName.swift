/// A mailbox name as it crosses the wire (RFC 9051 §5.1): the server's bytes, kept exactly so
/// that the name can be sent back unchanged.
///
/// Without UTF8=ACCEPT (RFC 6855) names are modified UTF-7 (RFC 3501 §5.1.3); the decoded
/// form for people is ``displayName`` (in `IMAPMailboxName+ModifiedUTF7.swift`).
///
/// ```
/// S: * LIST (\HasNoChildren) "/" "Entw&APw-rfe"
/// C: A3 SELECT "Entw&APw-rfe"
/// ```
public struct IMAPMailboxName: Sendable, Hashable, CustomStringConvertible {
    /// The name as sent on the wire.
    public var wireBytes: [UInt8]

    /// A name from its wire bytes.
    public init(wireBytes: [UInt8]) {
        self.wireBytes = wireBytes
    }

    /// A name from its wire form as text (`INBOX`, `Entw&APw-rfe`).
    public init(wire: String) {
        self.init(wireBytes: Array(wire.utf8))
    }

    /// The inbox (RFC 9051 §5.1: `INBOX` in any case names it).
    public static let inbox = IMAPMailboxName(wire: "INBOX")

    /// Whether this is the inbox (compared case-insensitively, RFC 9051 §5.1).
    public var isInbox: Bool { wire.uppercased() == "INBOX" }

    /// The wire form as text (invalid UTF-8 replaced).
    public var wire: String { String(decoding: wireBytes, as: UTF8.self) }

    /// The wire form.
    public var description: String { wire }
}

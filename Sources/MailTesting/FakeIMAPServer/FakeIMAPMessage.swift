/// One message in a ``FakeIMAPServer`` mailbox.
public struct FakeIMAPMessage: Sendable, Hashable {
    /// The whole message, CRLF line ends.
    public var content: [UInt8]
    /// Its flags (`\Seen`, `\Flagged`, `\Deleted`, keywords).
    public var flags: Set<String>
    /// Its internal date as IMAP writes it (RFC 9051 §9 `date-time`).
    public var internalDate: String
    /// Its UID, assigned by the mailbox on delivery.
    public internal(set) var uid: UInt32 = 0
    /// Its mod-sequence (RFC 7162), raised by every flag change.
    public internal(set) var modSeq: UInt64 = 1

    /// A message with `content`.
    public init(content: [UInt8], flags: Set<String> = [], internalDate: String = "02-Dec-2026 09:00:00 +0000") {
        self.content = content
        self.flags = flags
        self.internalDate = internalDate
    }

    /// A message with text content (LF line ends are turned into CRLF).
    public init(text: String, flags: Set<String> = []) {
        self.init(content: FakeServerSupport.crlfBytes(text), flags: flags)
    }
}

/// One mailbox of a ``FakeIMAPServer`` user: messages with UIDs, a UIDVALIDITY, a special use.
public struct FakeIMAPMailbox: Sendable, Hashable {
    /// The name as on the wire (modified UTF-7 for non-ASCII names, e.g. `Entw&APw-rfe`).
    public var name: String
    /// The special-use attribute (`\Sent`, `\Trash`, RFC 6154), if any.
    public var specialUse: String?
    /// The UIDVALIDITY (RFC 9051 §2.3.1.1).
    public internal(set) var uidValidity: UInt32
    /// The UID the next message gets.
    public internal(set) var uidNext: UInt32 = 1
    /// The messages, by ascending UID.
    public internal(set) var messages: [FakeIMAPMessage] = []
    /// The highest mod-sequence (RFC 7162).
    public internal(set) var highestModSeq: UInt64 = 1

    /// An empty mailbox.
    public init(name: String, specialUse: String? = nil, uidValidity: UInt32 = 1) {
        self.name = name
        self.specialUse = specialUse
        self.uidValidity = uidValidity
    }

    /// Appends `message` with the next UID; returns that UID.
    mutating func append(_ message: FakeIMAPMessage) -> UInt32 {
        var message = message
        message.uid = uidNext
        highestModSeq += 1
        message.modSeq = highestModSeq
        uidNext += 1
        messages.append(message)
        return message.uid
    }
}

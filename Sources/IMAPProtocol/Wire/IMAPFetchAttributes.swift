/// The data items of one FETCH response (RFC 9051 §7.5.2) that a linker reads.
///
/// ```
/// S: * 12 FETCH (UID 4827 RFC822.SIZE 3201 FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" BODY[] {3201}
/// S: <3201 octets>)
/// ```
public struct IMAPFetchAttributes: Sendable, Hashable {
    /// `UID`.
    public var uid: UInt32?
    /// `RFC822.SIZE`: the message's size in octets.
    public var size: Int?
    /// `FLAGS`, as sent (`\Seen`, `$Forwarded`).
    public var flags: [String]?
    /// `INTERNALDATE`, as sent (`17-Jul-1996 02:44:25 -0700`).
    public var internalDate: String?
    /// `MODSEQ` (RFC 7162 §3.1.4.1).
    public var modSeq: UInt64?
    /// `BODY[]` (or `RFC822`, `BINARY[]`): the whole message, in memory or streamed to a sink.
    public var body: IMAPLiteralContent?

    /// Empty attributes.
    public init(
        uid: UInt32? = nil, size: Int? = nil, flags: [String]? = nil, internalDate: String? = nil,
        modSeq: UInt64? = nil, body: IMAPLiteralContent? = nil
    ) {
        self.uid = uid
        self.size = size
        self.flags = flags
        self.internalDate = internalDate
        self.modSeq = modSeq
        self.body = body
    }
}

/// A string value that may have been streamed instead of kept.
public enum IMAPLiteralContent: Sendable, Hashable {
    /// The bytes, in memory.
    case bytes([UInt8])
    /// A literal of this many octets, handed to a sink as it arrived.
    case streamed(size: Int)
    /// `NIL`.
    case none

    /// The bytes when in memory.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }
}

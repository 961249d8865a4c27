/// A message to deliver: its bytes exactly as fetched, where it goes and where it came from.
///
/// Stores never rewrite mail: the bytes are kept as they are, even when they are not
/// valid RFC 5322 (bare LF, 8-bit headers, no header at all).
public struct IncomingMessage: Hashable, Sendable {
    /// The message, byte for byte.
    public var bytes: [UInt8]
    /// The destination folder.
    public var folder: Folder
    /// The marker to show; `nil` for none.
    public var marker: MarkerColor?
    /// The account and UIDL; `nil` for a message with no POP3 origin (never deduplicated).
    public var origin: MessageOrigin?
    /// Maildir flag letters to store it with (`F` flagged, `S` seen, …), for mail that arrives
    /// already read or flagged (an IMAP source's `\\Seen` and `\\Flagged`, RFC 9051 §2.3.2).
    /// Empty (the default) delivers it as new mail. Stores without flags ignore them.
    public var flags: String = ""

    /// Creates a message to deliver.
    public init(bytes: [UInt8], folder: Folder, marker: MarkerColor? = nil, origin: MessageOrigin? = nil) {
        self.bytes = bytes
        self.folder = folder
        self.marker = marker
        self.origin = origin
    }

    /// Creates a message to deliver where a ``RoutingDecision`` says.
    public init(bytes: [UInt8], decision: RoutingDecision, origin: MessageOrigin?) {
        self.init(bytes: bytes, folder: decision.folder, marker: decision.marker, origin: origin)
    }
}

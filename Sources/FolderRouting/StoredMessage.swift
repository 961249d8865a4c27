/// A message as a store lists it: where it is, where it came from, its marker and its size.
public struct StoredMessage: Hashable, Sendable, Identifiable {
    /// A store's name for a message; stable across moves and restarts.
    ///
    /// For ``MaildirStore`` it is the Maildir base name (the file name before `:2,`).
    public struct ID: Hashable, Sendable, Codable, CustomStringConvertible {
        /// The identifier's text.
        public let rawValue: String
        /// Wraps an identifier's text.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The identifier's text.
        public var description: String { rawValue }
    }

    /// The message's identifier.
    public var id: ID
    /// The folder it is in.
    public var folder: Folder
    /// Its account and UIDL; `nil` for a message the store did not deliver (e.g. written by another program).
    public var origin: MessageOrigin?
    /// Its marker, `nil` for none.
    public var marker: MarkerColor?
    /// Its size in bytes.
    public var size: Int
    /// Whether a reader has seen it (Maildir: in `cur/` with the `S` flag).
    public var isSeen: Bool

    /// Creates a listing entry.
    public init(id: ID, folder: Folder, origin: MessageOrigin?, marker: MarkerColor?, size: Int, isSeen: Bool = false) {
        self.id = id
        self.folder = folder
        self.origin = origin
        self.marker = marker
        self.size = size
        self.isSeen = isSeen
    }
}

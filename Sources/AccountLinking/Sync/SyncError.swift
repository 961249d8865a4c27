/// A failure of the sync engine itself (the protocol and store layers have their own errors,
/// which pass through unchanged).
public struct SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong. Extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The UIDL record cannot be read (corrupt or from a newer version).
        public static let stateUnreadable = Code("state unreadable")
        /// The server lists a message without a usable unique-id, so it cannot be fetched exactly once.
        public static let missingUniqueID = Code("missing unique id")
        /// The server returned a different number of messages than asked for.
        public static let inconsistentServer = Code("inconsistent server")
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}

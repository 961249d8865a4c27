/// Where a delivered message came from: its linked account and the POP3 unique-id (RFC 1939 §7, `UIDL`).
///
/// Stores keep one message per origin: this is how a sync that crashed after
/// delivering a message but before recording its UIDL does not duplicate it.
public struct MessageOrigin: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The linked account's identifier.
    public var account: String
    /// The server's unique-id for the message: 1 to 70 characters in 0x21–0x7E (RFC 1939 §7).
    public var uidl: String

    /// Creates an origin.
    public init(account: String, uidl: String) {
        self.account = account
        self.uidl = uidl
    }

    /// `account/uidl`.
    public var description: String { "\(account)/\(uidl)" }
}

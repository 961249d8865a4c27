/// An extended response code in square brackets at the start of a response's text
/// (RFC 2449 §8, registry in RFC 3206), such as `IN-USE` or `SYS/TEMP`.
///
/// ```
/// S: -ERR [IN-USE] mailbox locked by another session
/// S: -ERR [SYS/TEMP] try again in a few minutes
/// ```
///
/// Codes are hierarchical: `SYS/TEMP/DISK` is a kind of `SYS/TEMP` (see ``isKind(of:)``).
public struct POP3ResponseCode: Sendable, Hashable, CustomStringConvertible {
    /// The code as sent, upper-cased (`SYS/TEMP`).
    public let rawValue: String

    /// A code from its text (compared case-insensitively, as RFC 2449 §8 asks).
    public init(_ rawValue: String) { self.rawValue = rawValue.uppercased() }

    /// The code as sent, upper-cased.
    public var description: String { rawValue }

    /// The mailbox is locked by another session (RFC 2449 §8.1.1).
    public static let inUse = POP3ResponseCode("IN-USE")
    /// The user logged in too recently (RFC 2449 §8.1.2; see the `LOGIN-DELAY` capability).
    public static let loginDelay = POP3ResponseCode("LOGIN-DELAY")
    /// A temporary system problem; trying later may work (RFC 3206 §4).
    public static let systemTemporary = POP3ResponseCode("SYS/TEMP")
    /// A permanent system problem; a person must act (RFC 3206 §4).
    public static let systemPermanent = POP3ResponseCode("SYS/PERM")
    /// The credentials were wrong or not acceptable (RFC 3206 §5).
    public static let authentication = POP3ResponseCode("AUTH")
    /// The UTF8 extension's code (RFC 6856 §3).
    public static let utf8 = POP3ResponseCode("UTF8")

    /// Whether this code is `other` or one of its sub-codes (`SYS/TEMP/X` is a kind of `SYS/TEMP`).
    public func isKind(of other: POP3ResponseCode) -> Bool {
        rawValue == other.rawValue || rawValue.hasPrefix(other.rawValue + "/")
    }
}

/// A bracketed response code (RFC 9051 §7.1, RFC 5530, RFC 4315, RFC 7162): a name, upper
/// case, and the rest of the bracket as text.
///
/// ```
/// S: A1 NO [AUTHENTICATIONFAILED] Authentication failed.
/// S: * OK [UIDVALIDITY 3857529045] UIDs valid
/// S: * OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited
/// ```
public struct IMAPResponseCode: Sendable, Hashable, CustomStringConvertible {
    /// The code's name, upper case (`UIDVALIDITY`).
    public var name: String
    /// What follows the name inside the brackets, if anything (`3857529045`).
    public var argument: String?

    /// A code from its parts; the name is upper-cased.
    public init(name: String, argument: String? = nil) {
        self.name = name.uppercased()
        self.argument = argument
    }

    /// The argument as a number (`UIDVALIDITY`, `UIDNEXT`, `UNSEEN`, `HIGHESTMODSEQ`), if it is one.
    public var number: UInt64? { argument.flatMap { UInt64($0) } }

    /// The words of a parenthesized or space-separated argument (`CAPABILITY`, `PERMANENTFLAGS`).
    public var words: [String] {
        guard var text = argument else { return [] }
        if text.hasPrefix("("), text.hasSuffix(")") { text = String(text.dropFirst().dropLast()) }
        return text.split(separator: " ").map(String.init)
    }

    /// `[NAME argument]`.
    public var description: String { argument.map { "[\(name) \($0)]" } ?? "[\(name)]" }

    /// `ALERT` (RFC 9051 §7.1): text the user must see.
    public static let alert = "ALERT"
    /// `CAPABILITY` (RFC 9051 §7.1): the capabilities, saving a CAPABILITY command.
    public static let capability = "CAPABILITY"
    /// `PERMANENTFLAGS` (RFC 9051 §7.1).
    public static let permanentFlags = "PERMANENTFLAGS"
    /// `READ-ONLY` (RFC 9051 §7.1): the mailbox is selected read-only.
    public static let readOnly = "READ-ONLY"
    /// `READ-WRITE` (RFC 9051 §7.1).
    public static let readWrite = "READ-WRITE"
    /// `TRYCREATE` (RFC 9051 §7.1): the target mailbox does not exist.
    public static let tryCreate = "TRYCREATE"
    /// `UIDNEXT` (RFC 9051 §7.1): the next UID the mailbox will assign.
    public static let uidNext = "UIDNEXT"
    /// `UIDVALIDITY` (RFC 9051 §7.1, §2.3.1.1).
    public static let uidValidity = "UIDVALIDITY"
    /// `UNSEEN` (RFC 3501 §7.1): the first unseen message's number.
    public static let unseen = "UNSEEN"
    /// `HIGHESTMODSEQ` (RFC 7162 §3.1.2.1).
    public static let highestModSeq = "HIGHESTMODSEQ"
    /// `NOMODSEQ` (RFC 7162 §3.1.2.2): the mailbox keeps no mod-sequences.
    public static let noModSeq = "NOMODSEQ"
    /// `UNAVAILABLE` (RFC 5530 §3): temporary failure.
    public static let unavailable = "UNAVAILABLE"
    /// `AUTHENTICATIONFAILED` (RFC 5530 §3).
    public static let authenticationFailed = "AUTHENTICATIONFAILED"
    /// `AUTHORIZATIONFAILED` (RFC 5530 §3).
    public static let authorizationFailed = "AUTHORIZATIONFAILED"
    /// `EXPIRED` (RFC 5530 §3).
    public static let expired = "EXPIRED"
    /// `PRIVACYREQUIRED` (RFC 5530 §3).
    public static let privacyRequired = "PRIVACYREQUIRED"
    /// `CONTACTADMIN` (RFC 5530 §3).
    public static let contactAdmin = "CONTACTADMIN"
    /// `NOPERM` (RFC 5530 §3).
    public static let noPermission = "NOPERM"
    /// `INUSE` (RFC 5530 §3).
    public static let inUse = "INUSE"
    /// `LIMIT` (RFC 5530 §3).
    public static let limit = "LIMIT"
    /// `OVERQUOTA` (RFC 5530 §3).
    public static let overQuota = "OVERQUOTA"
    /// `NONEXISTENT` (RFC 5530 §3).
    public static let nonexistent = "NONEXISTENT"
    /// `CLOSED` (RFC 7162 §3.2.11): the previous mailbox was closed by a new SELECT.
    public static let closed = "CLOSED"
}

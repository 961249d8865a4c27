/// What the server announces in its CAPABILITY response (RFC 9051 §7.2.2), compared case-
/// insensitively.
///
/// ```
/// S: * CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR LITERAL+ IDLE UIDPLUS SPECIAL-USE
/// ```
public struct IMAPCapabilities: Sendable, Hashable {
    /// Every capability as announced, upper case.
    public private(set) var names: Set<String>

    /// Capabilities from their names as announced.
    public init(_ names: some Sequence<String>) {
        self.names = Set(names.map { $0.uppercased() })
    }

    /// Nothing known yet.
    public static let unknown = IMAPCapabilities([String]())

    /// Whether `name` (any case) is announced.
    public func contains(_ name: String) -> Bool { names.contains(name.uppercased()) }

    /// The SASL mechanisms of the `AUTH=` capabilities (RFC 9051 §6.2.2), sorted.
    public var authenticationMechanisms: [String] {
        names.filter { $0.hasPrefix("AUTH=") }.map { String($0.dropFirst(5)) }.sorted()
    }

    /// `STARTTLS` (RFC 9051 §6.2.1).
    public var startTLS: Bool { contains("STARTTLS") }
    /// `LOGINDISABLED` (RFC 9051 §6.2.3): LOGIN is refused now.
    public var loginDisabled: Bool { contains("LOGINDISABLED") }
    /// `SASL-IR` (RFC 4959): an initial response may go on the AUTHENTICATE line.
    public var saslInitialResponse: Bool { contains("SASL-IR") || contains("IMAP4rev2") }
    /// `LITERAL+` (RFC 7888): non-synchronizing literals of any size.
    public var literalPlus: Bool { contains("LITERAL+") }
    /// `LITERAL-` (RFC 7888, implied by IMAP4rev2): non-synchronizing literals up to 4096 octets.
    public var literalMinus: Bool { contains("LITERAL-") || contains("IMAP4rev2") }
    /// `IDLE` (RFC 2177).
    public var idle: Bool { contains("IDLE") || contains("IMAP4rev2") }
    /// `UIDPLUS` (RFC 4315): UID EXPUNGE.
    public var uidPlus: Bool { contains("UIDPLUS") || contains("IMAP4rev2") }
    /// `CONDSTORE` (RFC 7162).
    public var condStore: Bool { contains("CONDSTORE") || contains("QRESYNC") }
    /// `QRESYNC` (RFC 7162).
    public var qresync: Bool { contains("QRESYNC") }
    /// `ENABLE` (RFC 5161).
    public var enable: Bool { contains("ENABLE") || contains("IMAP4rev2") }
    /// `ID` (RFC 2971).
    public var id: Bool { contains("ID") }
    /// `SPECIAL-USE` (RFC 6154) or `IMAP4rev2`, whose LIST returns the special-use attributes.
    public var specialUse: Bool { contains("SPECIAL-USE") || contains("IMAP4rev2") }
    /// `UTF8=ACCEPT` (RFC 6855).
    public var utf8Accept: Bool { contains("UTF8=ACCEPT") }

    /// How literals may be sent with these capabilities (RFC 7888).
    public var literalMode: IMAPLiteralMode {
        literalPlus ? .nonSynchronizing : literalMinus ? .nonSynchronizingUpTo4096 : .synchronizing
    }
}

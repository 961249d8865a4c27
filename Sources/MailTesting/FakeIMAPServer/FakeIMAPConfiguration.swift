/// What a ``FakeIMAPServer`` offers and how it misbehaves.
public struct FakeIMAPConfiguration: Sendable {
    /// The greeting's text after `* OK`.
    public var greeting = "FakeIMAP ready"
    /// Greet with `* PREAUTH` as this user (already logged in), if set.
    public var preauthenticatedUser: String?
    /// Whether the greeting carries `[CAPABILITY ...]`.
    public var capabilitiesInGreeting = false
    /// Whether the login completion carries `[CAPABILITY ...]` (as Dovecot's does).
    public var capabilitiesAfterLogin = true
    /// Whether STARTTLS is offered (RFC 9051 §6.2.1); it needs a connection that can do TLS.
    public var offersStartTLS = false
    /// Whether LOGIN and cleartext SASL are refused until TLS (LOGINDISABLED announced before it).
    public var requiresTLSForLogin = false
    /// The SASL mechanisms announced as `AUTH=` (see `SASLServerAccounts.supportedMechanismNames`).
    public var saslMechanisms: [String] = ["PLAIN"]
    /// Whether SASL-IR is announced (RFC 4959).
    public var offersSASLIR = true
    /// `LITERAL+`, `LITERAL-` or nil for synchronizing literals only (RFC 7888).
    public var literalExtension: String? = "LITERAL+"
    /// Whether IDLE is announced (RFC 2177).
    public var offersIDLE = true
    /// Whether UIDPLUS is announced (RFC 4315).
    public var offersUIDPLUS = true
    /// Whether CONDSTORE is announced (RFC 7162).
    public var offersCONDSTORE = true
    /// Whether SPECIAL-USE is announced (RFC 6154).
    public var offersSpecialUse = true
    /// Whether ENABLE and ID are announced (RFC 5161, RFC 2971).
    public var offersENABLEAndID = true
    /// Whether UTF8=ACCEPT is announced (RFC 6855).
    public var offersUTF8Accept = false
    /// The mailboxes every user gets at first use, besides INBOX: wire name → special use.
    public var defaultMailboxes: [String: String?] = [
        "Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Junk": "\\Junk", "Archive": "\\Archive",
    ]
    /// The hierarchy delimiter LIST reports.
    public var delimiter = "/"
    /// Scripted faults.
    public var faults: [FakeIMAPFault] = []

    /// The default: IMAP4rev1 with LITERAL+, SASL-IR, AUTH=PLAIN, IDLE, UIDPLUS, CONDSTORE,
    /// SPECIAL-USE, ENABLE, ID; no STARTTLS.
    public init() {}
}

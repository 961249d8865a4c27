/// What a ``FakePOP3Server`` offers and how it misbehaves.
public struct FakePOP3Configuration: Sendable {
    /// The greeting's text after `+OK` (the APOP timestamp is appended when ``offersAPOP``).
    public var greeting = "FakePOP3 ready"
    /// Whether the server answers CAPA (RFC 2449); a server that does not is RFC 1939 only.
    public var supportsCAPA = true
    /// Whether STLS is offered (RFC 2595); it needs a connection that can do TLS.
    public var offersSTLS = false
    /// Whether USER/PASS is offered.
    public var offersUSER = true
    /// Whether APOP is offered (a timestamp in the greeting).
    public var offersAPOP = false
    /// Whether PIPELINING is announced (the fake always reads commands in order, so it copes anyway).
    public var offersPipelining = true
    /// Whether TOP and UIDL are announced and answered.
    public var offersTOPAndUIDL = true
    /// Whether RESP-CODES and AUTH-RESP-CODE are announced (codes are sent in any case).
    public var offersResponseCodes = true
    /// The SASL mechanisms announced and accepted (see `SASLServerAccounts.supportedMechanismNames`).
    public var saslMechanisms: [String] = []
    /// Whether USER/PASS, APOP and cleartext SASL are refused until STLS was done.
    public var requiresTLSForLogin = false
    /// `LOGIN-DELAY` seconds to announce, if any.
    public var loginDelay: Int?
    /// `EXPIRE` value to announce (`"NEVER"`, `"30"`), if any.
    public var expire: String?
    /// `IMPLEMENTATION` text to announce.
    public var implementation = "MailLink FakePOP3Server"
    /// Scripted faults.
    public var faults: [FakePOP3Fault] = []

    /// The default: CAPA with USER, TOP, UIDL, PIPELINING, RESP-CODES; no STLS, no SASL.
    public init() {}
}

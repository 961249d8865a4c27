/// The server side of a SASL mechanism, for MailTesting's fake POP3 and SMTP servers.
///
/// A small state machine over decoded bytes; the fake server does the framing and base64
/// (`+ …` in POP3, RFC 5034; `334 …` in SMTP, RFC 4954). It parses client messages with its own
/// code, never MailAuth's client, so that a bug cannot hide on both sides of a test.
///
/// ```swift
/// var server = accounts.makeMechanism(named: "PLAIN")!      // C: AUTH PLAIN AHRpbQB0YW5zdGFhZg==
/// switch server.start(initialResponse: decodedInitialResponse) {
/// case .challenge(let bytes): send("+ " + base64(bytes))  // then feed the next line to respond(_:)
/// case .success(let user): send("+OK \(user) logged in")
/// case .failure: send("-ERR authentication failed")
/// }
/// ```
public protocol SASLServerMechanism: Sendable {
    /// The mechanism name, upper case.
    var name: String { get }

    /// Begins the exchange with the client's initial response, or `nil` when `AUTH` carried none.
    mutating func start(initialResponse: [UInt8]?) -> SASLServerStep

    /// Handles one decoded client response.
    mutating func respond(_ response: [UInt8]) -> SASLServerStep
}

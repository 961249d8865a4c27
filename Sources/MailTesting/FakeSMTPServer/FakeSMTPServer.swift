import MailTransport
import Synchronization

/// A small SMTP submission server for tests (RFC 5321 with PIPELINING, SIZE, 8BITMIME,
/// SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS, AUTH and, when asked, CHUNKING), in memory or on a
/// loopback socket.
///
/// It parses commands with its own code, never the client's, records every accepted message
/// and every command line (AUTH data redacted), and can be told to misbehave (``Fault``).
///
/// ```swift
/// let server = FakeSMTPServer(configuration: .init(accounts: SASLServerAccounts(passwords: ["tim": "pw"])))
/// let client = try await SMTPClient.connect(to: Endpoint(host: "fake", port: 587, security: .startTLS),
///                                           credentials: …, connector: server.connector)
/// // … send …
/// server.receivedMessages.first?.data   // the message as received, unstuffed, CRLF line ends
/// ```
public final class FakeSMTPServer: Sendable {
    /// What the server offers and enforces.
    public struct Configuration: Sendable {
        /// The name in the greeting and EHLO reply.
        public var hostname: String
        /// Whether to advertise PIPELINING (RFC 2920). When off, the server records a
        /// ``Violation/pipeliningWithoutPermission`` if a client sends ahead.
        public var offersPipelining: Bool
        /// Whether to advertise CHUNKING (RFC 3030) and accept BDAT. Off by default, so that
        /// clients use DATA unless a test asks for BDAT.
        public var offersChunking: Bool
        /// Whether to offer STARTTLS (RFC 3207) on a plaintext connection.
        public var offersStartTLS: Bool
        /// The SIZE limit to advertise and enforce (RFC 1870); nil for none.
        public var maximumMessageSize: Int?
        /// Whether to advertise 8BITMIME (RFC 6152).
        public var offers8BitMIME: Bool
        /// Whether to advertise SMTPUTF8 (RFC 6531).
        public var offersSMTPUTF8: Bool
        /// Whether to answer EHLO at all; when false it answers 502 and only HELO works.
        public var supportsEHLO: Bool
        /// The accounts AUTH checks; the mechanisms advertised are ``authenticationMechanisms``.
        public var accounts: SASLServerAccounts
        /// The AUTH mechanisms to advertise (empty: no AUTH).
        public var authenticationMechanisms: [String]
        /// Whether MAIL needs a successful AUTH first (530 5.7.0 otherwise).
        public var requiresAuthentication: Bool
        /// Whether AUTH is offered on a connection that is not encrypted (RFC 4954 §4 advises not to).
        public var offersAuthenticationInPlaintext: Bool
        /// Misbehaviour to inject.
        public var faults: [Fault]

        /// A server with the common extensions and no accounts.
        public init(
            hostname: String = "fake-smtp.test", offersPipelining: Bool = true, offersChunking: Bool = false,
            offersStartTLS: Bool = true,
            maximumMessageSize: Int? = 50 << 20, offers8BitMIME: Bool = true, offersSMTPUTF8: Bool = true,
            supportsEHLO: Bool = true, accounts: SASLServerAccounts = SASLServerAccounts(),
            authenticationMechanisms: [String] = ["PLAIN", "LOGIN"], requiresAuthentication: Bool = false,
            offersAuthenticationInPlaintext: Bool = false, faults: [Fault] = []
        ) {
            self.hostname = hostname
            self.offersPipelining = offersPipelining
            self.offersChunking = offersChunking
            self.offersStartTLS = offersStartTLS
            self.maximumMessageSize = maximumMessageSize
            self.offers8BitMIME = offers8BitMIME
            self.offersSMTPUTF8 = offersSMTPUTF8
            self.supportsEHLO = supportsEHLO
            self.accounts = accounts
            self.authenticationMechanisms = authenticationMechanisms
            self.requiresAuthentication = requiresAuthentication
            self.offersAuthenticationInPlaintext = offersAuthenticationInPlaintext
            self.faults = faults
        }
    }

    /// Scripted misbehaviour.
    public enum Fault: Sendable, Hashable {
        /// Greet with this line instead of `220 …` (for example `554 5.7.1 go away`); a reply
        /// not starting with 220 ends the session after it is sent.
        case greeting(String)
        /// Refuse `RCPT TO` for this address (compared case-insensitively) with this reply line.
        case refuseRecipient(String, reply: String)
        /// Answer every command with this verb (`MAIL`, `DATA`, `AUTH`, …) with this reply line
        /// instead of handling it.
        case reply(verb: String, with: String)
        /// Answer the end of DATA (or the LAST BDAT chunk) with this reply line instead of
        /// accepting the message.
        case refuseMessage(reply: String)
        /// Answer the end of a message whose data contains `marker` with this reply line,
        /// accepting the others: one refused message in a burst.
        case refuseMessageContaining(String, reply: String)
        /// Refuse MAIL FROM for this address (compared case-insensitively) with this reply line.
        case refuseSender(String, reply: String)
        /// Answer AUTH with this reply line whatever the credentials (e.g. `534 5.7.9 …`).
        case authenticationReply(String)
        /// Close the connection after this many commands, without a reply.
        case disconnect(afterCommands: Int)
        /// Send every reply (the greeting included) one byte at a time, `interval` apart: a
        /// slow-loris server that a read timeout alone never stops.
        case slowLoris(interval: Duration)
        /// Take the message (it counts as received) but never answer the final dot: the case
        /// RFC 5321 §4.5.3.2.6 warns about, where the client cannot know whether it was queued.
        case silentAfterData
    }

    /// A message the server accepted.
    public struct ReceivedMessage: Sendable, Hashable {
        /// The MAIL FROM address (empty for `<>`).
        public var sender: String
        /// The parameters after MAIL FROM, as sent (e.g. `SIZE=1024`).
        public var mailParameters: [String]
        /// The accepted RCPT TO addresses, in order.
        public var recipients: [String]
        /// The message, dot-unstuffed (DATA) or the chunks joined (BDAT), with the line ends as
        /// received (CRLF from a correct client).
        public var data: [UInt8]
        /// Whether it came in BDAT chunks (RFC 3030), and how many; 0 for DATA.
        public var chunkCount: Int
        /// The user AUTH accepted on this session, if any.
        public var authenticatedUser: String?
        /// Whether the connection was encrypted when the message arrived.
        public var wasSecure: Bool
    }

    /// Protocol rules a client broke; tests expect none.
    public enum Violation: Sendable, Hashable {
        /// A command arrived before the reply to the previous one without PIPELINING offered.
        case pipeliningWithoutPermission(String)
        /// Bytes followed STARTTLS before the handshake (RFC 3207 §4: the client must wait).
        case dataAfterStartTLS
        /// A line ended with a bare LF instead of CRLF.
        case bareLineFeed
        /// A command the server does not know.
        case unknownCommand(String)
        /// A command other than RSET, EHLO, HELO or QUIT followed a refused BDAT: RFC 3030 §2
        /// leaves the state indeterminate until RSET.
        case noResetAfterRefusedChunk(String)
    }

    struct Record {
        var messages: [ReceivedMessage] = []
        var commands: [String] = []
        var violations: [Violation] = []
        var sessions = 0
    }

    /// The configuration.
    public let configuration: Configuration
    let record = Mutex(Record())

    /// A server with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// A server with `configuration` that knows `accounts` (replacing the configuration's own),
    /// in the same shape as ``FakePOP3Server/init(configuration:accounts:)`` and
    /// ``FakeIMAPServer/init(configuration:accounts:)``.
    public convenience init(configuration: Configuration = Configuration(), accounts: SASLServerAccounts) {
        var configuration = configuration
        configuration.accounts = accounts
        self.init(configuration: configuration)
    }

    /// Every message accepted so far, in order.
    public var receivedMessages: [ReceivedMessage] { record.withLock { $0.messages } }
    /// Every command line received, AUTH arguments and responses redacted.
    public var receivedCommands: [String] { record.withLock { $0.commands } }
    /// Every protocol rule a client broke.
    public var violations: [Violation] { record.withLock { $0.violations } }
    /// How many sessions were served.
    public var sessionCount: Int { record.withLock { $0.sessions } }

    /// Serves one session on `connection` until QUIT, a fatal fault or the client's close.
    /// A connection that is already encrypted (implicit TLS) is not offered STARTTLS.
    public func serve(_ connection: any ServerSideConnection) async {
        record.withLock { $0.sessions += 1 }
        let session = FakeSMTPSession(server: self, connection: connection)
        await session.run()
        connection.close()
    }

    /// A connector whose connections lead to this server through in-memory pipes: `.tls`
    /// endpoints get a (simulated) encrypted connection from the start, `.startTLS` and
    /// `.insecurePlaintext` a plaintext one.
    public var connector: FakeSMTPConnector { FakeSMTPConnector(server: self) }

    /// A connector like ``connector`` whose TLS handshakes (implicit or after STARTTLS) go as
    /// `tls` says: `.fails(TransportError(.certificateExpired))` tests certificate handling.
    public func connector(tls: InMemoryConnection.SimulatedTLS) -> FakeSMTPConnector {
        FakeSMTPConnector(server: self, simulatedTLS: tls)
    }

    /// Listens on loopback and serves every connection until the listener is closed.
    /// - Parameters:
    ///   - certificate: for implicit TLS or STARTTLS (from ``TestCertificateAuthority``).
    ///   - implicitTLS: whether each connection starts with a TLS handshake (port 465 style).
    public func listen(
        host: String = "127.0.0.1", certificate: TestCertificateAuthority.ServerCertificate? = nil,
        implicitTLS: Bool = false
    ) throws -> LoopbackListener {
        let listener = try LoopbackListener(host: host, certificate: certificate, implicitTLS: implicitTLS)
        Task { [self] in await serve(listener) }
        return listener
    }

    /// Serves every connection `listener` accepts, until it closes.
    public func serve(_ listener: LoopbackListener) async {
        await listener.serve { connection in await self.serve(connection) }
    }

    func note(command: String) { record.withLock { $0.commands.append(command) } }
    func note(_ violation: Violation) { record.withLock { $0.violations.append(violation) } }
    func note(message: ReceivedMessage) { record.withLock { $0.messages.append(message) } }
}

/// Opens in-memory connections to a ``FakeSMTPServer``.
public struct FakeSMTPConnector: MailConnector {
    /// The server reached.
    public let server: FakeSMTPServer
    /// How TLS handshakes on its connections go.
    public var simulatedTLS: InMemoryConnection.SimulatedTLS = .succeeds()

    /// A new in-memory connection with a session of ``server`` on its other end.
    public func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let server = self.server
        return try await FakeServerSupport.connect(to: endpoint, tls: tls, timeouts: timeouts, simulatedTLS: simulatedTLS) {
            await server.serve($0)
        }
    }
}

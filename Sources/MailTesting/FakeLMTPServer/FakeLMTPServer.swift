import MailTransport
import Synchronization

/// A small LMTP server for tests (RFC 2033 with PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES), in
/// memory or on a loopback socket: the mail server end of a delivery.
///
/// It parses commands with its own code, never the client's, keeps every message it delivered
/// per recipient, and can be told to refuse a recipient at `RCPT` or after the message
/// (``Fault``), which is where LMTP differs from SMTP: one reply per recipient after the dot.
///
/// ```swift
/// let server = FakeLMTPServer(configuration: .init(faults: [.failAfterData("ivan@example.test", reply: "452 4.2.2 Mailbox full")]))
/// let client = try await LMTPClient.connect(to: Endpoint(host: "fake", port: 24, security: .insecurePlaintext),
///                                           connector: server.connector)
/// // … deliver to judy@ and ivan@ …
/// server.deliveries.map(\.recipient)   // ["judy@example.test"]
/// ```
public final class FakeLMTPServer: FakeMailServer {
    /// What the server offers and how it misbehaves.
    public struct Configuration: Sendable {
        /// The name in the greeting and the LHLO reply.
        public var hostname: String
        /// Whether to advertise PIPELINING (RFC 2920); when off, a client that sends ahead is
        /// recorded as a ``Violation/pipeliningWithoutPermission(_:)``.
        public var offersPipelining: Bool
        /// Misbehaviour to inject.
        public var faults: [Fault]

        /// A well-behaved server.
        public init(hostname: String = "fake-lmtp.test", offersPipelining: Bool = true, faults: [Fault] = []) {
            self.hostname = hostname
            self.offersPipelining = offersPipelining
            self.faults = faults
        }
    }

    /// Scripted misbehaviour.
    public enum Fault: Sendable, Hashable {
        /// Refuse `RCPT TO` for this address (any case) with this reply line.
        case refuseRecipient(String, reply: String)
        /// Accept this recipient, but answer this reply line for it after the message (RFC 2033
        /// §4.2), so the message reaches the other recipients only.
        case failAfterData(String, reply: String)
        /// Read the whole message, then close the connection without a reply (a crash of the
        /// server at the worst moment: the client cannot know what was stored).
        case closeAfterData
        /// Greet with this line instead of `220 …`; a line not starting with 220 ends the session.
        case greeting(String)
        /// Close the session once this many messages were answered in it, as a server ends an
        /// idle session: the client's next use of it finds it closed.
        case closeAfterMessages(Int)
    }

    /// One message in one mailbox.
    public struct Delivery: Sendable, Hashable {
        /// The `RCPT TO` address it was delivered to.
        public var recipient: String
        /// The `MAIL FROM` address (empty for `<>`).
        public var sender: String
        /// The message, dot-unstuffed, line ends as received.
        public var data: [UInt8]
    }

    /// Protocol rules a client broke; tests expect none.
    public enum Violation: Sendable, Hashable {
        /// A command arrived before the previous reply without PIPELINING offered.
        case pipeliningWithoutPermission(String)
        /// `EHLO` or `HELO`, which an LMTP server must not take (RFC 2033 §4.1).
        case smtpGreeting(String)
        /// A line of the message ended with a bare LF.
        case bareLineFeed
        /// A command the server does not know.
        case unknownCommand(String)
    }

    struct Record {
        var deliveries: [Delivery] = []
        var commands: [String] = []
        var violations: [Violation] = []
        var sessions = 0
        var messageBytesInFlight = 0
    }

    /// The configuration.
    public let configuration: Configuration
    let record = Mutex(Record())

    /// A server with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Every delivery so far, one per recipient that got a message, in order.
    public var deliveries: [Delivery] { record.withLock { $0.deliveries } }
    /// Every command line received.
    public var receivedCommands: [String] { record.withLock { $0.commands } }
    /// Every rule a client broke.
    public var violations: [Violation] { record.withLock { $0.violations } }
    /// How many sessions were served.
    public var sessionCount: Int { record.withLock { $0.sessions } }
    /// How many bytes of the message being received have arrived (0 between messages): shows
    /// that a client streams a message rather than buffering it whole.
    public var messageBytesInFlight: Int { record.withLock { $0.messageBytesInFlight } }

    /// Serves one session on `connection` until QUIT, a fault or the client's close.
    public func serve(_ connection: any ServerSideConnection) async {
        record.withLock { $0.sessions += 1 }
        await FakeLMTPSession(server: self, connection: connection).run()
        connection.close()
    }

    /// A connector whose connections lead to this server through in-memory pipes.
    public var connector: FakeLMTPConnector { FakeLMTPConnector(server: self) }
}

/// Opens in-memory connections to a ``FakeLMTPServer``.
public struct FakeLMTPConnector: MailConnector {
    /// The server reached.
    public let server: FakeLMTPServer

    /// A new in-memory connection with a session of ``server`` on its other end.
    public func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let server = self.server
        return try await FakeServerSupport.connect(to: endpoint, tls: tls, timeouts: timeouts) { connection in
            await server.serve(connection)
        }
    }
}

import MailAuth
import MailTransport
import Synchronization

/// A POP3 server for tests, written independently of the POP3 client: its own command parsing,
/// one handler per verb (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034).
///
/// It keeps a maildrop per user with UIDLs, honours DELE/RSET/QUIT semantics (deletions happen
/// only at QUIT, in the UPDATE state), locks a maildrop while a session holds it (`[IN-USE]`),
/// checks USER/PASS, APOP and SASL (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1/256, XOAUTH2) against
/// ``accounts``, and misbehaves on demand (``FakePOP3Fault``).
///
/// ```swift
/// let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
/// server.deliver(FakePOP3Message(uid: "a1", text: "Subject: hi\n\nhello\n"), to: "alice")
/// let client = try await POP3Client.connect(to: Endpoint(host: "fake", port: 995, security: .tls),
///                                           connector: server.connector)
/// ```
///
/// Reachable in memory (``connector``, or ``serve(_:)`` on any ``ServerSideConnection``) and
/// over loopback TCP with real TLS (``FakeMailServer/listen(host:certificate:implicitTLS:)``).
public final class FakePOP3Server: FakeMailServer {
    /// What the server offers and its faults.
    public let configuration: FakePOP3Configuration
    /// The users it knows: passwords (USER/PASS, APOP, password SASL) and tokens (XOAUTH2).
    public let accounts: SASLServerAccounts

    struct State {
        var maildrops: [String: [FakePOP3Message]] = [:]
        var locked: Set<String> = []
        var commands: [String] = []
        var sessions = 0
    }

    let state = Mutex(State())

    /// A server with `configuration` and `accounts`.
    public init(configuration: FakePOP3Configuration = FakePOP3Configuration(), accounts: SASLServerAccounts) {
        self.configuration = configuration
        self.accounts = accounts
    }

    /// Adds `message` to the end of `user`'s maildrop (visible to sessions that log in later).
    public func deliver(_ message: FakePOP3Message, to user: String) {
        state.withLock { $0.maildrops[user, default: []].append(message) }
    }

    /// The messages in `user`'s maildrop now (after any committed deletions).
    public func messages(of user: String) -> [FakePOP3Message] {
        state.withLock { $0.maildrops[user] ?? [] }
    }

    /// Every command line received so far, in order, with secrets replaced by `<redacted>`.
    public var receivedCommands: [String] { state.withLock { $0.commands } }

    /// How many sessions have started.
    public var sessionCount: Int { state.withLock { $0.sessions } }

    /// Whether a session holds `user`'s maildrop now.
    public func isLocked(_ user: String) -> Bool { state.withLock { $0.locked.contains(user) } }

    /// Locks `user`'s maildrop as another session would, so that logins get `[IN-USE]`.
    public func lock(_ user: String) -> Bool { state.withLock { $0.locked.insert(user).inserted } }

    /// Releases a lock taken with ``lock(_:)``.
    public func unlock(_ user: String) { _ = state.withLock { $0.locked.remove(user) } }

    /// Runs one session on `connection` until QUIT, a fault or the client going away; closes it.
    public func serve(_ connection: any ServerSideConnection) async {
        state.withLock { $0.sessions += 1 }
        let session = FakePOP3Session(server: self, connection: connection)
        await session.run()
    }

    /// A connector whose connections reach this server in memory. With `.tls` the connection
    /// is marked secure at once (simulated implicit TLS); `.startTLS` works through STLS.
    public var connector: FakePOP3Connector { FakePOP3Connector(server: self) }

    /// A connector like ``connector`` whose TLS handshakes (implicit or after STLS) go as `tls`
    /// says: `.fails(TransportError(.certificateExpired))` tests a client's certificate handling.
    public func connector(tls: InMemoryConnection.SimulatedTLS) -> FakePOP3Connector {
        FakePOP3Connector(server: self, simulatedTLS: tls)
    }

    /// Removes the messages at these positions from `user`'s maildrop (a session's UPDATE
    /// state). The session held the maildrop's lock since login and deliveries only append, so
    /// positions from the login snapshot still name the same messages.
    func remove(indexes: Set<Int>, from user: String) {
        state.withLock { state in
            let maildrop = state.maildrops[user] ?? []
            state.maildrops[user] = maildrop.indices.filter { !indexes.contains($0) }.map { maildrop[$0] }
        }
    }

    func record(_ line: String) {
        state.withLock { $0.commands.append(line) }
    }
}

/// Opens in-memory connections to a ``FakePOP3Server``.
public struct FakePOP3Connector: MailConnector {
    /// The server reached.
    public let server: FakePOP3Server
    /// How TLS handshakes on its connections go.
    public var simulatedTLS: InMemoryConnection.SimulatedTLS = .succeeds()

    /// A new in-memory connection with a session of ``server`` on its other end. `timeouts.read`
    /// applies to both ends: the client's reads, and the server's wait for the next command
    /// (as a real server's idle timeout).
    public func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let server = self.server
        return try await FakeServerSupport.connect(to: endpoint, tls: tls, timeouts: timeouts, simulatedTLS: simulatedTLS) {
            await server.serve($0)
        }
    }
}

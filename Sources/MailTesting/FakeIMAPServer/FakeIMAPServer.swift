import MailAuth
import MailTransport
import Synchronization

/// An IMAP server for tests, written independently of the IMAP client: its own command
/// parsing, one handler per command (RFC 9051 subset, RFC 2177 IDLE, RFC 4315 UIDPLUS,
/// RFC 6154 SPECIAL-USE, RFC 7162 CONDSTORE, RFC 7888 LITERAL+).
///
/// It keeps mailboxes per user with UIDs, flags, mod-sequences and special uses; `BODY[]` sets
/// `\Seen` and `BODY.PEEK[]` does not; a message delivered while a session idles is announced
/// at once (`* n EXISTS`); UIDVALIDITY can be changed; logins are checked against ``accounts``
/// (LOGIN and the SASL mechanisms of `SASLServerAccounts`); faults on demand (``FakeIMAPFault``).
///
/// ```swift
/// let server = FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
/// server.deliver(FakeIMAPMessage(text: "Subject: hi\n\nhello\n"), to: "alice")
/// let client = try await IMAPClient.connect(to: Endpoint(host: "fake", port: 993, security: .tls),
///                                           connector: server.connector)
/// ```
///
/// Reachable in memory (``connector``, or ``serve(_:)`` on any ``ServerSideConnection``) and
/// over loopback TCP with real TLS (``FakeMailServer/listen(host:certificate:implicitTLS:)``).
public final class FakeIMAPServer: FakeMailServer {
    /// What the server offers and its faults.
    public let configuration: FakeIMAPConfiguration
    /// The users it knows: passwords (LOGIN, password SASL) and tokens (XOAUTH2, OAUTHBEARER).
    public let accounts: SASLServerAccounts

    struct State {
        var mailboxes: [String: [FakeIMAPMailbox]] = [:]
        var commands: [String] = []
        var sessions = 0
        var openSessions = 0
        var peakOpenSessions = 0
        var watchers: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextWatcher = 0
        var nextUIDValidity: UInt32 = 1_000
    }

    let state = Mutex(State())

    /// A server with `configuration` and `accounts`.
    public init(configuration: FakeIMAPConfiguration = FakeIMAPConfiguration(), accounts: SASLServerAccounts) {
        self.configuration = configuration
        self.accounts = accounts
    }

    /// Appends `message` to `user`'s `mailbox` (created if missing) and wakes idling sessions.
    /// Returns the UID it got.
    @discardableResult
    public func deliver(_ message: FakeIMAPMessage, to user: String, mailbox: String = "INBOX") -> UInt32 {
        let (uid, watchers) = state.withLock { state in
            let uid = Self.withMailbox(&state, user: user, name: mailbox, configuration: configuration) {
                $0.append(message)
            }
            return (uid, Array(state.watchers.values))
        }
        for watcher in watchers { watcher.yield() }
        return uid
    }

    /// Creates `mailbox` for `user` with a special use (RFC 6154), if it does not exist.
    public func createMailbox(_ mailbox: String, specialUse: String? = nil, for user: String) {
        state.withLock { state in
            Self.withMailbox(&state, user: user, name: mailbox, configuration: configuration) { box in
                if specialUse != nil { box.specialUse = specialUse }
            }
        }
    }

    /// Gives `user`'s `mailbox` a new UIDVALIDITY and renumbers its messages from 1, as a server
    /// that rebuilt its index does (RFC 9051 §2.3.1.1). Returns the new UIDVALIDITY.
    @discardableResult
    public func changeUIDValidity(of mailbox: String = "INBOX", for user: String) -> UInt32 {
        state.withLock { state in
            state.nextUIDValidity += 1
            let validity = state.nextUIDValidity
            Self.withMailbox(&state, user: user, name: mailbox, configuration: configuration) { box in
                let messages = box.messages
                box = FakeIMAPMailbox(name: box.name, specialUse: box.specialUse, uidValidity: validity)
                for message in messages { _ = box.append(message) }
            }
            return validity
        }
    }

    /// `user`'s `mailbox` now, or nil when it does not exist.
    public func mailbox(_ name: String = "INBOX", of user: String) -> FakeIMAPMailbox? {
        state.withLock { state in
            Self.ensureDefaults(&state, user: user, configuration: configuration)
            return state.mailboxes[user]?.first { Self.sameName($0.name, name) }
        }
    }

    /// The messages in `user`'s `mailbox` now.
    public func messages(in mailbox: String = "INBOX", of user: String) -> [FakeIMAPMessage] {
        self.mailbox(mailbox, of: user)?.messages ?? []
    }

    /// Every command line received so far, in order, with secrets replaced by `<redacted>`.
    public var receivedCommands: [String] { state.withLock { $0.commands } }

    /// How many sessions have started.
    public var sessionCount: Int { state.withLock { $0.sessions } }

    /// How many sessions are open now (started and not yet ended), as a provider that limits
    /// simultaneous connections counts them.
    public var openSessionCount: Int { state.withLock { $0.openSessions } }

    /// The most sessions that were open at once since the server was made.
    public var peakOpenSessionCount: Int { state.withLock { $0.peakOpenSessions } }

    /// Runs one session on `connection` until LOGOUT, a fault or the client going away; closes it.
    public func serve(_ connection: any ServerSideConnection) async {
        state.withLock { state in
            state.sessions += 1
            state.openSessions += 1
            state.peakOpenSessions = max(state.peakOpenSessions, state.openSessions)
        }
        let session = FakeIMAPSession(server: self, connection: connection)
        await session.run()
        state.withLock { $0.openSessions -= 1 }
    }

    /// A connector whose connections reach this server in memory. With `.tls` the connection is
    /// marked secure at once (simulated implicit TLS); `.startTLS` works through STARTTLS.
    public var connector: FakeIMAPConnector { FakeIMAPConnector(server: self) }

    /// A connector like ``connector`` whose TLS handshakes (implicit or after STARTTLS) go as
    /// `tls` says: `.fails(TransportError(.certificateExpired))` tests certificate handling.
    public func connector(tls: InMemoryConnection.SimulatedTLS) -> FakeIMAPConnector {
        FakeIMAPConnector(server: self, simulatedTLS: tls)
    }

    // MARK: - For sessions

    func record(_ line: String) {
        state.withLock { $0.commands.append(line) }
    }

    /// Runs `body` on `user`'s mailbox `name`, creating it when `create` (or always for INBOX).
    @discardableResult
    func update<T>(user: String, mailbox name: String, _ body: (inout FakeIMAPMailbox) -> T) -> T? {
        state.withLock { state in
            Self.ensureDefaults(&state, user: user, configuration: configuration)
            guard let index = state.mailboxes[user]?.firstIndex(where: { Self.sameName($0.name, name) }) else {
                return nil
            }
            return body(&state.mailboxes[user]![index])
        }
    }

    /// Every mailbox of `user`.
    func mailboxes(of user: String) -> [FakeIMAPMailbox] {
        state.withLock { state in
            Self.ensureDefaults(&state, user: user, configuration: configuration)
            return state.mailboxes[user] ?? []
        }
    }

    /// A stream that yields whenever mail is delivered, and the token to stop it.
    func watchDeliveries() -> (AsyncStream<Void>, Int) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let token = state.withLock { state in
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        return (stream, token)
    }

    func stopWatching(_ token: Int) {
        let continuation = state.withLock { $0.watchers.removeValue(forKey: token) }
        continuation?.finish()
    }

    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        lhs == rhs || (lhs.uppercased() == "INBOX" && rhs.uppercased() == "INBOX")
    }

    private static func ensureDefaults(_ state: inout State, user: String, configuration: FakeIMAPConfiguration) {
        guard state.mailboxes[user] == nil else { return }
        state.nextUIDValidity += 1
        var boxes = [FakeIMAPMailbox(name: "INBOX", uidValidity: state.nextUIDValidity)]
        for (name, use) in configuration.defaultMailboxes.sorted(by: { $0.key < $1.key }) {
            state.nextUIDValidity += 1
            boxes.append(FakeIMAPMailbox(name: name, specialUse: use, uidValidity: state.nextUIDValidity))
        }
        state.mailboxes[user] = boxes
    }

    @discardableResult
    private static func withMailbox<T>(
        _ state: inout State, user: String, name: String, configuration: FakeIMAPConfiguration,
        _ body: (inout FakeIMAPMailbox) -> T
    ) -> T {
        ensureDefaults(&state, user: user, configuration: configuration)
        if state.mailboxes[user]?.contains(where: { sameName($0.name, name) }) != true {
            state.nextUIDValidity += 1
            state.mailboxes[user, default: []].append(FakeIMAPMailbox(name: name, uidValidity: state.nextUIDValidity))
        }
        let index = state.mailboxes[user]!.firstIndex { sameName($0.name, name) }!
        return body(&state.mailboxes[user]![index])
    }
}

/// Opens in-memory connections to a ``FakeIMAPServer``.
public struct FakeIMAPConnector: MailConnector {
    /// The server reached.
    public let server: FakeIMAPServer
    /// How TLS handshakes on its connections go.
    public var simulatedTLS: InMemoryConnection.SimulatedTLS = .succeeds()

    /// A new in-memory connection with a session of ``server`` on its other end. `timeouts.read`
    /// applies to both ends: the client's reads, and the server's wait for the next command.
    public func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let server = self.server
        return try await FakeServerSupport.connect(to: endpoint, tls: tls, timeouts: timeouts, simulatedTLS: simulatedTLS) {
            await server.serve($0)
        }
    }
}

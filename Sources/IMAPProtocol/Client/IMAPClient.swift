import MailTransport

/// An IMAP client session for importing mail (RFC 9051, RFC 3501): connect, log in, find and
/// select mailboxes, list UIDs with sizes, fetch messages with `BODY.PEEK[]`, delete by UID,
/// and wait for new mail with IDLE (RFC 2177).
///
/// ```swift
/// let client = try await IMAPClient.connect(
///     to: Endpoint(host: "imap.example.com", port: 993, security: .tls),
///     credentials: Credentials(user: "alice@example.com", secret: .password(secret)))
/// let inbox = try await client.select(.inbox, readOnly: false)
/// guard inbox.uidValidity == recordedUIDValidity else { /* UIDs are void: match by content */ }
/// let summaries = try await client.messageSummaries()          // UID, size, flags of each message
/// let wanted = summaries.filter { !seen.contains($0.uid) }.map(\.uid)
/// try await client.fetchMessages(wanted) { message in
///     try store.deliver(message.content)                       // BODY.PEEK[]: \Seen is untouched
/// }
/// try await client.markDeleted(wanted)                          // UID STORE +FLAGS.SILENT (\Deleted)
/// try await client.expunge(wanted)                              // UID EXPUNGE (UIDPLUS)
/// if case .changed = try await client.idle(timeout: .seconds(25 * 60)) { /* fetch again */ }
/// try await client.logout()
/// ```
///
/// Connecting is two steps: ``connect(to:tls:timeouts:connector:configuration:)`` reads the
/// greeting and the capabilities and, for ``MailTransport/Endpoint/Security-swift.enum/startTLS``,
/// upgrades with STARTTLS and asks the capabilities again (a server that does not offer it, or a
/// PREAUTH greeting in plaintext, is an error: never a plaintext session); then ``login(username:password:allowInsecureAuthentication:)``
/// or ``authenticate(_:mechanism:allowInsecureAuthentication:)`` logs in.
///
/// Calls may come from several tasks at once: they are carried out one after the other, in the
/// order they arrived.
///
/// Errors: a `NO` or `BAD` completion throws an ``IMAPError`` and the session goes on. Anything
/// else (a timeout, a closed connection, a malformed or oversized response, a TLS failure, the
/// server's BYE) throws and ends the session; every later call throws ``IMAPError/Code-swift.struct/invalidState``.
public actor IMAPClient {
    /// Limits and tuning for one session.
    public struct Configuration: Sendable, Hashable {
        /// The longest line piece accepted. RFC 9051 §4 sets no limit and a SEARCH answer for a
        /// large mailbox is one long line (about 7 bytes a message), so the default is generous
        /// while staying bounded.
        public var maximumLineLength: Int
        /// The largest literal accepted that is not a message body (a mailbox name, an ID value).
        public var maximumLiteralSize: Int
        /// How many literals one response may carry.
        public var maximumLiteralCount: Int
        /// The largest message a fetch accepts unless told otherwise.
        public var maximumMessageSize: Int
        /// How many messages one pipelined UID FETCH command asks for.
        public var fetchBatchSize: Int
        /// How many UID FETCH commands may be in flight at once (RFC 9051 §5.5 allows several).
        public var pipelineWindow: Int
        /// How many bytes to ask the connection for per read.
        public var receiveSize: Int

        /// The defaults: 4 MiB lines, 1 MiB literals, 128 MiB messages, batches of 32, a window of 4.
        public init(
            maximumLineLength: Int = 4 << 20,
            maximumLiteralSize: Int = 1 << 20,
            maximumLiteralCount: Int = 10_000,
            maximumMessageSize: Int = 128 << 20,
            fetchBatchSize: Int = 32,
            pipelineWindow: Int = 4,
            receiveSize: Int = 65536
        ) {
            self.maximumLineLength = maximumLineLength
            self.maximumLiteralSize = maximumLiteralSize
            self.maximumLiteralCount = maximumLiteralCount
            self.maximumMessageSize = maximumMessageSize
            self.fetchBatchSize = fetchBatchSize
            self.pipelineWindow = pipelineWindow
            self.receiveSize = receiveSize
        }
    }

    /// The session's limits.
    public nonisolated let configuration: Configuration
    /// The host name the session verifies TLS certificates against.
    public nonisolated let serverName: String
    /// The server's greeting text (and code).
    public internal(set) var greeting = IMAPResponseText(text: "")
    /// Whether the greeting was PREAUTH: the session started logged in (RFC 9051 §7.1.4).
    public internal(set) var wasPreauthenticated = false
    /// The server's capabilities as last announced (asked again after STARTTLS and login).
    public internal(set) var capabilities = IMAPCapabilities.unknown
    /// The extensions ENABLE turned on (RFC 5161).
    public internal(set) var enabledExtensions: Set<String> = []
    /// The mailbox selected now, kept up to date by EXISTS and EXPUNGE responses.
    public internal(set) var selectedMailbox: IMAPSelectedMailbox?
    /// The `[ALERT]` texts the server sent (RFC 9051 §7.1): they must reach the user.
    public internal(set) var alerts: [String] = []

    let connection: any MailConnection
    let reader: BufferedReader
    let tlsPolicy: TLSPolicy
    var machine = IMAPStateMachine()
    var nextTag = 1
    /// Whether the last completion carried `[CAPABILITY ...]` (so login need not ask again).
    var lastCompletionHadCapabilities = false
    /// One operation at a time owns the connection (the actor is reentrant at every `await`).
    let turns = ConnectionTurns()

    private init(connection: any MailConnection, serverName: String, tls: TLSPolicy, configuration: Configuration) {
        self.connection = connection
        self.serverName = serverName
        self.tlsPolicy = tls
        self.configuration = configuration
        self.reader = BufferedReader(
            connection: connection, maximumLineLength: configuration.maximumLineLength,
            receiveSize: configuration.receiveSize)
    }

    deinit { connection.close() }

    /// Connects to `endpoint`, reads the greeting and the capabilities and, with `.startTLS`,
    /// upgrades with STARTTLS and asks the capabilities again.
    ///
    /// - Parameters:
    ///   - endpoint: host, port and security (`.tls` for port 993, `.startTLS` for 143).
    ///   - tls: how the server's certificate is trusted.
    ///   - timeouts: connect, read and write limits; every wait has one.
    ///   - connector: how connections are opened (a fake in tests).
    /// - Throws: `TransportError` for network and TLS failures; ``IMAPError`` with
    ///   `.greetingRefused`, `.startTLSNotOffered` or `.malformedResponse`.
    public static func connect(
        to endpoint: Endpoint,
        tls: TLSPolicy = .default,
        timeouts: Timeouts = .default,
        connector: any MailConnector = SocketConnector(),
        configuration: Configuration = Configuration()
    ) async throws -> IMAPClient {
        let connection = try await connector.connect(to: endpoint, tls: tls, timeouts: timeouts)
        return try await open(
            connection: connection, serverName: endpoint.host, security: endpoint.security, tls: tls,
            configuration: configuration)
    }

    /// Starts a session over an open connection: greeting, capabilities, and STARTTLS when
    /// `security` is `.startTLS`.
    public static func open(
        connection: any MailConnection,
        serverName: String,
        security: Endpoint.Security,
        tls: TLSPolicy = .default,
        configuration: Configuration = Configuration()
    ) async throws -> IMAPClient {
        let client = IMAPClient(connection: connection, serverName: serverName, tls: tls, configuration: configuration)
        do {
            try await client.start(upgrading: security == .startTLS)
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    /// Whether TLS protects the connection now.
    public nonisolated var isSecure: Bool { connection.isSecure }

    /// The certificate the server presented, once TLS is up.
    public nonisolated var peerCertificate: CertificateSummary? { connection.peerCertificate }

    /// Whether the session is logged in (authenticated or selected state).
    public var isAuthenticated: Bool {
        switch machine.state {
        case .authenticated, .selected, .idling: true
        default: false
        }
    }

    /// Whether the session has ended (after LOGOUT, a failure or ``close()``).
    public var isClosed: Bool { machine.state == .closed }

    /// Closes the connection without LOGOUT.
    public func close() {
        machine.connectionClosed()
        selectedMailbox = nil
        connection.close()
    }

    /// `LOGOUT` (RFC 9051 §6.1.3): the server says BYE and completes; the connection closes.
    public func logout() async throws {
        try await perform {
            _ = try await execute(.logout)
        }
        close()
    }

    /// `NOOP` (RFC 9051 §6.1.2): keeps the session alive and collects pending updates
    /// (new messages as EXISTS, removals as EXPUNGE), which it returns.
    @discardableResult
    public func noop() async throws -> [IMAPUntaggedResponse] {
        try await perform {
            var updates: [IMAPUntaggedResponse] = []
            _ = try await execute(.noop) { updates.append($0) }
            return updates
        }
    }

    /// Asks `CAPABILITY` again (RFC 9051 §6.1.1).
    @discardableResult
    public func refreshCapabilities() async throws -> IMAPCapabilities {
        try await perform {
            try await fetchCapabilities()
            return capabilities
        }
    }

    private func start(upgrading: Bool) async throws {
        try await perform {
            let response = try IMAPResponseParser.parse(try await readRaw())
            switch machine.greetingReceived(response) {
            case .ready(let text, let preauthenticated):
                greeting = text
                wasPreauthenticated = preauthenticated
                if text.code?.name == IMAPResponseCode.capability, let words = text.code?.words {
                    capabilities = IMAPCapabilities(words)
                }
                if text.code?.name == IMAPResponseCode.alert { alerts.append(text.text) }
            case .fatal(let error): throw error
            }
            if upgrading {
                if wasPreauthenticated {
                    // RFC 9051 §7.1.4: a PREAUTH session cannot start TLS; with TLS required, refuse it.
                    throw IMAPError(
                        .startTLSNotOffered,
                        detail: "the server greeted with PREAUTH on a plaintext connection, so STARTTLS is impossible")
                }
                if capabilities == .unknown { try await fetchCapabilities() }
                try await upgradeToTLS()
            } else if capabilities == .unknown {
                try await fetchCapabilities()
            }
        }
    }

    /// STARTTLS (RFC 9051 §6.2.1): refuses when the capabilities lack it, checks that no bytes
    /// were injected before the handshake, then forgets and asks the capabilities again.
    private func upgradeToTLS() async throws {
        guard capabilities.startTLS else {
            throw IMAPError(.startTLSNotOffered, detail: "the server's capabilities do not list STARTTLS")
        }
        let tag = try await send(.startTLS)
        while true {
            switch try await readAction() {
            case .startTLS:
                try reader.requireEmptyBufferBeforeTLS()
                try await connection.startTLS(serverName: serverName, policy: tlsPolicy)
                capabilities = .unknown
                try await fetchCapabilities()
                return
            case .data(let data):
                absorb(data)
            default:
                throw IMAPError(.malformedResponse, detail: "unexpected answer to STARTTLS (\(tag))")
            }
        }
    }

    func fetchCapabilities() async throws {
        var announced: IMAPCapabilities?
        _ = try await execute(.capability) { data in
            if case .capability(let capabilities) = data { announced = capabilities }
        }
        guard let announced else {
            throw IMAPError(.malformedResponse, detail: "CAPABILITY completed without a CAPABILITY response")
        }
        capabilities = announced
    }
}

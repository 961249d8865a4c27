import MailTransport

/// A POP3 client session: connect, log in, list, fetch, delete, quit (RFC 1939), with CAPA
/// (RFC 2449), STLS (RFC 2595), SASL (RFC 5034) and pipelining.
///
/// ```swift
/// let client = try await POP3Client.connect(to: Endpoint(host: "pop.example.com", port: 995, security: .tls))
/// try await client.authenticate(username: "alice", password: secret)
/// for entry in try await client.uidlAll() where !seen.contains(entry.uid) {
///     let message = try await client.retrieve(entry.number)
/// }
/// try await client.delete(3)           // only marks the message
/// let committed = try await client.quit() // the server removes marked messages now
/// ```
///
/// Connecting is two steps: ``connect(to:tls:timeouts:connector:configuration:)`` reads the
/// greeting, asks CAPA and, for ``MailTransport/Endpoint/Security-swift.enum/startTLS``, upgrades
/// with STLS (a server that does not offer it is an error, never a plaintext session); then one
/// of the `authenticate` methods logs in. Secrets are never sent in the clear on an unencrypted
/// connection unless the caller says so explicitly.
///
/// Calls may come from several tasks at once: they are carried out one after the other, in
/// the order they arrived.
///
/// Every answer (the greeting, each reply, each multi-line response such as a whole RETR) has an
/// overall bound besides the read timeout: ``MailTransport/Timeouts/exchangeLimit(received:)``
/// of the connection's ``MailTransport/MailConnection/timeouts``, so a server that trickles
/// bytes fails with `TransportError(.timedOut)` instead of holding the session for hours.
///
/// Errors: a `-ERR` answer throws a ``POP3Error`` and the session goes on (for example a
/// message number that does not exist). Anything else (a timeout, a closed connection, a
/// malformed or oversized answer, a TLS failure) throws and ends the session; every later call
/// throws ``POP3Error/Code/invalidState``.
public actor POP3Client {
    /// Limits and tuning for one session.
    public struct Configuration: Sendable, Hashable {
        /// The longest response line accepted. RFC 2449 §4 allows 512 octets; real servers
        /// sometimes send longer text, so the default leaves room while staying bounded.
        public var maximumLineLength: Int
        /// The largest multi-line answer to CAPA, LIST or UIDL accepted (about 40 bytes a message).
        public var maximumListingSize: Int
        /// The largest message ``retrieve(_:maximumSize:)`` accepts unless told otherwise.
        public var maximumMessageSize: Int
        /// How many RETR/DELE commands may be in flight at once when the server offers
        /// PIPELINING (RFC 2449 §6.6). The commands are tiny (128 of them are about 1.5 KB), and
        /// the answers in flight must cover the round trip: on a 50 ms link, 32 messages of 10 KB
        /// in flight capped a sync at about 6 MB/s, 128 lifts that fourfold.
        public var pipelineWindow: Int
        /// How many bytes to ask the connection for per read.
        public var receiveSize: Int

        /// The defaults: 8 KiB lines, 64 MiB listings, 128 MiB messages, a window of 128.
        public init(
            maximumLineLength: Int = 8192,
            maximumListingSize: Int = 64 << 20,
            maximumMessageSize: Int = 128 << 20,
            pipelineWindow: Int = 128,
            receiveSize: Int = 65536
        ) {
            self.maximumLineLength = maximumLineLength
            self.maximumListingSize = maximumListingSize
            self.maximumMessageSize = maximumMessageSize
            self.pipelineWindow = pipelineWindow
            self.receiveSize = receiveSize
        }
    }

    /// The session's limits.
    public nonisolated let configuration: Configuration
    /// The host name the session verifies TLS certificates against.
    public nonisolated let serverName: String
    /// The server's greeting.
    public private(set) var greeting = POP3Greeting(text: "")
    /// The server's capabilities as last asked (after STLS they are asked again).
    public private(set) var capabilities = POP3Capabilities.unknown

    let connection: any MailConnection
    let reader: BufferedReader
    let tlsPolicy: TLSPolicy
    var machine = POP3StateMachine()
    /// Message sizes from the last ``listAll()``, indexed by message number - 1, used to
    /// allocate each retrieved message once.
    var knownSizes: [Int] = []
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

    /// Connects to `endpoint`, reads the greeting, asks CAPA and, with `.startTLS`, upgrades
    /// with STLS and asks CAPA again. The session is then in the AUTHORIZATION state.
    ///
    /// - Parameters:
    ///   - endpoint: host, port and security (`.tls` for port 995, `.startTLS` for 110).
    ///   - tls: how the server's certificate is trusted.
    ///   - timeouts: connect, read and write limits; every wait has one.
    ///   - connector: how connections are opened (a fake in tests).
    /// - Throws: `TransportError` for network and TLS failures; ``POP3Error`` with
    ///   `.greetingRefused`, `.stlsNotOffered` or `.malformedResponse`.
    public static func connect(
        to endpoint: Endpoint,
        tls: TLSPolicy = .default,
        timeouts: Timeouts = .default,
        connector: any MailConnector = SocketConnector(),
        configuration: Configuration = Configuration()
    ) async throws -> POP3Client {
        let connection = try await connector.connect(to: endpoint, tls: tls, timeouts: timeouts)
        return try await open(
            connection: connection, serverName: endpoint.host, security: endpoint.security, tls: tls,
            configuration: configuration)
    }

    /// Starts a session over an open connection (what ``connect(to:tls:timeouts:connector:configuration:)``
    /// does once connected): greeting, CAPA, and STLS when `security` is `.startTLS`.
    public static func open(
        connection: any MailConnection,
        serverName: String,
        security: Endpoint.Security,
        tls: TLSPolicy = .default,
        configuration: Configuration = Configuration()
    ) async throws -> POP3Client {
        let client = POP3Client(connection: connection, serverName: serverName, tls: tls, configuration: configuration)
        try await client.start(upgrading: security == .startTLS)
        return client
    }

    /// Whether TLS protects the connection now.
    public nonisolated var isSecure: Bool { connection.isSecure }

    /// The certificate the server presented, once TLS is up.
    public nonisolated var peerCertificate: CertificateSummary? { connection.peerCertificate }

    /// Whether the session is logged in (TRANSACTION state).
    public var isAuthenticated: Bool { machine.state == .transaction }

    /// Whether the session has ended (after QUIT, a failure or ``close()``).
    public var isClosed: Bool { machine.state == .closed }

    /// Closes the connection without QUIT: messages marked deleted stay on the server
    /// (RFC 1939 §6: no UPDATE state without QUIT).
    public func close() {
        machine.connectionClosed()
        connection.close()
    }

    /// Asks CAPA again (RFC 2449 §5), for example after login, when per-user values such as
    /// `LOGIN-DELAY` or `EXPIRE` matter. A server without CAPA gives ``POP3Capabilities/unknown``.
    @discardableResult
    public func refreshCapabilities() async throws -> POP3Capabilities {
        try await perform {
            capabilities = try await fetchCapabilities()
            return capabilities
        }
    }

    private func start(upgrading: Bool) async throws {
        try await perform {
            reader.beginExchange(within: connection.timeouts)
            let response = try POP3Response(parsing: try await reader.readLine())
            switch machine.greetingReceived(response) {
            case .ready(let greeting): self.greeting = greeting
            case .fatal(let error): throw error
            }
            capabilities = try await fetchCapabilities()
            if upgrading { try await upgradeToTLS() }
        }
    }

    /// STLS (RFC 2595 §4): refuses when CAPA lists no STLS, checks that no bytes were injected
    /// before the handshake, then asks CAPA again because it may differ under TLS.
    private func upgradeToTLS() async throws {
        if capabilities.isKnown && !capabilities.stls {
            throw POP3Error(.stlsNotOffered, detail: "the server's CAPA does not list STLS")
        }
        try await write([.stls])
        switch try await readResponse() {
        case .startTLS:
            try reader.requireEmptyBufferBeforeTLS()
            try await connection.startTLS(serverName: serverName, policy: tlsPolicy)
            capabilities = try await fetchCapabilities()
        default:
            throw POP3Error(.malformedResponse, detail: "unexpected answer to STLS")
        }
    }

    func fetchCapabilities() async throws -> POP3Capabilities {
        try await write([.capa])
        switch try await readResponse() {
        case .readBlock:
            let block = try await readBlock(maximumSize: configuration.maximumListingSize)
            return POP3Capabilities(parsing: block)
        case .failed:
            return .unknown
        default:
            throw POP3Error(.malformedResponse, detail: "unexpected answer to CAPA")
        }
    }
}

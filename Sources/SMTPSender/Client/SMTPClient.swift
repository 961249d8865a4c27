import MailAuth
import MailTransport

/// An SMTP submission client over any ``MailTransport/MailConnection`` (RFC 5321, RFC 6409,
/// RFC 8314): greeting, EHLO, STARTTLS, AUTH, then any number of messages, then QUIT.
///
/// The protocol logic lives in ``SMTPStateMachine`` and, for sending with PIPELINING,
/// ``SMTPBurstStateMachine``; this actor only moves bytes. With PIPELINING the commands of a
/// transaction go in one write (RFC 2920), and ``send(_:)`` sends many messages with the next
/// transaction written behind the end of the previous one; with CHUNKING as well, messages go
/// as BDAT (RFC 3030) and a burst never waits for a 354. The message is line-end-normalised
/// (and for DATA dot-stuffed) in chunks as it is written (``SMTPDataEncoder``).
///
/// ```swift
/// let client = try await SMTPClient.connect(
///     to: Endpoint(host: "smtp.example.com", port: 587, security: .startTLS),
///     credentials: Credentials(user: "alice@example.com", secret: .password("app-password")))
/// let result = try await client.send(envelope: try SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]),
///                                    message: messageBytes)
/// try await client.quit()
/// ```
public actor SMTPClient: MailSending {
    /// Settings for one session.
    public struct Configuration: Sendable, Hashable {
        /// The name sent with EHLO; see ``SMTPStateMachine/Configuration/clientHostname``.
        public var clientHostname: String
        /// The dangerous option, named as such: allow a password or token to cross an
        /// unencrypted connection. Off by default.
        public var allowInsecureCleartextAuthentication: Bool
        /// The longest reply line accepted. RFC 5321 §4.5.3.1.5 allows 512 octets; real
        /// servers sometimes exceed it, so the default leaves room.
        public var maximumLineLength: Int
        /// The most lines one reply may have.
        public var maximumReplyLineCount: Int
        /// How many message bytes are encoded and written at a time, bounding extra memory;
        /// also the size of each BDAT chunk before encoding (RFC 3030 §2).
        public var dataChunkSize: Int
        /// In a burst with BDAT, the most messages written whose outcome is not known yet
        /// (see ``SMTPBurstStateMachine/Configuration/maximumTransactionsInFlight``).
        public var maximumTransactionsInFlight: Int

        /// A configuration with safe defaults.
        public init(
            clientHostname: String = "[127.0.0.1]", allowInsecureCleartextAuthentication: Bool = false,
            maximumLineLength: Int = 4096, maximumReplyLineCount: Int = 256, dataChunkSize: Int = 1 << 20,
            maximumTransactionsInFlight: Int = 64
        ) {
            self.clientHostname = clientHostname
            self.allowInsecureCleartextAuthentication = allowInsecureCleartextAuthentication
            self.maximumLineLength = maximumLineLength
            self.maximumReplyLineCount = maximumReplyLineCount
            self.dataChunkSize = max(1024, dataChunkSize)
            self.maximumTransactionsInFlight = max(1, maximumTransactionsInFlight)
        }
    }

    let connection: any MailConnection
    private let reader: BufferedReader
    private let serverName: String
    private let tlsPolicy: TLSPolicy
    let configuration: Configuration
    private var parser: SMTPReplyParser
    private var machine: SMTPStateMachine
    /// Whether an operation is using the connection; actor methods interleave at every `await`,
    /// so operations queue here to keep one exchange on the wire at a time.
    private var busy = false
    /// Set once the connection is closed, by QUIT, ``close()`` or a failure.
    private var isClosed = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// A client over an open connection; call ``open()`` next.
    ///
    /// - Parameters:
    ///   - serverName: the host name to verify in the STARTTLS handshake.
    ///   - security: `.startTLS` makes the client upgrade before anything else and fail if the
    ///     server cannot; `.tls` means the connection is already encrypted.
    public init(
        connection: any MailConnection, serverName: String, security: Endpoint.Security,
        tlsPolicy: TLSPolicy = .default, configuration: Configuration = Configuration()
    ) {
        self.connection = connection
        self.reader = BufferedReader(connection: connection, maximumLineLength: configuration.maximumLineLength)
        self.serverName = serverName
        self.tlsPolicy = tlsPolicy
        self.configuration = configuration
        self.parser = SMTPReplyParser(maximumLineCount: configuration.maximumReplyLineCount)
        self.machine = SMTPStateMachine(
            configuration: .init(
                clientHostname: configuration.clientHostname,
                requiresStartTLS: security == .startTLS && !connection.isSecure))
    }

    /// Connects, reads the greeting, says EHLO, upgrades with STARTTLS when the endpoint asks
    /// for it, and authenticates when credentials are given.
    public static func connect(
        to endpoint: Endpoint, credentials: Credentials? = nil, tlsPolicy: TLSPolicy = .default,
        timeouts: Timeouts = .default, connector: any MailConnector = SocketConnector(),
        configuration: Configuration = Configuration()
    ) async throws -> SMTPClient {
        let connection = try await connector.connect(to: endpoint, tls: tlsPolicy, timeouts: timeouts)
        let client = SMTPClient(
            connection: connection, serverName: endpoint.host, security: endpoint.security, tlsPolicy: tlsPolicy,
            configuration: configuration)
        do {
            _ = try await client.open()
            if let credentials { try await client.authenticate(credentials) }
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    /// The extensions the server announced in its latest EHLO reply.
    public var capabilities: SMTPCapabilities { machine.capabilities }

    /// Whether the connection is encrypted now.
    public var isSecure: Bool { connection.isSecure }

    /// Reads the greeting and opens the session (EHLO, and STARTTLS plus a second EHLO when required).
    @discardableResult
    public func open() async throws -> SMTPCapabilities {
        try await exclusively { try await self.openSession() }
    }

    private func openSession() async throws -> SMTPCapabilities {
        if isClosed || machine.isClosed { throw SMTPError(.notConnected, detail: "the session has ended") }
        if machine.isReady { return machine.capabilities }
        switch try await drive(.wait) {
        case .sessionReady(let capabilities): return capabilities
        case let other: preconditionFailure("unexpected \(other) while opening")
        }
    }

    /// Authenticates with the strongest SASL mechanism that the server offers and the
    /// connection's security allows (RFC 4954). With an OAuth 2.0 token that the server rejects,
    /// the token provider is asked once for a fresh token and AUTH is tried again.
    ///
    /// - Throws: ``SMTPError`` with `.cleartextRefused` (no encryption), `.authenticationNotOffered`,
    ///   `.authenticationFailed`, `.applicationPasswordRequired`, `.oauthRequired`, …
    public func authenticate(_ credentials: Credentials) async throws {
        try await exclusively { try await self.authenticateSession(credentials) }
    }

    private func authenticateSession(_ credentials: Credentials) async throws {
        try requireReady()
        let offered = machine.capabilities.authenticationMechanisms
        guard !offered.isEmpty else {
            throw SMTPError(.authenticationNotOffered, detail: "the server does not offer AUTH on this connection")
        }
        let selector = SASLMechanismSelector(
            isConnectionSecure: connection.isSecure,
            allowInsecureCleartext: configuration.allowInsecureCleartextAuthentication)
        let kind: SASLMechanismKind
        do {
            kind = try selector.choose(from: offered, for: credentials.kind)
        } catch {
            let code: SMTPError.Code =
                error.code == .cleartextOnInsecureConnection ? .cleartextRefused : .authenticationNotOffered
            throw SMTPError(code, detail: error.detail)
        }
        var refreshingToken = false
        while true {
            let mechanism: any SASLMechanism
            do {
                mechanism = try await credentials.makeMechanism(
                    kind, refreshingToken: refreshingToken, host: serverName)
            } catch {
                throw SMTPError(
                    error.isTransient ? .transient : .authenticationFailed,
                    detail: "the \(kind) exchange could not start",
                    underlying: error.description)
            }
            do {
                try await authenticate(with: mechanism)
                return
            } catch let error as SMTPError
                where error.code == .authenticationFailed && credentials.kind == .oauth2 && !refreshingToken
            {
                refreshingToken = true
            }
        }
    }

    /// Sends one message; call it again for the next one on the same connection.
    ///
    /// - Parameters:
    ///   - envelope: the MAIL FROM and RCPT TO addresses.
    ///   - message: the RFC 5322 message, any line ends; it is dot-stuffed and sent with CRLF.
    /// - Returns: the per-recipient outcome; at least one recipient was accepted.
    /// - Throws: ``SMTPError``; after a refused transaction the session was reset (RSET) and
    ///   the client can send again.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        try await exclusively {
            try self.requireReady()
            guard self.capabilities.supportsPipelining else {
                return try await self.sendMessage(envelope: envelope, message: message)
            }
            // The pipelined path, BDAT included, is the burst's, with one message.
            let (results, transportError) = await self.sendBurst([SMTPSubmission(envelope: envelope, message: message)])
            switch results[0] {
            case .success(let result): return result
            case .failure(let error):
                if error.code == .connectionFailed, let transportError { throw transportError }
                throw error
            }
        }
    }

    /// A dry run of a send: `MAIL FROM` and `RCPT TO` for `envelope`, then `RSET`; no message is
    /// sent. It tells whether the server would take mail from this sender for these recipients
    /// (for example, whether an outgoing server lets the signed-in user send as an address).
    ///
    /// - Returns: each recipient's reply; at least one was accepted.
    /// - Throws: ``SMTPError`` with the server's reply when the sender or every recipient is
    ///   refused (the session was reset and goes on).
    public func dryRun(envelope: SMTPEnvelope) async throws -> [SMTPSendResult.RecipientOutcome] {
        try await exclusively {
            try self.requireReady()
            switch try await self.drive(self.machine.beginDryRun(envelope: envelope)) {
            case .transactionSucceeded(let result): return result.recipients
            case .commandFailed(let error): throw error
            case let other: preconditionFailure("unexpected \(other) during a dry run")
            }
        }
    }

    /// One transaction at a time, each command waiting for its reply (no PIPELINING).
    func sendMessage(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        try requireReady()
        let has8BitData = message.withUnsafeBufferPointer { buffer in buffer.contains { $0 >= 0x80 } }
        let action = machine.beginTransaction(envelope: envelope, messageSize: message.count, has8BitData: has8BitData)
        switch try await drive(action, message: message) {
        case .transactionSucceeded(let result): return result
        case .commandFailed(let error): throw error
        case let other: preconditionFailure("unexpected \(other) while sending")
        }
    }

    /// Sends `NOOP`, to check that the session is alive (RFC 5321 §4.1.1.9).
    public func noop() async throws {
        try await exclusively { try await self.noopSession() }
    }

    private func noopSession() async throws {
        try requireReady()
        switch try await drive(machine.noop()) {
        case .sessionReady: return
        case .commandFailed(let error): throw error
        case let other: preconditionFailure("unexpected \(other) after NOOP")
        }
    }

    /// Ends the session with QUIT and closes the connection.
    public func quit() async throws {
        try await exclusively {
            defer { self.close() }
            guard !self.isClosed, !self.machine.isClosed else { return }
            _ = try await self.drive(self.machine.quit())
        }
    }

    /// Closes the connection without QUIT.
    public func close() {
        isClosed = true
        connection.close()
    }

    // MARK: The I/O loop

    /// Runs `operation` when no other operation is using the connection.
    func exclusively<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            if waiting.isEmpty {
                busy = false
            } else {
                waiting.removeFirst().resume()
            }
        }
        return try await operation()
    }

    /// Throws unless the session is open and idle.
    func requireReady() throws {
        if isClosed || machine.isClosed { throw SMTPError(.notConnected, detail: "the session has ended") }
        guard machine.isReady else {
            throw SMTPError(.notConnected, detail: "the session is not open yet; call open() first")
        }
    }

    /// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF, and RFC 4954 §4
    /// keeps AUTH within it; a longer initial response (a long OAuth token) waits for the
    /// server's first, empty, challenge.
    static let maximumCommandLineLength = 512

    private func authenticate(with mechanism: any SASLMechanism) async throws {
        var session = SASLClientSession(mechanism: mechanism)
        let name = session.mechanismName
        let initial: String?
        do {
            initial = try session.start(
                maximumInitialResponseLength: Self.maximumCommandLineLength - "AUTH  \r\n".utf8.count - name.utf8.count)
        } catch {
            throw SMTPError(
                .authenticationFailed, detail: "the \(name) exchange could not start", underlying: error.description)
        }
        var action = machine.authenticate(mechanism: name, initialResponse: initial)
        while true {
            switch try await drive(action) {
            case .answerChallenge(let text):
                switch session.respond(toChallenge: text) {
                case .send(let line):
                    action = machine.challengeAnswered(line)
                case .cancel(let error):
                    let serverFault: Set<MailAuthError.Code> = [
                        .invalidBase64, .invalidUTF8, .malformedServerMessage, .unexpectedChallenge,
                    ]
                    action = machine.cancelAuthentication(
                        SMTPError(
                            serverFault.contains(error.code) ? .malformedReply : .authenticationFailed,
                            detail: "the server's \(name) challenge could not be answered",
                            underlying: error.description))
                }
            case .authenticated:
                do {
                    try session.finish(additionalData: nil)
                } catch {
                    close()
                    throw SMTPError(
                        .authenticationFailed, detail: "the server did not prove that it knows the password",
                        underlying: error.description)
                }
                return
            case .commandFailed(let error):
                throw error
            case let other:
                preconditionFailure("unexpected \(other) during AUTH")
            }
        }
    }

    /// Performs I/O actions until one needs the caller: a result, a challenge, or readiness.
    private func drive(
        _ first: SMTPStateMachine.Action, message: [UInt8]? = nil
    ) async throws -> SMTPStateMachine.Action {
        do {
            return try await performActions(from: first, message: message)
        } catch {
            // Whatever failed (transport, a fatal reply), the session cannot continue.
            close()
            throw error
        }
    }

    private func performActions(
        from first: SMTPStateMachine.Action, message: [UInt8]?
    ) async throws
        -> SMTPStateMachine.Action
    {
        var action = first
        // Set once the final dot is out: from then on the server may hold the message whatever
        // happens to its reply.
        var messageDelivered = false
        while true {
            switch action {
            case .wait:
                let reply: SMTPReply
                do {
                    reply = try await readReply()
                } catch let error as TransportError
                    where messageDelivered && (error.code == .timedOut || error.code == .closedByPeer)
                {
                    throw SMTPError(
                        .messageOutcomeUnknown,
                        detail:
                            "no reply after the end of the message: the server may already hold it, and sending it again may deliver it twice (RFC 5321 §4.5.3.2.6)",
                        underlying: error.description)
                }
                messageDelivered = false
                action = machine.replyReceived(reply)
            case .send(let commands):
                try await write(commands)
                action = .wait
            case .startTLSHandshake:
                // Bytes already buffered were sent in the clear and may be injected (CVE-2011-0411).
                try reader.requireEmptyBufferBeforeTLS()
                try await connection.startTLS(serverName: serverName, policy: tlsPolicy)
                action = machine.tlsEstablished()
            case .sendMessage:
                try await writeMessage(message ?? [])
                messageDelivered = true
                action = machine.messageSent()
            case .sendTerminatorOnly:
                try await connection.send([UInt8(ascii: "."), 0x0d, 0x0a])
                messageDelivered = true
                action = machine.messageSent()
            case .sessionFailed(let error):
                close()
                throw error
            case .closeConnection:
                close()
                return action
            case .sessionReady, .answerChallenge, .authenticated, .transactionSucceeded, .commandFailed:
                return action
            }
        }
    }

    /// Reads one reply, all its lines within one exchange deadline (the connection's
    /// ``MailTransport/Timeouts/exchangeLimit(received:)``).
    func readReply() async throws -> SMTPReply {
        reader.beginExchange(within: connection.timeouts)
        while true {
            if let reply = try parser.parse(line: try await reader.readLine()) { return reply }
        }
    }

    /// Writes a group of commands with one `send` (RFC 2920 §3.1).
    private func write(_ commands: [SMTPCommand]) async throws {
        var bytes: [UInt8] = []
        for command in commands { bytes += try command.encoded() }
        try await connection.send(bytes)
    }

    /// Writes the message in chunks, encoded on the way (RFC 5321 §4.5.2).
    private func writeMessage(_ message: [UInt8]) async throws {
        var bytes: [UInt8] = []
        try await encodeData(message, into: &bytes)
        try await connection.send(bytes)
    }
}

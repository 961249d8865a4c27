import MailTransport

/// An LMTP client (RFC 2033) over any ``MailTransport/MailConnection``: the last hop of a
/// delivery, straight into the mailboxes of a mail server such as Dovecot.
///
/// The protocol logic lives in ``LMTPStateMachine``; this actor moves bytes. With PIPELINING
/// (RFC 2920) the envelope goes in one write; the message is dot-stuffed and line-end-normalised
/// in chunks as it is written (``SMTPDataEncoder``), and after the final dot the client reads one
/// reply per accepted recipient (RFC 2033 §4.2), so each mailbox's outcome is known on its own.
///
/// ```swift
/// let client = try await LMTPClient.connect(to: Endpoint(host: "127.0.0.1", port: 24, security: .insecurePlaintext))
/// let result = try await client.deliver(messageBytes, from: nil, to: [try SMTPPath("judy+Work@example.test")])
/// result.deliveredRecipients        // [judy+Work@example.test] once Dovecot said 250
/// try await client.quit()
/// ```
///
/// A message can also be streamed, for one that is still arriving (a large POP3 `RETR`):
/// ``beginMessage(from:to:messageSize:)``, ``appendMessage(_:)`` any number of times, then
/// ``endMessage()``. Closing the connection before ``endMessage()`` abandons the message: a
/// server never delivers a message whose final dot it did not receive (RFC 5321 §4.1.1.4).
public actor LMTPClient {
    /// Settings for one session.
    public struct Configuration: Sendable, Hashable {
        /// The name sent with LHLO.
        public var clientHostname: String
        /// The longest reply line accepted; RFC 5321 §4.5.3.1.5 allows 512 octets, servers send
        /// longer text sometimes.
        public var maximumLineLength: Int
        /// The most lines one reply may have.
        public var maximumReplyLineCount: Int
        /// How many message bytes are encoded and written at a time, bounding extra memory.
        public var dataChunkSize: Int

        /// A configuration with safe defaults.
        public init(
            clientHostname: String = "localhost", maximumLineLength: Int = 4096, maximumReplyLineCount: Int = 256,
            dataChunkSize: Int = 1 << 20
        ) {
            self.clientHostname = clientHostname
            self.maximumLineLength = maximumLineLength
            self.maximumReplyLineCount = maximumReplyLineCount
            self.dataChunkSize = max(1024, dataChunkSize)
        }
    }

    private let connection: any MailConnection
    private let reader: BufferedReader
    private let serverName: String
    private let tlsPolicy: TLSPolicy
    private let configuration: Configuration
    private let turns = ConnectionTurns()
    private var parser: SMTPReplyParser
    private var machine: LMTPStateMachine
    /// The dot-stuffing state of the message being written (one at a time; fresh at every 354).
    private var encoder = SMTPDataEncoder()
    private var isClosed = false

    /// A client over an open connection; call ``open()`` next.
    ///
    /// - Parameters:
    ///   - serverName: the host name to verify in a STARTTLS handshake.
    ///   - security: `.startTLS` makes the client upgrade before any mail and fail if the server
    ///     cannot; `.tls` means the connection is already encrypted.
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
        self.machine = LMTPStateMachine(
            configuration: .init(
                clientHostname: configuration.clientHostname,
                requiresStartTLS: security == .startTLS && !connection.isSecure))
    }

    /// Connects, reads the greeting, says LHLO (and upgrades with STARTTLS when the endpoint asks).
    public static func connect(
        to endpoint: Endpoint, tlsPolicy: TLSPolicy = .default, timeouts: Timeouts = .default,
        connector: any MailConnector = SocketConnector(), configuration: Configuration = Configuration()
    ) async throws -> LMTPClient {
        let connection = try await connector.connect(to: endpoint, tls: tlsPolicy, timeouts: timeouts)
        let client = LMTPClient(
            connection: connection, serverName: endpoint.host, security: endpoint.security, tlsPolicy: tlsPolicy,
            configuration: configuration)
        do {
            try await client.open()
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    /// The extensions the server announced in its latest LHLO reply.
    public var capabilities: SMTPCapabilities { machine.capabilities }

    /// Whether the session has ended (QUIT, ``close()`` or a failure).
    public var hasEnded: Bool { isClosed || machine.isClosed }

    /// Reads the greeting and opens the session (LHLO; STARTTLS and LHLO again when required).
    @discardableResult
    public func open() async throws -> SMTPCapabilities {
        try await perform {
            if self.machine.isReady { return self.machine.capabilities }
            switch try await self.drive(.wait) {
            case .sessionReady(let capabilities): return capabilities
            case let other: preconditionFailure("unexpected \(other) while opening")
            }
        }
    }

    /// Delivers one message held in memory.
    ///
    /// - Parameters:
    ///   - message: the RFC 5322 message, any line ends; it is sent dot-stuffed with CRLF.
    ///   - sender: the reverse path, nil for `<>`.
    ///   - recipients: one or more mailboxes, without duplicates.
    /// - Returns: the outcome per recipient; some may have failed while others got the message.
    /// - Throws: ``SMTPError`` when nothing could be delivered before the message was sent (the
    ///   session stays usable), `.messageOutcomeUnknown` when the replies after the message did not
    ///   come, any other error when the session ended.
    public func deliver(
        _ message: [UInt8], from sender: SMTPPath?, to recipients: [SMTPPath]
    ) async throws
        -> LMTPDeliveryResult
    {
        try await perform {
            try self.requireReady(recipients: recipients)
            let has8Bit = message.withUnsafeBufferPointer { $0.contains { $0 >= 0x80 } }
            let first = self.machine.beginTransaction(
                sender: sender, recipients: Self.unique(recipients), messageSize: message.count, has8BitData: has8Bit)
            return try self.finishTransaction(try await self.drive(first, message: message))
        }
    }

    /// Starts a streamed message: sends the envelope and DATA and returns once the server said 354;
    /// then call ``appendMessage(_:)`` and ``endMessage()``.
    ///
    /// - Throws: ``SMTPError`` when the sender, every recipient or DATA was refused (the session
    ///   stays usable and nothing was sent).
    public func beginMessage(from sender: SMTPPath?, to recipients: [SMTPPath], messageSize: Int? = nil) async throws {
        try await perform {
            try self.requireReady(recipients: recipients)
            // 8-bit content is not known yet; Dovecot and RFC 6152 servers take it either way.
            let first = self.machine.beginTransaction(
                sender: sender, recipients: Self.unique(recipients), messageSize: messageSize,
                has8BitData: self.machine.capabilities.supports8BitMIME)
            switch try await self.drive(first) {
            case .sendMessage:
                return
            case .transactionFailed(let error):
                throw SessionContinuesError(error: error)
            case let other:
                preconditionFailure("unexpected \(other) while starting a message")
            }
        }
    }

    /// Writes the next bytes of a streamed message (any line ends, dot-stuffed on the way).
    public func appendMessage(_ bytes: [UInt8]) async throws {
        try await perform {
            try self.requireSendingMessage()
            try await self.sendEncoded(bytes, finish: false)
        }
    }

    /// Ends a streamed message with the final dot and reads one reply per accepted recipient.
    public func endMessage() async throws -> LMTPDeliveryResult {
        try await perform {
            try self.requireSendingMessage()
            try await self.sendEncoded([], finish: true)
            return try self.finishTransaction(try await self.drive(self.machine.messageSent(), messageWritten: true))
        }
    }

    /// `RSET`: checks that the session is alive and idle (RFC 5321 §4.1.1.5).
    public func reset() async throws {
        try await perform {
            try self.requireReady()
            switch try await self.drive(self.machine.reset()) {
            case .sessionReady: return
            case let other: preconditionFailure("unexpected \(other) after RSET")
            }
        }
    }

    /// Ends the session with QUIT and closes the connection; nothing to do once it has ended.
    public func quit() async throws {
        guard !hasEnded else { return close() }
        try await perform {
            defer { self.close() }
            guard !self.hasEnded else { return }
            _ = try await self.drive(self.machine.quit())
        }
    }

    /// Closes the connection without QUIT; a message being streamed is abandoned.
    public func close() {
        isClosed = true
        machine.connectionFailed()
        connection.close()
    }

    // MARK: The I/O loop

    private func perform<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await turns.perform(
            ended: { hasEnded ? SMTPError(.notConnected, detail: "the LMTP session has ended") : nil }, end: close, body
        )
    }

    private func requireReady(recipients: [SMTPPath]? = nil) throws {
        if let recipients, recipients.isEmpty {
            throw SessionContinuesError(
                error: SMTPError(.invalidArgument, detail: "a message needs at least one recipient"))
        }
        guard machine.isReady else {
            throw SessionContinuesError(
                error: SMTPError(
                    .outOfSequence,
                    detail: machine.isSendingMessage
                        ? "a message is being written; end it first" : "the session is not open yet; call open() first")
            )
        }
    }

    private func requireSendingMessage() throws {
        guard machine.isSendingMessage else {
            throw SessionContinuesError(
                error: SMTPError(.outOfSequence, detail: "no message is being written; call beginMessage first"))
        }
    }

    /// The result of a transaction's last action, or its refusal (the session continues).
    private func finishTransaction(_ action: LMTPStateMachine.Action) throws -> LMTPDeliveryResult {
        switch action {
        case .delivered(let result): return result
        case .transactionFailed(let error): throw SessionContinuesError(error: error)
        case let other: preconditionFailure("unexpected \(other) at the end of a message")
        }
    }

    /// Performs I/O actions until one needs the caller. `message`, when given, is written at the
    /// 354; otherwise `.sendMessage` returns to the caller, who streams it.
    private func drive(
        _ first: LMTPStateMachine.Action, message: [UInt8]? = nil, messageWritten: Bool = false
    ) async throws -> LMTPStateMachine.Action {
        var action = first
        // Once the final dot is out, the server may hold the message whatever becomes of its replies.
        var afterDot = messageWritten
        while true {
            switch action {
            case .wait:
                let reply: SMTPReply
                do {
                    reply = try await readReply()
                } catch let error as TransportError where afterDot {
                    throw SMTPError(
                        .messageOutcomeUnknown,
                        detail:
                            "no reply for every recipient after the end of the message: some mailboxes may hold it already (RFC 2033 §4.2)",
                        underlying: error.description)
                }
                action = machine.replyReceived(reply)
            case .send(let commands):
                var bytes: [UInt8] = []
                for command in commands { bytes += try command.encoded() }
                try await connection.send(bytes)
                action = .wait
            case .startTLSHandshake:
                // Bytes already buffered were sent in the clear and may be injected (CVE-2011-0411).
                try reader.requireEmptyBufferBeforeTLS()
                try await connection.startTLS(serverName: serverName, policy: tlsPolicy)
                action = machine.tlsEstablished()
            case .sendMessage:
                encoder = SMTPDataEncoder()
                guard let message else { return action }
                try await sendEncoded(message, finish: true)
                afterDot = true
                action = machine.messageSent()
            case .sessionFailed(let error):
                throw error
            case .closeConnection:
                close()
                return action
            case .sessionReady, .delivered, .transactionFailed:
                return action
            }
        }
    }

    /// Reads one reply, all its lines within one exchange deadline.
    private func readReply() async throws -> SMTPReply {
        reader.beginExchange(within: connection.timeouts)
        while true {
            if let reply = try parser.parse(line: try await reader.readLine()) { return reply }
        }
    }

    /// Encodes `bytes` with the message's encoder and writes them, at most
    /// ``Configuration/dataChunkSize`` at a time; with `finish`, the final dot follows.
    private func sendEncoded(_ bytes: [UInt8], finish: Bool) async throws {
        var chunk: [UInt8] = []
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + configuration.dataChunkSize)
            chunk.removeAll(keepingCapacity: true)
            encoder.encode(bytes[offset..<end], into: &chunk)
            if finish, end == bytes.count { encoder.finish(into: &chunk) }
            if !chunk.isEmpty { try await connection.send(chunk) }
            offset = end
        } while offset < bytes.count
    }

    private static func unique(_ recipients: [SMTPPath]) -> [SMTPPath] {
        var seen = Set<SMTPPath>()
        return recipients.filter { seen.insert($0).inserted }
    }
}

extension SMTPError.Code {
    /// A call came out of order: a message appended when none was begun, or a new message while
    /// one is being written. Nothing was sent; the session goes on.
    public static let outOfSequence = SMTPError.Code("outOfSequence")
}

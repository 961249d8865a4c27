import FolderRouting
import MailAuth
import MailTransport
import SMTPSender
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A ``FolderRouting/MailStore`` that delivers into a real mail server over LMTP (RFC 2033), for
/// server deployments: many sync workers, on one machine or several, can share one mail server,
/// where a Maildir can be written by one process only.
///
/// Each message goes to the address ``LMTPRecipientTemplate`` makes of its folder (Dovecot puts
/// `judy+Work@example.test` into judy's folder `Work` with `lmtp_save_to_detail_mailbox`). A
/// delivery is durable once the server answers 250 for its recipient (RFC 2033 §4.2: the
/// server's reply after the dot is per mailbox and means stored).
///
/// Exactly-once holds as for ``FolderRouting/MaildirStore``: after each 250 the store appends the
/// message's origin (account and unique-id) and its content key to the account's delivery record
/// (``LMTPDeliveryLog``, one file per account in ``Configuration/recordDirectory``) and `fsync`s it,
/// so ``message(from:)`` answers from the record and a sync that crashed between the delivery and
/// its own UIDL record does not deliver twice. LMTP has no way to ask a server what it holds: a
/// crash in the instant between the server's 250 and the record's `fsync` can still deliver a
/// message twice, the one window this store cannot close.
///
/// What the record serves: ``message(from:)``, ``folders()`` and ``messages(in:)`` (what this store
/// delivered, which ``MailboxSync`` uses to rebuild an unreadable UIDL record) and
/// ``contentKeys(ofAccount:)`` (for a UIDL reset). What LMTP cannot do (read, move, mark, remove)
/// throws ``FolderRouting/MailStoreError/Code-swift.struct/unsupportedOperation``: do it on the
/// server, over IMAP. Markers are recorded but not shown (LMTP carries no keywords); folders are
/// created by the server at the first delivery (Dovecot: `lda_mailbox_autocreate`).
///
/// ```swift
/// let store = try LMTPMailStore(configuration: .init(
///     endpoint: Endpoint(host: "127.0.0.1", port: 24, security: .insecurePlaintext),
///     recipient: try LMTPRecipientTemplate("judy+{folder}@example.test"),
///     recordDirectory: home + "/delivered"))
/// ```
public actor LMTPMailStore: ContentIndexedMailStore {
    /// Where and how the store delivers.
    public struct Configuration: Sendable {
        /// The LMTP server.
        public var endpoint: Endpoint
        /// The address of each folder.
        public var recipient: LMTPRecipientTemplate
        /// Where the delivery records are kept (one file per account; created when missing).
        public var recordDirectory: String
        /// The reverse path of every delivery (`MAIL FROM`); nil sends `<>`, which Dovecot records
        /// as `Return-Path: <>` (RFC 5321 §4.4).
        public var sender: SMTPPath?
        /// How the server is trusted, for `.tls` and `.startTLS` endpoints.
        public var tlsPolicy: TLSPolicy
        /// Time limits of every connection.
        public var timeouts: Timeouts
        /// How connections are opened.
        public var connector: any MailConnector
        /// The LMTP session's settings (LHLO name, reply bounds, chunk size).
        public var client: LMTPClient.Configuration
        /// How many idle sessions are kept open for the next deliveries; one per sync running at
        /// once is enough.
        public var maximumIdleConnections: Int

        /// A configuration.
        public init(
            endpoint: Endpoint, recipient: LMTPRecipientTemplate, recordDirectory: String, sender: SMTPPath? = nil,
            tlsPolicy: TLSPolicy = .default, timeouts: Timeouts = .default,
            connector: any MailConnector = SocketConnector(),
            client: LMTPClient.Configuration = LMTPClient.Configuration(), maximumIdleConnections: Int = 4
        ) {
            self.endpoint = endpoint
            self.recipient = recipient
            self.recordDirectory = recordDirectory
            self.sender = sender
            self.tlsPolicy = tlsPolicy
            self.timeouts = timeouts
            self.connector = connector
            self.client = client
            self.maximumIdleConnections = max(0, maximumIdleConnections)
        }
    }

    /// The configuration.
    public nonisolated let configuration: Configuration
    let log: LMTPDeliveryLog
    private var idle: [LMTPClient] = []

    /// A store delivering as `configuration` says; no connection is opened until the first delivery.
    /// - Throws: ``StateFileError`` when the record folder cannot be created or written.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        self.log = try LMTPDeliveryLog(directory: configuration.recordDirectory)
    }

    // MARK: Delivering

    /// Delivers each message in turn, one LMTP transaction each, and records it after the server's
    /// 250; a message whose origin is recorded already is `.duplicate` and never sent. A refusal
    /// throws (``FolderRouting/MailStoreError``: `.deliveryRefused` for a 5xx, `.ioFailure` for a
    /// 4xx or a lost connection); the messages before it stay delivered and recorded.
    public func deliver(_ messages: [IncomingMessage]) async throws -> [DeliveryOutcome] {
        var outcomes: [DeliveryOutcome] = []
        for message in messages {
            if let origin = message.origin, let existing = try await recorded(origin) {
                outcomes.append(.duplicate(existing: existing))
                continue
            }
            let recipient = try configuration.recipient.recipient(for: message.folder)
            let sender = configuration.sender
            let (outcome, _) = try await transact(folder: message.folder) { client in
                try await client.deliver(message.bytes, from: sender, to: [recipient])
            }
            outcomes.append(
                .delivered(
                    try await record(
                        folder: message.folder, marker: message.marker, origin: message.origin, recipient: recipient,
                        size: message.bytes.count, content: MailboxSync.contentKey(of: message.bytes), outcome: outcome)
                ))
        }
        return outcomes
    }

    /// Starts a streamed delivery: the envelope and DATA go out now, the bytes as they are
    /// appended, the final dot at `commit()` (the contract of ``FolderRouting/MessageWriter``).
    /// For a recorded origin, the writer drops the bytes and `commit()` answers `.duplicate`.
    public func beginDelivery(
        to folder: Folder, marker: MarkerColor?, origin: MessageOrigin?
    ) async throws -> any MessageWriter {
        if let origin, let existing = try await recorded(origin) {
            return LMTPMessageWriter(store: self, duplicateOf: existing)
        }
        let recipient = try configuration.recipient.recipient(for: folder)
        let sender = configuration.sender
        let (_, client) = try await transact(folder: folder, handOver: true) { session in
            try await session.beginMessage(from: sender, to: [recipient])
        }
        return LMTPMessageWriter(
            store: self, client: client,
            target: .init(folder: folder, marker: marker, origin: origin, recipient: recipient))
    }

    /// The record's identifier for `origin`'s message.
    func recorded(_ origin: MessageOrigin) async throws -> StoredMessage.ID? {
        try await log.run { try $0.entry(for: origin) }.map { StoredMessage.ID($0.id) }
    }

    /// Checks the server's outcome for the one recipient and, when it is a 250, records the delivery.
    func record(
        folder: Folder, marker: MarkerColor?, origin: MessageOrigin?, recipient: SMTPPath, size: Int, content: String,
        outcome: LMTPDeliveryResult
    ) async throws -> StoredMessage {
        guard let answer = outcome.outcome(for: recipient), answer.isDelivered else {
            let error =
                outcome.outcome(for: recipient)?.error
                ?? SMTPError(.malformedReply, detail: "no reply for the recipient")
            throw Self.storeError(error, endpoint: configuration.endpoint, folder: folder)
        }
        let entry = LMTPDeliveryLog.Entry(
            id: "lmtp-" + UUID().uuidString.lowercased(), account: origin?.account, uidl: origin?.uidl,
            content: content,
            folder: folder, marker: marker, size: size, recipient: recipient.address, time: Date())
        if let account = origin?.account {
            try await log.run { try $0.append(entry, account: account) }
        }
        return StoredMessage(id: StoredMessage.ID(entry.id), folder: folder, origin: origin, marker: marker, size: size)
    }

    // MARK: Sessions

    /// Runs `body` on a session: an idle one when there is one, retried once on a fresh session
    /// when the idle one turns out closed by the server before anything was delivered. A session
    /// still in step goes back to the idle ones, unless `handOver` gives it to the caller (a
    /// message being streamed), who checks it in when done.
    private func transact<T: Sendable>(
        folder: Folder, handOver: Bool = false, _ body: (LMTPClient) async throws -> T
    ) async throws -> (value: T, client: LMTPClient) {
        var reused = !idle.isEmpty
        var client = try await checkout()
        while true {
            do {
                let value = try await body(client)
                if !handOver { checkin(client) }
                return (value, client)
            } catch {
                if await client.hasEnded {
                    if reused, Self.isStaleSession(error) {
                        reused = false
                        client = try await connect()
                        continue
                    }
                } else {
                    checkin(client)
                }
                throw Self.storeError(error, endpoint: configuration.endpoint, folder: folder)
            }
        }
    }

    private func checkout() async throws -> LMTPClient {
        if let client = idle.popLast() { return client }
        return try await connect()
    }

    private func connect() async throws -> LMTPClient {
        do {
            return try await LMTPClient.connect(
                to: configuration.endpoint, tlsPolicy: configuration.tlsPolicy, timeouts: configuration.timeouts,
                connector: configuration.connector, configuration: configuration.client)
        } catch {
            throw Self.storeError(error, endpoint: configuration.endpoint, folder: nil)
        }
    }

    /// Keeps an idle session for the next delivery, or ends it when enough are kept.
    func checkin(_ client: LMTPClient) {
        if idle.count < configuration.maximumIdleConnections {
            idle.append(client)
        } else {
            Task { try? await client.quit() }
        }
    }

    /// Ends every idle session with QUIT.
    public func close() async {
        let sessions = idle
        idle = []
        for session in sessions { try? await session.quit() }
    }

    /// Whether `error` says a kept session had been closed by the server before this use (an idle
    /// timeout): nothing was delivered, so a fresh session may try again.
    private static func isStaleSession(_ error: any Error) -> Bool {
        if error is TransportError { return true }
        if let error = error as? SMTPError { return error.code == .serviceUnavailable || error.code == .notConnected }
        return false
    }

    /// A delivery failure as the store's error: a 4xx or a lost connection is worth retrying
    /// (`.ioFailure`), a 5xx is a refusal (`.deliveryRefused`).
    static func storeError(_ error: any Error, endpoint: Endpoint, folder: Folder?) -> any Error {
        switch error {
        case is MailStoreError, is StateFileError:
            return error
        case let error as SMTPError where error.code == .messageOutcomeUnknown:
            return MailStoreError(
                .ioFailure,
                "the LMTP server \(endpoint) did not confirm a message after receiving all of it; it may hold it already (\(error))",
                folder: folder)
        case let error as SMTPError where error.reply?.isPermanentFailure == true:
            return MailStoreError(
                .deliveryRefused, "the LMTP server \(endpoint) refused the message: \(error)", folder: folder)
        case let error as SMTPError:
            return MailStoreError(.ioFailure, "delivery over LMTP to \(endpoint) failed: \(error)", folder: folder)
        default:
            return MailStoreError(.ioFailure, "cannot deliver over LMTP to \(endpoint): \(error)", folder: folder)
        }
    }

    // MARK: What the record answers

    /// The identifier recorded for `origin`'s delivery, reading what other processes appended since.
    public func message(from origin: MessageOrigin) async throws -> StoredMessage.ID? {
        try await recorded(origin)
    }

    /// The content keys recorded with `account`'s deliveries (``ContentIndexedMailStore``).
    public func contentKeys(ofAccount account: String) async throws -> Set<String> {
        Set(try await log.run { try $0.entries(of: account) }.map(\.content))
    }

    /// The Inbox, then every folder this store delivered into, by path.
    public func folders() async throws -> [Folder] {
        let delivered = Set(try await log.run { try $0.allEntries() }.map(\.folder)).subtracting([.inbox])
        return [.inbox] + delivered.sorted { $0.path < $1.path }
    }

    /// Nothing to do: the server creates a folder with the first delivery into it.
    public func createFolder(_ folder: Folder) async throws {}

    /// The messages this store delivered into `folder` (not what the mailbox holds now: the
    /// server's users may have moved or deleted them), oldest first.
    public func messages(in folder: Folder) async throws -> [StoredMessage] {
        try await log.run { try $0.allEntries() }.filter { $0.folder == folder }.sorted { $0.time < $1.time }.map {
            StoredMessage(
                id: StoredMessage.ID($0.id), folder: $0.folder, origin: $0.origin, marker: $0.marker, size: $0.size)
        }
    }

    /// Throws `.unsupportedOperation`: LMTP cannot read a message back.
    public func read(_ id: StoredMessage.ID) async throws -> [UInt8] { throw Self.unsupported("read a message back") }

    /// Throws `.unsupportedOperation`: LMTP carries no keywords.
    public func setMarker(_ marker: MarkerColor?, for id: StoredMessage.ID) async throws {
        throw Self.unsupported("change a marker")
    }

    /// Throws `.unsupportedOperation`: move messages on the server, over IMAP.
    public func move(_ id: StoredMessage.ID, to folder: Folder) async throws {
        throw Self.unsupported("move a message")
    }

    /// Throws `.unsupportedOperation`: remove messages on the server, over IMAP.
    public func remove(_ id: StoredMessage.ID) async throws { throw Self.unsupported("remove a message") }

    /// Throws `.unsupportedOperation`: remove folders on the server, over IMAP.
    public func removeFolder(_ folder: Folder) async throws { throw Self.unsupported("remove a folder") }

    private static func unsupported(_ what: String) -> MailStoreError {
        MailStoreError(
            .unsupportedOperation, "a store that delivers over LMTP cannot \(what); do it on the mail server")
    }
}

import FolderRouting
import Foundation

/// One sync pass of a POP3 mailbox into a store, in the order that loses nothing
/// (RFC 1939 §6 and §7: deletions take effect at QUIT, unique-ids survive sessions):
///
/// 1. list the messages (UIDL and size) and reconcile the UIDL record with the listing;
/// 2. skip what the record says is delivered; for the rest, ask the store whether it already holds
///    the message (a crash after delivery but before the record was written) and only record it;
/// 3. retrieve the new messages in batches (pipelined by the POP3 client when the server allows;
///    large ones streamed one by one into the store with bounded memory);
/// 4. deliver each batch durably (one `fsync` round per batch, see ``FolderRouting/MaildirStore``);
/// 5. record the batch's UIDLs durably (``SyncState/save(to:)``);
/// 6. only then, when copies are not kept, mark the batch deleted; the server removes them at
///    the end of the session (POP3's UPDATE state).
///
/// A crash between any two steps loses nothing (a message is deleted from the server only once it
/// is durably stored and recorded) and duplicates nothing (the store refuses a second copy of the
/// same account and UIDL).
public struct MailboxSync: Sendable {
    /// How a pass behaves.
    public struct Options: Sendable {
        /// The account identifier stored with each message (its origin).
        public var account: String
        /// Where the account's mail goes, with its marker, when no rule of ``router`` matches.
        public var destination: RoutingDecision
        /// The user's rules for this account (FolderRouting's `MessageRouter`); nil sends every
        /// message to ``destination``. Messages streamed because of their size go to
        /// ``destination`` too, since their headers are not in memory when delivery starts.
        public var router: MessageRouter?
        /// Leave a copy of every message on the server ("leave a copy on the server").
        public var keepCopiesOnServer: Bool
        /// With copies kept: delete a message from the server once this many days have passed since
        /// a sync first saw it. Nil keeps copies for ever.
        public var deleteAfterDays: Int?
        /// The largest message fetched. A larger one (by the size the server lists) is skipped and
        /// reported in ``Report/skippedTooLarge``, and stays on the server: one oversized message
        /// must not stop every message after it from arriving. Raising the limit fetches it next time.
        public var maximumMessageSize: Int
        /// Messages at least this large are streamed into the store instead of held in memory.
        public var streamingThreshold: Int
        /// Retrieve at most this many messages per batch…
        public var batchCount: Int
        /// …and at most this many bytes (by the listed sizes), which bounds the memory of a batch
        /// (two batches are in memory at once: one being stored, the next being retrieved).
        public var batchBytes: Int

        public init(
            account: String,
            destination: RoutingDecision,
            router: MessageRouter? = nil,
            keepCopiesOnServer: Bool = true,
            deleteAfterDays: Int? = nil,
            maximumMessageSize: Int = 64 << 20,
            streamingThreshold: Int = 1 << 20,
            batchCount: Int = 1024,
            batchBytes: Int = 8 << 20
        ) {
            self.account = account
            self.destination = destination
            self.router = router
            self.keepCopiesOnServer = keepCopiesOnServer
            self.deleteAfterDays = deleteAfterDays
            self.maximumMessageSize = maximumMessageSize
            self.streamingThreshold = streamingThreshold
            self.batchCount = max(1, batchCount)
            self.batchBytes = max(1, batchBytes)
        }
    }

    /// What a pass did.
    public struct Report: Sendable, Equatable {
        /// Messages on the server.
        public var listed = 0
        /// New messages delivered into the store.
        public var fetched = 0
        /// Bytes of those messages.
        public var bytes = 0
        /// Messages found already in the store although the record did not say so (recovered after a crash).
        public var recovered = 0
        /// Messages marked deleted on the server (removed when the session ended).
        public var deleted = 0
        /// Unique-ids of messages left on the server because they are larger than the limit.
        public var skippedTooLarge: [String] = []

        public init() {}
    }

    /// Progress during a pass.
    public enum Event: Sendable, Equatable {
        /// The listing is known: `total` messages, `new` of them to fetch.
        case listed(total: Int, new: Int)
        /// `fetched` of `new` messages are in the store, `bytes` so far.
        case progress(fetched: Int, of: Int, bytes: Int)
        /// The session ended; deletions (if any) took effect.
        case finished(Report)
    }

    /// How the pass behaves.
    public let options: Options
    /// Where the mail goes.
    public let store: any MailStore
    /// Where the UIDL record is kept.
    public let state: any SyncStateStore

    /// A pass into `store`, remembering what it delivered in `state`.
    public init(options: Options, store: any MailStore, state: any SyncStateStore) {
        self.options = options
        self.store = store
        self.state = state
    }

    /// A pass whose UIDL record is the file at `statePath`.
    public init(options: Options, store: any MailStore, statePath: String) {
        self.init(options: options, store: store, state: SyncStateFile(path: statePath))
    }

    /// Runs one pass over `mailbox` and ends its session.
    public func run(
        _ mailbox: any RemoteMailbox,
        now: Date = Date(),
        events: @Sendable (Event) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        var state = try await self.state.state(for: options.account)
        let listing = try await mailbox.listing()
        report.listed = listing.count
        for message in listing where message.uniqueID.isEmpty {
            throw SyncError(.missingUniqueID, "message \(message.number) has no unique-id")
        }
        state.reconcile(listing: listing.map(\.uniqueID), now: now)

        var pending: [RemoteMessage] = []
        var recovered: [String] = []
        for message in listing where !state.isDelivered(message.uniqueID) {
            if message.size > options.maximumMessageSize {
                report.skippedTooLarge.append(message.uniqueID)
            } else if try await store.message(from: origin(message)) != nil {
                recovered.append(message.uniqueID)
            } else {
                pending.append(message)
            }
        }
        var toDelete: [Int] = []
        if !recovered.isEmpty {
            state.markDelivered(recovered, now: now)
            report.recovered = recovered.count
        }
        try await self.state.save(state, for: options.account)
        if !options.keepCopiesOnServer {
            let recoveredSet = Set(recovered)
            toDelete += listing.filter { recoveredSet.contains($0.uniqueID) || (state.isDelivered($0.uniqueID)) }
                .map(\.number)
        }
        events(.listed(total: listing.count, new: pending.count))

        // While one batch is being made durable, the next one is already being retrieved, so the
        // network and the disk work at the same time. Deletions are unaffected: they are marked
        // only after every delivery and record, at the end of the pass.
        let steps = plan(pending)
        var prefetch = startRetrieval(of: steps.first, from: mailbox)
        defer { prefetch?.cancel() }
        for (index, step) in steps.enumerated() {
            switch step {
            case .stream(let message):
                let bytes = try await streamOne(message, from: mailbox)
                try await record([message], bytes: bytes, state: &state, report: &report, toDelete: &toDelete, mailbox: mailbox, now: now)
                prefetch = startRetrieval(of: steps.dropFirst(index + 1).first, from: mailbox)
            case .batch(let batch):
                guard let retrieval = prefetch else { preconditionFailure("a batch step always has its retrieval started") }
                let contents = try await retrieval.value
                prefetch = startRetrieval(of: steps.dropFirst(index + 1).first, from: mailbox)
                guard contents.count == batch.count else {
                    throw SyncError(.inconsistentServer, "asked for \(batch.count) messages, received \(contents.count)")
                }
                let incoming = zip(batch, contents).map { message, bytes in
                    var incoming = IncomingMessage(bytes: bytes, decision: decision(for: bytes), origin: origin(message))
                    incoming.flags = Self.maildirFlags(of: message)
                    return incoming
                }
                _ = try await store.deliver(incoming)
                try await record(batch, bytes: contents.reduce(0) { $0 + $1.count }, state: &state, report: &report, toDelete: &toDelete, mailbox: mailbox, now: now)
            }
            events(.progress(fetched: report.fetched, of: pending.count, bytes: report.bytes))
        }

        if options.keepCopiesOnServer, let days = options.deleteAfterDays {
            let limit = now.timeIntervalSince1970 - Double(days) * 86400
            toDelete += listing.filter {
                guard let entry = state.messages[$0.uniqueID] else { return false }
                return entry.delivered && ($0.receivedDate?.timeIntervalSince1970 ?? entry.firstSeen) <= limit
            }.map(\.number)
        }
        if !toDelete.isEmpty {
            let unique = Array(Set(toDelete)).sorted()
            try await mailbox.markDeleted(unique)
            report.deleted = unique.count
        }
        try await mailbox.finish()
        events(.finished(report))
        return report
    }

    /// The Maildir flags a message arrives with: `F` for flagged, `S` for seen.
    static func maildirFlags(of message: RemoteMessage) -> String {
        (message.isFlagged ? "F" : "") + (message.isSeen ? "S" : "")
    }

    /// One unit of work: a batch retrieved in memory (pipelined), or one large message streamed.
    private enum Step {
        case batch([RemoteMessage])
        case stream(RemoteMessage)
    }

    /// Cuts the new messages into batches bounded by count and bytes; large messages alone.
    private func plan(_ pending: [RemoteMessage]) -> [Step] {
        var steps: [Step] = []
        var batch: [RemoteMessage] = []
        var batchSize = 0
        for message in pending {
            if message.size >= options.streamingThreshold {
                if !batch.isEmpty { steps.append(.batch(batch)) }
                batch = []
                batchSize = 0
                steps.append(.stream(message))
                continue
            }
            if !batch.isEmpty, batch.count >= options.batchCount || batchSize + message.size > options.batchBytes {
                steps.append(.batch(batch))
                batch = []
                batchSize = 0
            }
            batch.append(message)
            batchSize += message.size
        }
        if !batch.isEmpty { steps.append(.batch(batch)) }
        return steps
    }

    /// Starts retrieving a batch step in the background; nil for a streamed step or none.
    private func startRetrieval(of step: Step?, from mailbox: any RemoteMailbox) -> Task<[[UInt8]], any Error>? {
        guard case .batch(let batch)? = step else { return nil }
        let numbers = batch.map(\.number)
        let maximumSize = options.maximumMessageSize
        return Task { try await mailbox.retrieve(numbers, maximumSize: maximumSize) }
    }

    /// The rules' decision for a message, else the account's destination.
    private func decision(for bytes: [UInt8]) -> RoutingDecision {
        guard let router = options.router, !router.rules.isEmpty else { return options.destination }
        let decided = router.route(MessageFacts(account: options.account, parsing: bytes))
        return decided.ruleName == nil ? options.destination : decided
    }

    private func origin(_ message: RemoteMessage) -> MessageOrigin {
        MessageOrigin(account: options.account, uidl: message.uniqueID)
    }

    /// Steps 5 and 6 for a delivered batch.
    private func record(
        _ batch: [RemoteMessage], bytes: Int, state: inout SyncState, report: inout Report,
        toDelete: inout [Int], mailbox: any RemoteMailbox, now: Date
    ) async throws {
        state.markDelivered(batch.map(\.uniqueID), now: now)
        try await self.state.save(state, for: options.account)
        report.fetched += batch.count
        report.bytes += bytes
        if !options.keepCopiesOnServer { toDelete += batch.map(\.number) }
    }

    /// Streams one large message into the store; returns its size.
    private func streamOne(_ message: RemoteMessage, from mailbox: any RemoteMailbox) async throws -> Int {
        let writer = try await store.beginDelivery(
            to: options.destination.folder, marker: options.destination.marker, origin: origin(message))
        let counter = ByteCounter()
        do {
            try await mailbox.retrieve(message.number, maximumSize: options.maximumMessageSize) { chunk in
                try await writer.append(chunk)
                counter.add(chunk.count)
            }
            _ = try await writer.commit()
        } catch {
            await writer.abort()
            throw error
        }
        return counter.value
    }
}

/// Counts bytes handed to a `@Sendable` sink.
private final class ByteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    func add(_ count: Int) { lock.withLock { total += count } }
    var value: Int { lock.withLock { total } }
}

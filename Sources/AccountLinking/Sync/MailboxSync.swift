import FolderRouting
import MailAuth
import POP3Protocol
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
///
/// Unique-ids are compared byte for byte, exactly as sent, and audited first
/// (`POP3UniqueIDAudit`): a message whose id breaks RFC 1939 §7 (a space, a control, 8-bit text),
/// or shares its id with another message, is keyed by a content fingerprint instead
/// (``contentKey(of:)``). Such a message is retrieved every pass (its id proves nothing), stored once,
/// and counted in ``Report/keyedByContent``; it is never dropped as a duplicate of another message.
/// A message whose id is shared with another one is never deleted from the server (neither copy).
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
        /// Messages at least this large are streamed into the store instead of held in memory:
        /// by the size the server lists, and whatever it listed, once the bytes that arrive pass
        /// it (the message then goes on into the store as it arrives).
        public var streamingThreshold: Int
        /// Retrieve at most this many messages per batch…
        public var batchCount: Int
        /// …and at most this many bytes: a batch is made durable together (one `fsync` round in
        /// a Maildir). Each message is handed to the store as soon as it is complete
        /// (``FolderRouting/MailStore/stage(_:)``): a ``FolderRouting/MaildirStore`` writes it
        /// at once, so memory holds one message, not the batch; a store that delivers only at
        /// the commit keeps at most this many bytes per batch (two batches at once: one being
        /// committed, the next being retrieved), and past it further messages go into the store
        /// as they arrive. Batches are cut by the listed sizes and the bytes that really arrive
        /// are counted, so a server that lists 100 bytes and sends 40 MB costs no more memory
        /// than an honest one.
        public var batchBytes: Int
        /// The protocol of the mailbox the pass reads, kept in the sync record
        /// (``SyncState/incomingProtocol``). A record kept by the other protocol (the account
        /// changed from POP3 to IMAP or back) is not read as this one's: the pass starts a new
        /// record and treats it as a wholesale unique-id change, so every message the store
        /// already holds from the old protocol is recognised by its content instead of being
        /// stored twice. Nil neither checks nor sets the record's protocol.
        public var incomingProtocol: IncomingProtocol?

        public init(
            account: String,
            destination: RoutingDecision,
            router: MessageRouter? = nil,
            keepCopiesOnServer: Bool = true,
            deleteAfterDays: Int? = nil,
            maximumMessageSize: Int = 64 << 20,
            streamingThreshold: Int = 1 << 20,
            batchCount: Int = 1024,
            batchBytes: Int = 8 << 20,
            incomingProtocol: IncomingProtocol? = nil
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
            self.incomingProtocol = incomingProtocol
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
        /// Messages whose unique-id could not be trusted (RFC 1939 §7 broken, or shared with another
        /// message), so they were keyed by their content instead (retrieved, then stored once).
        public var keyedByContent = 0
        /// Of those, messages whose content the store already held (not stored again).
        public var alreadyStoredByContent = 0
        /// Messages left on the server although copies are not kept, because their id is shared
        /// with another message: deleting by such an id could delete a message never stored.
        public var keptForDuplicateIDs = 0
        /// Whether the server's unique-ids changed wholesale since the last pass (a mailbox
        /// migrated or rebuilt): most recorded ids vanished and about as many unknown ones
        /// appeared. The new ones were then matched against the store by content
        /// (``MailboxSync/contentKey(of:)``) and only messages really new were stored.
        public var uniqueIDReset = false
        /// Whether the UIDL record was unreadable (corrupt) and was rebuilt from the store, which
        /// records the account and unique-id of every message it holds; nothing is fetched twice.
        public var stateRebuilt = false
        /// During a reset, messages recognised by content as already in the store (not stored again).
        public var recognisedByContent = 0
        /// Whether the pass ended early, at a batch boundary, because a stop was requested
        /// (``SyncStop``): everything counted here is stored, recorded and (if asked) deleted;
        /// the rest waits for the next pass.
        public var stoppedEarly = false
        /// Whether the pass did not run because another process was syncing the account
        /// (``AccountLocks``); nothing was fetched.
        public var heldElsewhere = false
        /// The shortest time the server allows between logins, when it said (POP3 `LOGIN-DELAY`,
        /// RFC 2449 §6.8); a scheduler never checks sooner.
        public var loginDelay: Duration?

        public init() {}

        /// One sentence for each unusual thing the pass handled (a rebuilt record, a unique-id
        /// reset, ids that could not be trusted), for a person to read; empty for an ordinary pass.
        public var notices: [String] {
            var notices: [String] = []
            if stateRebuilt {
                notices.append("the sync record was unreadable; it was rebuilt from the stored mail, so nothing is fetched twice")
            }
            if uniqueIDReset {
                notices.append(
                    "the server changed its unique-ids; \(recognisedByContent) messages were recognised by content as already stored")
            }
            if keyedByContent > 0 {
                notices.append(
                    "\(keyedByContent) messages have a unique-id that is malformed or shared (a server defect); they were matched by content, \(alreadyStoredByContent) already stored")
            }
            if keptForDuplicateIDs > 0 {
                notices.append("\(keptForDuplicateIDs) messages share a unique-id with another; they were left on the server")
            }
            if stoppedEarly { notices.append("the pass was stopped early; the remaining messages come with the next one") }
            if heldElsewhere { notices.append("another process was syncing this account; this pass was skipped") }
            return notices
        }
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
    ///
    /// When `stop` is requested during the pass, it ends at the next batch boundary (among large
    /// streamed messages, at the next message): what has been stored is recorded and (when copies
    /// are not kept) deleted, the session ends cleanly, and ``Report/stoppedEarly`` is set.
    public func run(
        _ mailbox: any RemoteMailbox,
        now: Date = Date(),
        stop: SyncStop? = nil,
        events: @Sendable (Event) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        report.loginDelay = await mailbox.loginDelay
        var state: SyncState
        do {
            state = try await self.state.state(for: options.account)
        } catch let error as SyncError where error.code == .stateUnreadable {
            // The store knows what it holds (account and unique-id per message): rebuild from it.
            state = try await rebuiltState(now: now)
            report.stateRebuilt = true
        }
        let loaded = report.stateRebuilt ? nil : state
        if let source = options.incomingProtocol {
            if let recorded = state.incomingProtocol, recorded != source {
                // Another protocol's ids (and IMAP's UIDVALIDITY records) say nothing about this
                // one's: a new record, matched against the store by content until a pass ends.
                state = SyncState()
                state.resetPending = true
            }
            state.incomingProtocol = source
        }
        let fullListing = try await mailbox.listing(recording: &state)
        report.listed = fullListing.count
        let audit = POP3UniqueIDAudit(fullListing.map { POP3UniqueID(number: $0.number, bytes: $0.uniqueIDBytes) })
        // When every id can be trusted (the usual case) the listing is the full one, not a copy:
        // one array of the mailbox's messages instead of two.
        let everyIDTrusted = fullListing.allSatisfy { audit.trustedID(of: $0.number) != nil }
        let listing = everyIDTrusted ? fullListing : fullListing.filter { audit.trustedID(of: $0.number) != nil }
        let untrusted = everyIDTrusted ? [] : fullListing.filter { audit.trustedID(of: $0.number) == nil }
        let sharedIDs = Set(audit.duplicated).union(audit.repeatedNumbers)
        let recordedIDs = Set(state.messages.filter(\.value.delivered).keys)
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
        // A wholesale change of unique-ids, or a source that says its ids were voided (IMAP's
        // UIDVALIDITY): the messages concerned are matched by content before being stored. The
        // record says so before anything else is saved, because saving drops the vanished ids
        // that revealed the change: a pass that dies midway must not leave the next one blind.
        let vanished = recordedIDs.subtracting(listing.map(\.uniqueID)).count
        let wholesale = Self.looksLikeReset(recorded: recordedIDs.count, vanished: vanished, unknown: pending.count)
            || state.resetPending == true
        if wholesale { state.resetPending = true }
        // An idle pass (nothing new, nothing vanished) leaves the record as it was: no write, no
        // fsync, which for thousands of accounts checked every few minutes is most of the cost.
        if state != loaded { try await self.state.save(state, for: options.account) }
        if !options.keepCopiesOnServer {
            let recoveredSet = Set(recovered)
            toDelete += listing.filter { recoveredSet.contains($0.uniqueID) || (state.isDelivered($0.uniqueID)) }
                .map(\.number)
        }
        events(.listed(total: listing.count, new: pending.count))
        report.uniqueIDReset = wholesale || pending.contains(where: \.uniqueIDReset)
        let storedKeys = report.uniqueIDReset ? try await storedContentKeys() : []
        let matchesByContent = { (message: RemoteMessage) in wholesale || message.uniqueIDReset }

        // While one batch is being made durable, the next one is already being retrieved, so the
        // network and the disk work at the same time. Deletions are unaffected: they are marked
        // only after every delivery and record, at the end of the pass.
        // The steps hold the new messages from here on (the list they were cut from goes), and
        // each step lets go of its messages once done: memory for them does not stay the pass long.
        let pendingCount = pending.count
        var steps = plan(consume pending)
        var prefetch = startRetrieval(
            of: steps.first, from: mailbox, knownKeys: storedKeys, matchesByContent: matchesByContent)
        defer {
            // A batch retrieved ahead and never committed (a stop, a failure): what it staged is
            // dropped, so nothing of it becomes visible.
            if let leftover = prefetch {
                leftover.cancel()
                Task { await (try? await leftover.value)?.abandon() }
            }
        }
        for index in steps.indices {
            if stop?.isRequested == true {
                report.stoppedEarly = true
                break
            }
            let step = steps[index]
            steps[index] = .batch([])
            switch step {
            case .stream(let group):
                try await streamGroup(
                    group, from: mailbox, storedKeys: storedKeys, matchesByContent: matchesByContent, total: pendingCount,
                    state: &state, report: &report, toDelete: &toDelete, now: now, stop: stop, events: events)
                prefetch = startRetrieval(
                    of: steps.dropFirst(index + 1).first, from: mailbox, knownKeys: storedKeys,
                    matchesByContent: matchesByContent)
            case .batch(let batch):
                guard let task = prefetch else { preconditionFailure("a batch step always has its retrieval started") }
                let retrieval = try await task.value
                prefetch = startRetrieval(
                    of: steps.dropFirst(index + 1).first, from: mailbox, knownKeys: storedKeys,
                    matchesByContent: matchesByContent)
                // Committed while the next batch is being retrieved: the disk and the network
                // work at the same time.
                let contents = try await retrieval.commit(batch.map(\.number))
                guard contents.count == batch.count else {
                    throw SyncError(.inconsistentServer, "asked for \(batch.count) messages, received \(contents.count)")
                }
                var alreadyHeld = 0
                var bytesReceived = 0
                for retrieved in contents {
                    bytesReceived += retrieved.size
                    if retrieved.known {
                        report.recognisedByContent += 1
                        report.fetched -= 1
                        report.bytes -= retrieved.size
                    } else if !retrieved.delivered {
                        alreadyHeld += 1
                    }
                }
                try await record(batch, bytes: bytesReceived, state: &state, report: &report, toDelete: &toDelete, mailbox: mailbox, now: now)
                report.fetched -= alreadyHeld
                report.recovered += alreadyHeld
            }
            events(.progress(fetched: report.fetched, of: pendingCount, bytes: report.bytes))
        }

        if options.keepCopiesOnServer, let days = options.deleteAfterDays {
            let limit = now.timeIntervalSince1970 - Double(days) * 86400
            toDelete += listing.filter {
                guard let entry = state.messages[$0.uniqueID] else { return false }
                return entry.delivered && ($0.receivedDate?.timeIntervalSince1970 ?? entry.firstSeen) <= limit
            }.map(\.number)
        }
        let byContent = report.stoppedEarly ? [] : try await storeByContent(untrusted, from: mailbox, report: &report)
        if !options.keepCopiesOnServer {
            toDelete += byContent.filter { !sharedIDs.contains($0) }
            report.keptForDuplicateIDs = untrusted.filter { sharedIDs.contains($0.number) }.count
        }
        events(.progress(fetched: report.fetched, of: pendingCount + untrusted.count, bytes: report.bytes))
        if !toDelete.isEmpty {
            let unique = Array(Set(toDelete)).sorted()
            try await mailbox.markDeleted(unique)
            report.deleted = unique.count
        }
        if state.resetPending == true, !report.stoppedEarly {
            state.resetPending = nil
            try await self.state.save(state, for: options.account)
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
        /// Large messages, each streamed into the store, made durable together.
        case stream([RemoteMessage])
    }

    /// How many streamed messages share one durability round (each round costs a few `fsync`
    /// calls, as much as the writing of a small message; memory is not held for them).
    static let streamGroupCount = 16

    /// Cuts the new messages into batches bounded by count and bytes; consecutive large messages
    /// into groups of streamed ones.
    private func plan(_ pending: [RemoteMessage]) -> [Step] {
        var steps: [Step] = []
        var batch: [RemoteMessage] = []
        var batchSize = 0
        for message in pending {
            if message.size >= options.streamingThreshold {
                if !batch.isEmpty { steps.append(.batch(batch)) }
                batch = []
                batchSize = 0
                if case .stream(let group)? = steps.last, group.count < Self.streamGroupCount {
                    steps[steps.count - 1] = .stream(group + [message])
                } else {
                    steps.append(.stream([message]))
                }
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
    private func startRetrieval(
        of step: Step?, from mailbox: any RemoteMailbox, knownKeys: Set<String>,
        matchesByContent: (RemoteMessage) -> Bool
    ) -> Task<BatchRetrieval, any Error>? {
        guard case .batch(let batch)? = step else { return nil }
        let numbers = batch.map(\.number)
        let maximumSize = options.maximumMessageSize
        // Each message found by its number through one table of positions in the batch (16 bytes
        // a message), not a table of copies per thing to know of it.
        let positions = Dictionary(uniqueKeysWithValues: batch.indices.map { (batch[$0].number, $0) })
        let message = { @Sendable (number: Int) in positions[number].map { batch[$0] } }
        let retrieval = BatchRetrieval(
            store: store, destination: options.destination, knownKeys: knownKeys,
            matchedByContent: Set(batch.filter(matchesByContent).map(\.number)),
            spillAt: options.streamingThreshold, holdAtMost: options.batchBytes,
            spill: { [self] number in message(number).map { (destinationFolder(of: $0), origin($0)) } }
        ) { [self] number, bytes in
            guard let message = message(number) else { return nil }
            var arriving = IncomingMessage(
                bytes: bytes, decision: decision(for: bytes, from: message), origin: origin(message))
            arriving.flags = Self.maildirFlags(of: message)
            return arriving
        }
        return Task {
            do {
                try await mailbox.retrieve(
                    numbers, maximumSize: maximumSize,
                    chunk: { number, bytes in try await retrieval.receive(bytes, of: number) },
                    end: { number, size in try await retrieval.end(of: number, size: size) })
            } catch {
                await retrieval.abandon()
                throw error
            }
            return retrieval
        }
    }

    /// The rules' decision for a message, else the account's destination.
    private func decision(for bytes: [UInt8]) -> RoutingDecision {
        guard let router = options.router, !router.rules.isEmpty else { return options.destination }
        let decided = router.route(MessageFacts(account: options.account, parsing: bytes))
        return decided.ruleName == nil ? options.destination : decided
    }

    /// The rules' decision, else the account's destination, below it the folder the message came
    /// from when the source keeps its folders (``RemoteMessage/sourceFolder``).
    private func decision(for bytes: [UInt8], from message: RemoteMessage) -> RoutingDecision {
        var decided = decision(for: bytes)
        if decided.ruleName == nil { decided.folder = destinationFolder(of: message) }
        return decided
    }

    /// The account's destination folder, below it the message's ``RemoteMessage/sourceFolder``
    /// (a name no folder may have, such as one with a `/`, keeps the destination itself).
    private func destinationFolder(of message: RemoteMessage) -> Folder {
        guard !message.sourceFolder.isEmpty else { return options.destination.folder }
        return (try? Folder(options.destination.folder.components + message.sourceFolder)) ?? options.destination.folder
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

    /// Streams a group of large messages into the store, each reporting progress as it streams
    /// (every MiB, so a scheduler's watchdog sees a slow but moving transfer as alive); the group
    /// becomes durable in one round, then its unique-ids are recorded. When a message fails, the
    /// ones streamed completely before it are still committed and recorded, and so on a stop.
    private func streamGroup(
        _ group: [RemoteMessage], from mailbox: any RemoteMailbox, storedKeys: Set<String>,
        matchesByContent: (RemoteMessage) -> Bool, total: Int, state: inout SyncState, report: inout Report,
        toDelete: inout [Int], now: Date, stop: SyncStop?, events: @Sendable (Event) -> Void
    ) async throws {
        var staged: [StagedDelivery] = []
        var streamed: [(message: RemoteMessage, bytes: Int, known: Bool)] = []
        do {
            for message in group {
                // A stop ends the group at the next message; what streamed is kept.
                if stop?.isRequested == true {
                    report.stoppedEarly = true
                    break
                }
                let fetchedSoFar = report.fetched + streamed.count
                let bytesSoFar = report.bytes + streamed.reduce(0) { $0 + $1.bytes }
                let (bytes, delivery) = try await withoutActuallyEscaping(events) { events in
                    try await streamOne(message, from: mailbox, knownKeys: matchesByContent(message) ? storedKeys : []) {
                        events(.progress(fetched: fetchedSoFar, of: total, bytes: bytesSoFar + $0))
                    }
                }
                if let delivery { staged.append(delivery) }
                streamed.append((message, bytes, delivery == nil))
            }
        } catch {
            if (try? await store.commit(staged)) != nil {
                try? await recordStreamed(streamed, state: &state, report: &report, toDelete: &toDelete, mailbox: mailbox, now: now)
            }
            throw error
        }
        _ = try await store.commit(staged)
        try await recordStreamed(streamed, state: &state, report: &report, toDelete: &toDelete, mailbox: mailbox, now: now)
    }

    /// Steps 5 and 6 for a group of streamed messages; those recognised by their content (not
    /// stored again) count as recognised, not fetched.
    private func recordStreamed(
        _ streamed: [(message: RemoteMessage, bytes: Int, known: Bool)], state: inout SyncState, report: inout Report,
        toDelete: inout [Int], mailbox: any RemoteMailbox, now: Date
    ) async throws {
        guard !streamed.isEmpty else { return }
        try await record(
            streamed.map(\.message), bytes: streamed.reduce(0) { $0 + $1.bytes }, state: &state, report: &report,
            toDelete: &toDelete, mailbox: mailbox, now: now)
        for entry in streamed where entry.known {
            report.fetched -= 1
            report.bytes -= entry.bytes
            report.recognisedByContent += 1
        }
    }

    /// The key of a message whose unique-id cannot be trusted: its size and the SHA-256 digest of
    /// its bytes (`content:<size>:<hex>`), so two messages with the same key have the same content.
    public static func contentKey(of bytes: [UInt8]) -> String {
        contentKey(size: bytes.count, digest: SHA256.hash(bytes))
    }

    static func contentKey(size: Int, digest: [UInt8]) -> String {
        var hex = "content:\(size):"
        for byte in digest {
            hex += String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }
        return hex
    }

    /// Retrieves each message whose id cannot be trusted and stores it keyed by its content, one
    /// at a time; returns the numbers of those now durably in the store (new or already held).
    private func storeByContent(
        _ messages: [RemoteMessage], from mailbox: any RemoteMailbox, report: inout Report
    ) async throws -> [Int] {
        var stored: [Int] = []
        for message in messages {
            if message.size > options.maximumMessageSize {
                report.skippedTooLarge.append(message.uniqueID)
                continue
            }
            report.keyedByContent += 1
            if message.size >= options.streamingThreshold {
                try await streamByContent(message, from: mailbox, report: &report)
                stored.append(message.number)
                continue
            }
            guard let bytes = try await mailbox.retrieve([message.number], maximumSize: options.maximumMessageSize).first else {
                throw SyncError(.inconsistentServer, "message \(message.number) was not returned")
            }
            let origin = MessageOrigin(account: options.account, uidl: Self.contentKey(of: bytes))
            let outcome = try await store.deliver(IncomingMessage(bytes: bytes, decision: decision(for: bytes), origin: origin))
            if outcome.isDelivered {
                report.fetched += 1
                report.bytes += bytes.count
            } else {
                report.alreadyStoredByContent += 1
            }
            stored.append(message.number)
        }
        return stored
    }

    /// Streams one large message into the store; returns its size and its staging (committed with
    /// its group), or nil when its content key is one of `knownKeys` (then the delivery is
    /// abandoned: the store already holds it).
    private func streamOne(
        _ message: RemoteMessage, from mailbox: any RemoteMailbox, knownKeys: Set<String>,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> (bytes: Int, staged: StagedDelivery?) {
        let writer = try await store.beginDelivery(
            to: destinationFolder(of: message), marker: options.destination.marker, origin: origin(message))
        let counter = ByteCounter(hashing: !knownKeys.isEmpty)
        do {
            try await mailbox.retrieve(message.number, maximumSize: options.maximumMessageSize) { chunk in
                try await writer.append(chunk)
                let before = counter.value
                counter.add(chunk)
                if (before + chunk.count) >> 20 > before >> 20 { progress(before + chunk.count) }
            }
            if !knownKeys.isEmpty, knownKeys.contains(counter.contentKey) {
                await writer.abort()
                return (counter.value, nil)
            }
            return (counter.value, try await writer.stage())
        } catch {
            await writer.abort()
            throw error
        }
    }

    /// A UIDL record rebuilt from the store: every unique-id this account's messages came from.
    private func rebuiltState(now: Date) async throws -> SyncState {
        var uidls: [String] = []
        for folder in try await store.folders() {
            for message in try await store.messages(in: folder) {
                guard let origin = message.origin, origin.account == options.account, !origin.uidl.hasPrefix("content:") else {
                    continue
                }
                uidls.append(origin.uidl)
            }
        }
        var state = SyncState()
        state.markDelivered(uidls, now: now)
        return state
    }

    /// A large message keyed by content with bounded memory: one pass computes its key, and only
    /// when the store lacks it a second pass streams it into the store under that key.
    private func streamByContent(_ message: RemoteMessage, from mailbox: any RemoteMailbox, report: inout Report) async throws {
        let digest = ByteCounter()
        try await mailbox.retrieve(message.number, maximumSize: options.maximumMessageSize) { chunk in digest.add(chunk) }
        let key = digest.contentKey
        let origin = MessageOrigin(account: options.account, uidl: key)
        if try await store.message(from: origin) != nil {
            report.alreadyStoredByContent += 1
            return
        }
        let writer = try await store.beginDelivery(
            to: options.destination.folder, marker: options.destination.marker, origin: origin)
        let written = ByteCounter()
        do {
            try await mailbox.retrieve(message.number, maximumSize: options.maximumMessageSize) { chunk in
                try await writer.append(chunk)
                written.add(chunk)
            }
            guard written.contentKey == key else {
                // The server sent different bytes the second time: store nothing under a wrong key.
                throw SyncError(.inconsistentServer, "message \(message.number) changed between two retrievals")
            }
            if try await writer.commit().isDelivered {
                report.fetched += 1
                report.bytes += written.value
            } else {
                report.alreadyStoredByContent += 1
            }
        } catch {
            await writer.abort()
            throw error
        }
    }

    /// Whether a listing looks like a wholesale change of unique-ids: at least half of the ids
    /// recorded as delivered vanished, and at least half as many unknown ids appeared.
    public static func looksLikeReset(recorded: Int, vanished: Int, unknown: Int) -> Bool {
        vanished > 0 && vanished * 2 >= recorded && unknown * 2 >= vanished
    }

    /// The content key of every message of this account in the store (read once, on a reset).
    private func storedContentKeys() async throws -> Set<String> {
        // A store that cannot read back (LMTP into a mail server) recorded each key at delivery.
        if let indexed = store as? any ContentIndexedMailStore {
            return try await indexed.contentKeys(ofAccount: options.account)
        }
        var keys: Set<String> = []
        for folder in try await store.folders() {
            for message in try await store.messages(in: folder) where message.origin?.account == options.account {
                keys.insert(Self.contentKey(of: try await store.read(message.id)))
            }
        }
        return keys
    }
}

/// Counts (and digests, for ``MailboxSync/contentKey(of:)``) bytes handed to a `@Sendable` sink.
private final class ByteCounter: Sendable {
    private struct State {
        var total = 0
        /// Nil when no content key is wanted: SHA-256 over every byte of a large message costs more
        /// than its delivery, so it is computed only where a key is compared (after a unique-id reset).
        var hasher: SHA256?
    }
    private let state: Mutex<State>

    init(hashing: Bool = true) {
        state = Mutex(State(hasher: hashing ? SHA256() : nil))
    }

    func add(_ chunk: [UInt8]) {
        state.withLock {
            $0.total += chunk.count
            $0.hasher?.update(chunk)
        }
    }
    var value: Int { state.withLock { $0.total } }
    /// The content key of everything added; call once, at the end, on a hashing counter.
    var contentKey: String {
        state.withLock {
            guard var hasher = $0.hasher else { preconditionFailure("contentKey of a ByteCounter made without hashing") }
            return MailboxSync.contentKey(size: $0.total, digest: hasher.finalize())
        }
    }
}

/// One batch's messages as they arrive, each handed to the store as soon as it is complete
/// (``MailStore/stage(_:)``: a Maildir writes it into `tmp/` at once) and committed with the
/// others of its group in one durability round, so memory holds one message, not the batch; a
/// message past the streaming threshold goes into the store while it arrives, instead of whole.
///
/// A message written here is durable before its unique-id is recorded, as a streamed one is;
/// a crash in between is recovered by the store's origin lookup on the next pass.
private actor BatchRetrieval {
    /// What the retrieval did with one message: its size, whether its content is one the store
    /// holds already (after a unique-id reset: then it was not stored again), and whether it was
    /// delivered (false: the store held its origin already).
    struct Retrieved: Sendable {
        var size: Int
        var known: Bool
        var delivered: Bool
    }

    private let store: any MailStore
    private let destination: RoutingDecision
    private let knownKeys: Set<String>
    /// Where a message that goes into the store while it arrives is delivered, and its origin: the
    /// folder when no rule decides (the source's folder kept, or the destination). Nil: not asked for.
    private let spill: @Sendable (Int) -> (folder: Folder, origin: MessageOrigin)?
    /// The messages whose content is compared with `knownKeys` (their unique-ids were reset).
    private let matchedByContent: Set<Int>
    private let spillAt: Int
    /// The most bytes staged messages may keep in memory (a store that delivers at the commit):
    /// past it, a message goes into the store while it arrives instead.
    private let holdAtMost: Int
    private var held = 0
    /// The message to store for complete bytes (rules decide its folder), nil when unknown.
    private let prepare: @Sendable (Int, [UInt8]) -> IncomingMessage?
    private var buffer: [UInt8] = []
    private var writer: (any MessageWriter)?
    private var counter = ByteCounter(hashing: false)
    /// Staged and not yet committed: each message's number, size and staging.
    private var staged: [(number: Int, size: Int, delivery: StagedDelivery)] = []
    private var results: [Int: Retrieved] = [:]

    init(
        store: any MailStore, destination: RoutingDecision, knownKeys: Set<String>, matchedByContent: Set<Int>,
        spillAt: Int, holdAtMost: Int, spill: @escaping @Sendable (Int) -> (folder: Folder, origin: MessageOrigin)?,
        prepare: @escaping @Sendable (Int, [UInt8]) -> IncomingMessage?
    ) {
        self.store = store
        self.destination = destination
        self.knownKeys = knownKeys
        self.spill = spill
        self.matchedByContent = matchedByContent
        self.spillAt = spillAt
        self.holdAtMost = holdAtMost
        self.prepare = prepare
    }

    func receive(_ bytes: [UInt8], of number: Int) async throws {
        if writer == nil, buffer.count + bytes.count >= spillAt || held + buffer.count + bytes.count > holdAtMost {
            let target = spill(number)
            let writer = try await store.beginDelivery(
                to: target?.folder ?? destination.folder, marker: destination.marker, origin: target?.origin)
            self.writer = writer
            counter = ByteCounter(hashing: !knownKeys.isEmpty && matchedByContent.contains(number))
            if !buffer.isEmpty {
                counter.add(buffer)
                try await writer.append(buffer)
            }
            buffer = []
        }
        if let writer {
            counter.add(bytes)
            try await writer.append(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func end(of number: Int, size: Int) async throws {
        guard let writer else {
            let bytes = buffer
            buffer = []
            if !knownKeys.isEmpty, matchedByContent.contains(number), knownKeys.contains(MailboxSync.contentKey(of: bytes)) {
                results[number] = Retrieved(size: bytes.count, known: true, delivered: false)
                return
            }
            guard let message = prepare(number, bytes) else {
                throw SyncError(.inconsistentServer, "message \(number) was not asked for")
            }
            let delivery = try await store.stage(message)
            held += delivery.bytesHeld
            staged.append((number, bytes.count, delivery))
            return
        }
        self.writer = nil
        if !knownKeys.isEmpty, matchedByContent.contains(number), knownKeys.contains(counter.contentKey) {
            await writer.abort()
            results[number] = Retrieved(size: size, known: true, delivered: false)
            return
        }
        let outcome = try await writer.commit()
        results[number] = Retrieved(size: size, known: false, delivered: outcome.isDelivered)
    }

    /// One durability round for every staged message (a Maildir pays one `fsync` round per 128).
    private func commitStaged() async throws {
        guard !staged.isEmpty else { return }
        let group = staged
        staged = []
        held = 0
        let outcomes = try await store.commit(group.map(\.delivery))
        guard outcomes.count == group.count else {
            throw MailStoreError(.ioFailure, "the store returned \(outcomes.count) outcomes for \(group.count) messages")
        }
        for (entry, outcome) in zip(group, outcomes) {
            results[entry.number] = Retrieved(size: entry.size, known: false, delivered: outcome.isDelivered)
        }
    }

    /// Ends a retrieval that failed: a message half written is removed, staged ones are dropped.
    func abandon() async {
        await writer?.abort()
        writer = nil
        await store.discard(staged.map(\.delivery))
        staged = []
        held = 0
    }

    /// Commits what is staged (one durability round), then gives each message's result in the
    /// order asked.
    func commit(_ numbers: [Int]) async throws -> [Retrieved] {
        try await commitStaged()
        return try numbers.map { number in
            guard let result = results[number] else {
                throw SyncError(.inconsistentServer, "message \(number) was not returned")
            }
            return result
        }
    }
}

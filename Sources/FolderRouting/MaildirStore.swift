import Dispatch
import Synchronization

/// A ``MailStore`` on disk in the Maildir++ layout that Dovecot reads, which loses and duplicates nothing across crashes.
///
/// The Inbox is the root's `cur/`, `new/` and `tmp/`; other folders are `.`-prefixed
/// directories named in modified UTF-7 (see ``Folder``). Message files are never
/// rewritten and are named `<seconds>.M<µs>P<pid>Q<n>.<host>,S=<size>`. The account,
/// UIDL and marker of each message live in `maillink-index` at the root (format in the
/// source's `MaildirIndex`); other programs ignore that file, and messages they deliver
/// are listed with no origin and no marker. A `maillink-lock` file is `flock`ed while
/// the store is open, so only one process writes at a time.
///
/// ## Delivery order
///
/// For each message (or each batch: every step done for all its messages, then the next):
/// 1. write the bytes to `tmp/<unique>` (created with `O_EXCL`);
/// 2. append a `D` record (name, account, UIDL, marker) to the index;
/// 3. `fsync` the message files and the index — all of them before any rename;
/// 4. `rename` into `new/<unique>,S=<size>`;
/// 5. `fsync` the `new/` directory — only then is the delivery reported.
///
/// When the store opens, a record whose file is in no `new/` or `cur/` is ignored,
/// and `tmp/` files whose writer (`P<pid>` on this host) is dead, or older than 36 hours
/// (the Maildir convention), are removed. Hence:
/// - *reported ⇒ present*: step 5 synced the rename, step 3 the content;
/// - *present ⇒ complete*: a file only reaches `new/` by the rename of a synced file;
/// - *exactly once*: a present file always has its durable record (step 3 precedes
///   step 4), so the (account, UIDL) pair is known after any restart and a second
///   delivery of it returns `.duplicate` — including when the sync engine crashed after
///   delivering but before recording the UIDL on its side. A crash before the rename
///   leaves a record without a file, which counts as "not delivered", so the next sync
///   delivers it again.
///
/// A batch pays steps 3 and 5 once: its `fsync` calls run at the same time (see the
/// source's `ParallelSync`) and share the file system's journal commit, which is why
/// ``deliver(_:)`` with many messages is much faster than one call per message
/// (`swift run -c release MailLinkBenchmarks maildir` measures both).
///
/// ## Threads
///
/// File work runs on one serial `DispatchQueue` per store, never on Swift's
/// cooperative thread pool; each method hops there and back with a continuation.
public final class MaildirStore: MailStore {
    /// Settings of a store.
    public struct Options: Sendable {
        /// How old an abandoned `tmp/` file must be before it is removed: 36 hours, the Maildir convention.
        public var temporaryFileMaximumAge: Duration
        /// Creates settings.
        public init(temporaryFileMaximumAge: Duration = .seconds(36 * 3600)) {
            self.temporaryFileMaximumAge = temporaryFileMaximumAge
        }
    }

    /// The engine, touched only on ``queue``.
    private final class Confined: @unchecked Sendable {
        let engine: MaildirEngine
        init(_ engine: MaildirEngine) { self.engine = engine }
    }

    /// The store's root directory.
    public let path: String
    private let queue: DispatchQueue
    private let confined: Confined
    private let waiting = Mutex<[WaitingDelivery]>([])

    private init(path: String, queue: DispatchQueue, engine: MaildirEngine) {
        self.path = path
        self.queue = queue
        self.confined = Confined(engine)
    }

    /// Opens the Maildir at `path`, creating it when needed, and recovers from any earlier crash.
    ///
    /// - Throws: ``MailStoreError`` `.storeLocked` when another process has it open,
    ///   `.notWritable` or `.diskFull` when it cannot be created.
    public static func open(at path: String, options: Options = Options()) async throws -> MaildirStore {
        try await open(at: path, options: options, fileSystem: POSIXFileSystem())
    }

    static func open(at path: String, options: Options, fileSystem: POSIXFileSystem) async throws -> MaildirStore {
        let queue = DispatchQueue(label: "MaildirStore")
        let age = Int(options.temporaryFileMaximumAge.components.seconds)
        let box = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Confined, any Error>) in
            queue.async {
                continuation.resume(
                    with: Result {
                        Confined(try MaildirEngine(root: path, temporaryFileMaximumAge: age, fileSystem: fileSystem))
                    })
            }
        }
        return MaildirStore(path: path, queue: queue, engine: box.engine)
    }

    private func perform<Value: Sendable>(
        _ body: @escaping @Sendable (MaildirEngine) throws -> Value
    ) async throws
        -> Value
    {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [confined] in
                continuation.resume(with: Result { try body(confined.engine) })
            }
        }
    }

    /// Releases the lock and closes the index; later calls throw `.storeClosed`.
    public func close() async {
        _ = try? await perform { $0.close() }
    }

    /// Delivers messages durably in the order above; one outcome per message.
    ///
    /// Calls that arrive while the store is busy are committed together (a group commit): the
    /// next round writes every waiting caller's messages and pays the `fsync` steps once for all
    /// of them, so many accounts syncing at the same time share the disk's flushes. When a group
    /// fails, each caller's messages are tried again on their own, so one caller's fault (a
    /// folder that cannot be created) never fails another's delivery.
    public func deliver(_ messages: [IncomingMessage]) async throws -> [DeliveryOutcome] {
        guard !messages.isEmpty else { return try await perform { try $0.deliver([]) } }
        return try await withCheckedThrowingContinuation { continuation in
            let first = waiting.withLock { waiting in
                waiting.append(WaitingDelivery(messages: messages, continuation: continuation))
                return waiting.count == 1
            }
            // The first waiting caller schedules the round; later ones join it until it starts.
            if first { queue.async { self.commitGroup() } }
        }
    }

    /// A caller waiting for the next group commit.
    private struct WaitingDelivery: Sendable {
        var messages: [IncomingMessage]
        var continuation: CheckedContinuation<[DeliveryOutcome], any Error>
    }

    /// Runs on ``queue``: takes every waiting caller and delivers their messages as one batch.
    private func commitGroup() {
        let engine = confined.engine
        let group = waiting.withLock { waiting in
            defer { waiting = [] }
            return waiting
        }
        guard group.count > 1 else {
            if let only = group.first { only.continuation.resume(with: Result { try engine.deliver(only.messages) }) }
            return
        }
        do {
            let outcomes = try engine.deliver(group.flatMap(\.messages))
            var offset = 0
            for member in group {
                member.continuation.resume(returning: Array(outcomes[offset..<(offset + member.messages.count)]))
                offset += member.messages.count
            }
        } catch {
            // Messages the failed round made durable are found by their origin: `.duplicate`.
            for member in group { member.continuation.resume(with: Result { try engine.deliver(member.messages) }) }
        }
    }

    /// Writes the message into `tmp/` now (no `fsync`, its file closed); ``commit(_:)`` pays the
    /// durability steps once for all the messages it is given (a round per 128).
    public func stage(_ message: IncomingMessage) async throws -> StagedDelivery {
        let token = try await perform { try $0.stage(message) }
        return StagedDelivery(.written(token: token, store: ObjectIdentifier(self)))
    }

    /// Steps 2 to 5 of the delivery order for staged messages, one round for all of them.
    public func commit(_ staged: [StagedDelivery]) async throws -> [DeliveryOutcome] {
        var tokens: [Int] = []
        for delivery in staged {
            switch delivery.storage {
            case .written(let token, let store) where store == ObjectIdentifier(self): tokens.append(token)
            case .committed: break
            default: throw MailStoreError(.writerClosed, "a message staged in another store")
            }
        }
        let wanted = tokens
        return try StagedDelivery.outcomes(of: staged, from: try await perform { try $0.publishStaged(wanted) })
    }

    /// Removes staged messages from `tmp/` and closes their files.
    public func discard(_ staged: [StagedDelivery]) async {
        let tokens = staged.compactMap { delivery -> Int? in
            guard case .written(let token, let store) = delivery.storage, store == ObjectIdentifier(self) else { return nil }
            return token
        }
        _ = try? await perform { $0.discardStaged(tokens) }
    }

    /// Starts a delivery whose bytes are streamed to `tmp/`; nothing is visible before `commit()`.
    public func beginDelivery(
        to folder: Folder, marker: MarkerColor?, origin: MessageOrigin?
    ) async throws
        -> any MessageWriter
    {
        let token = try await perform { try $0.beginDelivery(to: folder, marker: marker, origin: origin) }
        return MaildirMessageWriter(store: self, token: token)
    }

    func append(_ bytes: [UInt8], token: Int) async throws {
        try await perform { try $0.append(bytes, to: token) }
    }

    func commit(token: Int) async throws -> DeliveryOutcome {
        try await perform { try $0.commit(token) }
    }

    func stage(token: Int) async throws -> StagedDelivery {
        let staged = try await perform { try $0.stageWriter(token) }
        return StagedDelivery(.written(token: staged, store: ObjectIdentifier(self)))
    }

    func abort(token: Int) async {
        _ = try? await perform { $0.abort(token) }
    }

    /// The message delivered from `origin`, if any.
    public func message(from origin: MessageOrigin) async throws -> StoredMessage.ID? {
        try await perform { try $0.message(from: origin) }
    }

    /// Every folder on disk (including ones other programs created), the Inbox first.
    public func folders() async throws -> [Folder] {
        try await perform { try $0.folders() }
    }

    /// Creates the folder's directories and its `maildirfolder` file, synced; no error when it exists.
    public func createFolder(_ folder: Folder) async throws {
        try await perform { try $0.ensureFolder(folder) }
    }

    /// The messages in the folder's `new/` and `cur/`, oldest delivery first, read afresh from disk.
    public func messages(in folder: Folder) async throws -> [StoredMessage] {
        try await perform { try $0.messages(in: folder) }
    }

    /// The bytes of a message, exactly as delivered.
    public func read(_ id: StoredMessage.ID) async throws -> [UInt8] {
        try await perform { try $0.read(id) }
    }

    /// Records a new marker in the index (synced).
    public func setMarker(_ marker: MarkerColor?, for id: StoredMessage.ID) async throws {
        try await perform { try $0.setMarker(marker, for: id) }
    }

    /// Unlinks the message file (synced) and forgets its origin in the index.
    public func remove(_ id: StoredMessage.ID) async throws {
        try await perform { try $0.remove(id) }
    }

    /// Removes the folder's directory with every message in it.
    public func removeFolder(_ folder: Folder) async throws {
        try await perform { try $0.removeFolder(folder) }
    }

    /// Renames the message file into the other folder (same `new/` or `cur/`, same name) and syncs both.
    public func move(_ id: StoredMessage.ID, to folder: Folder) async throws {
        try await perform { try $0.move(id, to: folder) }
    }
}

import AccountLinking
import FolderRouting
import Foundation
import Synchronization
import Testing

/// A scripted mailbox: messages by UIDL, a log of what the engine asked, and optional failures.
actor FakeRemoteMailbox: RemoteMailbox {
    var messages: [(uidl: String, bytes: [UInt8])]
    var deletedMarks: Set<Int> = []
    var log: [String] = []
    var failRetrieveAfter: Int?
    var retrievedCount = 0
    let store: any MailStore
    let account: String
    var deletionsBeforeDurable = 0
    /// A streamed message whose transfer fails halfway.
    var failStream: Int?
    /// Per streamed message, how many of the messages before it the store held when it began.
    var heldBeforeStream: [Int: Int] = [:]
    /// A stop requested when the given message begins to stream.
    var stopAtStream: (number: Int, stop: SyncStop)?

    init(_ messages: [(String, [UInt8])], store: any MailStore, account: String) {
        self.messages = messages.map { (uidl: $0.0, bytes: $0.1) }
        self.store = store
        self.account = account
    }

    func failRetrieve(after count: Int?) { failRetrieveAfter = count }
    func failStream(_ number: Int?) { failStream = number }
    func stop(at number: Int, with stop: SyncStop) { stopAtStream = (number, stop) }

    func listing() async throws -> [RemoteMessage] {
        log.append("LIST")
        return messages.enumerated().map { RemoteMessage(number: $0.offset + 1, uniqueID: $0.element.uidl, size: $0.element.bytes.count) }
    }

    func retrieve(_ numbers: [Int], maximumSize: Int) async throws -> [[UInt8]] {
        log.append("RETR \(numbers.map(String.init).joined(separator: ","))")
        var result: [[UInt8]] = []
        for number in numbers {
            if let limit = failRetrieveAfter, retrievedCount >= limit { throw CancellationError() }
            retrievedCount += 1
            result.append(messages[number - 1].bytes)
        }
        return result
    }

    func retrieve(_ number: Int, maximumSize: Int, into sink: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        log.append("RETR-STREAM \(number)")
        var held = 0
        for earlier in messages.prefix(number - 1)
        where try await store.message(from: MessageOrigin(account: account, uidl: earlier.uidl)) != nil {
            held += 1
        }
        heldBeforeStream[number] = held
        if let (at, stop) = stopAtStream, at == number { stop.request() }
        let bytes = messages[number - 1].bytes
        var offset = 0
        while offset < bytes.count {
            if failStream == number, offset >= bytes.count / 2 { throw CancellationError() }
            let end = min(bytes.count, offset + 1000)
            try await sink(Array(bytes[offset..<end]))
            offset = end
        }
    }

    func markDeleted(_ numbers: [Int]) async throws {
        for number in numbers {
            // The rule under test: never mark a message that the store does not hold durably.
            if try await store.message(from: MessageOrigin(account: account, uidl: messages[number - 1].uidl)) == nil {
                deletionsBeforeDurable += 1
            }
            deletedMarks.insert(number)
        }
        log.append("DELE \(numbers.map(String.init).joined(separator: ","))")
    }

    func finish() async throws {
        log.append("QUIT")
        messages = messages.enumerated().filter { !deletedMarks.contains($0.offset + 1) }.map(\.element)
        deletedMarks = []
    }

    /// A new message arrives on the server.
    func append(_ message: (String, [UInt8])) { messages.append((uidl: message.0, bytes: message.1)) }

    /// A session that ends without QUIT (a crash): marks are forgotten, as POP3 servers do.
    func abandon() { deletedMarks = [] }
}

@Suite("MailboxSync ordering and exactly-once delivery")
struct MailboxSyncTests {
    let account = "alice@example.test"
    let folder: Folder

    init() throws { folder = try Folder(["alice@example_test"]) }

    private func makeMessages(_ count: Int, size: Int = 200) -> [(String, [UInt8])] {
        (1...count).map { index in
            let body = "Subject: message \(index)\r\n\r\n" + String(repeating: "x", count: max(0, size - 30)) + "\r\n"
            return ("uid-\(index)", Array(body.utf8))
        }
    }

    private func temporaryStatePath() -> String {
        NSTemporaryDirectory() + "maillink-sync-\(UUID().uuidString).json"
    }

    private func options(keep: Bool = true, after days: Int? = nil, batch: Int = 4, streaming: Int = 1 << 20) -> MailboxSync.Options {
        MailboxSync.Options(
            account: account, destination: RoutingDecision(folder: folder, marker: .blue),
            keepCopiesOnServer: keep, deleteAfterDays: days, streamingThreshold: streaming, batchCount: batch)
    }

    @Test("a first pass fetches every message into the folder; a second fetches nothing")
    func firstAndSecondPass() async throws {
        let store = InMemoryMailStore()
        let mailbox = FakeRemoteMailbox(makeMessages(10), store: store, account: account)
        let sync = MailboxSync(options: options(), store: store, statePath: temporaryStatePath())
        let first = try await sync.run(mailbox)
        #expect(first.fetched == 10 && first.deleted == 0)
        #expect(try await store.messages(in: folder).count == 10)
        let second = try await sync.run(mailbox)
        #expect(second.fetched == 0 && second.listed == 10)
        #expect(try await store.messages(in: folder).count == 10)
        let log = await mailbox.log
        #expect(!log.contains { $0.hasPrefix("DELE") })
        #expect(log.filter { $0.hasPrefix("RETR") }.count == 3)  // batches of 4: 4 + 4 + 2
    }

    @Test("without copies kept, messages are deleted only after they are durably stored")
    func deletesAfterDurable() async throws {
        let store = InMemoryMailStore()
        let mailbox = FakeRemoteMailbox(makeMessages(9), store: store, account: account)
        let report = try await MailboxSync(options: options(keep: false), store: store, statePath: temporaryStatePath()).run(mailbox)
        #expect(report.fetched == 9 && report.deleted == 9)
        #expect(await mailbox.deletionsBeforeDurable == 0)
        #expect(await mailbox.messages.isEmpty)
        #expect(await mailbox.log.last == "QUIT")
    }

    @Test("a streamed message reports progress every MiB, so a watchdog sees a slow transfer move")
    func streamingProgress() async throws {
        let store = InMemoryMailStore()
        let big = "Subject: big\r\n\r\n" + String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n", count: 56_000)
        let mailbox = FakeRemoteMailbox([("big", Array(big.utf8))], store: store, account: account)
        let sync = MailboxSync(options: options(streaming: 1 << 20), store: store, statePath: temporaryStatePath())
        let seen = Mutex<[Int]>([])
        let report = try await sync.run(mailbox) { event in
            if case .progress(_, _, let bytes) = event { seen.withLock { $0.append(bytes) } }
        }
        #expect(report.fetched == 1 && report.bytes == big.utf8.count)
        let during = seen.withLock { $0 }.filter { $0 < big.utf8.count }
        #expect(during.count == big.utf8.count >> 20, "one event per whole MiB streamed: \(during)")
    }

    /// Counts the saves of sync records.
    actor CountingStateStore: SyncStateStore {
        let inner = InMemorySyncStateStore()
        var saves = 0
        func state(for account: String) async throws -> SyncState { await inner.state(for: account) }
        func save(_ state: SyncState, for account: String) async throws {
            saves += 1
            await inner.save(state, for: account)
        }
        func removeState(for account: String) async throws { await inner.removeState(for: account) }
    }

    @Test("an idle pass (nothing new, nothing gone) does not rewrite the sync record")
    func idlePassWritesNothing() async throws {
        let store = InMemoryMailStore()
        let mailbox = FakeRemoteMailbox(makeMessages(6), store: store, account: account)
        let states = CountingStateStore()
        let sync = MailboxSync(options: options(), store: store, state: states)
        _ = try await sync.run(mailbox)
        let afterFirst = await states.saves
        #expect(afterFirst >= 1)
        let idle = try await sync.run(mailbox)
        #expect(idle.fetched == 0)
        #expect(await states.saves == afterFirst, "the record did not change, so it was not written")
        await mailbox.append(("uid-new", Array("Subject: new\r\n\r\nx\r\n".utf8)))
        #expect(try await sync.run(mailbox).fetched == 1)
        #expect(await states.saves > afterFirst)
    }

    @Test("a stop requested during a pass ends it at a batch boundary: stored, recorded, deleted, session ended")
    func stopsAtBatchBoundary() async throws {
        let store = InMemoryMailStore()
        let mailbox = FakeRemoteMailbox(makeMessages(10), store: store, account: account)
        let sync = MailboxSync(options: options(keep: false), store: store, statePath: temporaryStatePath())
        let stop = SyncStop()
        let report = try await sync.run(mailbox, stop: stop) { event in
            if case .progress = event { stop.request() }
        }
        #expect(report.stoppedEarly)
        #expect(report.fetched == 4 && report.deleted == 4, "the first batch of 4, and no more")
        #expect(report.notices.contains { $0.contains("stopped early") })
        #expect(try await store.messages(in: folder).count == 4)
        #expect(await mailbox.log.last == "QUIT")
        #expect(await mailbox.deletionsBeforeDurable == 0)
        let rest = try await sync.run(mailbox)
        #expect(!rest.stoppedEarly && rest.fetched == 6)
        #expect(try await store.messages(in: folder).count == 10)
        #expect(await mailbox.messages.isEmpty)
    }

    @Test("into a Maildir, a batch is staged as it arrives and committed once; a stop drops the batch retrieved ahead")
    func stagedIntoMaildir() async throws {
        let root = NSTemporaryDirectory() + "maillink-staged-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await MaildirStore.open(at: root)
        let tmp = root + (folder == .inbox ? "/tmp" : "/." + folder.components.joined(separator: ".") + "/tmp")
        let mailbox = FakeRemoteMailbox(makeMessages(10), store: store, account: account)
        let sync = MailboxSync(options: options(keep: false), store: store, statePath: temporaryStatePath())
        let stop = SyncStop()
        let report = try await sync.run(mailbox, stop: stop) { event in
            if case .progress = event { stop.request() }
        }
        #expect(report.stoppedEarly && report.fetched == 4)
        #expect(try await store.messages(in: folder).count == 4, "the batch retrieved ahead was not committed")
        #expect(await mailbox.deletionsBeforeDurable == 0)
        // Its staged files are dropped by a task of their own once its retrieval has ended.
        for _ in 0..<2000 where ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).count > 0 {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(FileManager.default.fileExists(atPath: tmp), "\(tmp) is the folder's tmp/")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? ["?"]).isEmpty, "nothing left in tmp/")
        let rest = try await sync.run(mailbox)
        #expect(rest.fetched == 6 && rest.recovered == 0)
        #expect(try await store.messages(in: folder).count == 10)
        await store.close()
    }

    @Test("a pass that fails midway keeps what it stored and the next pass fetches only the rest")
    func failureMidway() async throws {
        let store = InMemoryMailStore()
        let mailbox = FakeRemoteMailbox(makeMessages(10), store: store, account: account)
        let sync = MailboxSync(options: options(keep: false), store: store, statePath: temporaryStatePath())
        await mailbox.failRetrieve(after: 6)
        await #expect(throws: CancellationError.self) { try await sync.run(mailbox) }
        await mailbox.abandon()
        #expect(await mailbox.messages.count == 10)  // nothing deleted: the session never ended
        #expect(try await store.messages(in: folder).count == 4)  // the first full batch
        await mailbox.failRetrieve(after: nil)
        let report = try await sync.run(mailbox)
        #expect(report.fetched == 6)
        #expect(try await store.messages(in: folder).count == 10)
        #expect(await mailbox.messages.isEmpty)
    }

    @Test("a crash after delivery but before the UIDL record neither loses nor duplicates")
    func crashBetweenDeliveryAndRecord() async throws {
        let store = InMemoryMailStore()
        let messages = makeMessages(5)
        // The store already holds two messages whose UIDLs the record never saw.
        for (uidl, bytes) in messages.prefix(2) {
            _ = try await store.deliver(IncomingMessage(bytes: bytes, folder: folder, marker: .blue, origin: MessageOrigin(account: account, uidl: uidl)))
        }
        let mailbox = FakeRemoteMailbox(messages, store: store, account: account)
        let report = try await MailboxSync(options: options(), store: store, statePath: temporaryStatePath()).run(mailbox)
        #expect(report.recovered == 2 && report.fetched == 3)
        #expect(try await store.messages(in: folder).count == 5)
    }

    @Test("copies kept with delete-after-days remove only messages first seen long enough ago")
    func deleteAfterDays() async throws {
        let store = InMemoryMailStore()
        let mailbox = FakeRemoteMailbox(makeMessages(3), store: store, account: account)
        let sync = MailboxSync(options: options(keep: true, after: 7), store: store, statePath: temporaryStatePath())
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try await sync.run(mailbox, now: start).deleted == 0)
        #expect(try await sync.run(mailbox, now: start.addingTimeInterval(6 * 86400)).deleted == 0)
        #expect(try await sync.run(mailbox, now: start.addingTimeInterval(7 * 86400 + 1)).deleted == 3)
        #expect(await mailbox.messages.isEmpty)
        #expect(try await store.messages(in: folder).count == 3)
    }

    @Test("large messages are streamed into the store byte for byte")
    func streaming() async throws {
        let store = InMemoryMailStore()
        var messages = makeMessages(3)
        messages[1].1 = Array(("Subject: big\r\n\r\n" + String(repeating: "0123456789", count: 5000) + "\r\n").utf8)
        let mailbox = FakeRemoteMailbox(messages, store: store, account: account)
        let report = try await MailboxSync(options: options(streaming: 10_000), store: store, statePath: temporaryStatePath()).run(mailbox)
        #expect(report.fetched == 3)
        #expect(await mailbox.log.contains("RETR-STREAM 2"))
        let stored = try await store.messages(in: folder)
        var contents: [[UInt8]] = []
        for message in stored { contents.append(try await store.read(message.id)) }
        #expect(Set(contents) == Set(messages.map(\.1)))
    }

    @Test("the UIDL record survives a restart and forgets messages the server no longer has")
    func statePersistence() async throws {
        let path = temporaryStatePath()
        var state = SyncState()
        state.reconcile(listing: ["a", "b", "c"], now: Date(timeIntervalSince1970: 10))
        state.markDelivered(["a", "b"], now: Date(timeIntervalSince1970: 10))
        try await state.save(to: path)
        var loaded = try await SyncState.load(from: path)
        #expect(loaded == state)
        loaded.reconcile(listing: ["b", "c", "d"], now: Date(timeIntervalSince1970: 20))
        #expect(Set(loaded.messages.keys) == ["b", "c", "d"])
        #expect(loaded.isDelivered("b") && !loaded.isDelivered("d"))
        #expect(try await SyncState.load(from: path + ".missing") == SyncState())
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: SyncError.self) { try await SyncState.load(from: path) }
        #expect(error?.code == .stateUnreadable)
    }
}

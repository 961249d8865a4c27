import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailTesting
import MailTransport
import POP3Protocol
import Testing

/// Hostile unique-ids (RFC 1939 §7 broken, or shared) through the real client and the fake server.
@Suite("MailboxSync with unique-ids that cannot be trusted")
struct MailboxSyncUniqueIDTests {
    let account = "alice@example.test"
    let folder: Folder

    init() throws { folder = try Folder(["alice@example_test"]) }

    private func text(_ subject: String) -> [UInt8] {
        Array("Subject: \(subject)\r\n\r\nbody of \(subject)\r\n".utf8)
    }

    private func pass(
        _ server: FakePOP3Server, store: InMemoryMailStore, statePath: String, delete: Bool
    ) async throws
        -> MailboxSync.Report
    {
        let client = try await POP3Client.connect(
            to: Endpoint(host: "fake", port: 995, security: .tls),
            credentials: Credentials(user: "alice", secret: .password("pw")), connector: server.connector)
        let options = MailboxSync.Options(
            account: account, destination: RoutingDecision(folder: folder, marker: .blue), keepCopiesOnServer: !delete)
        return try await MailboxSync(options: options, store: store, statePath: statePath).run(
            POP3Mailbox(client: client))
    }

    private func statePath() -> String { NSTemporaryDirectory() + "maillink-uid-\(UUID().uuidString).json" }

    private func storedBodies(_ store: InMemoryMailStore) async throws -> Set<[UInt8]> {
        var result: Set<[UInt8]> = []
        for message in try await store.messages(in: folder) { result.insert(try await store.read(message.id)) }
        return result
    }

    @Test("ids that differ only after a space, a control or 8-bit text are all stored, and deleted only once stored")
    func oddIDsAreKeyedByContent() async throws {
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
        let ids: [[UInt8]] = [
            Array("abc".utf8), Array("abc def".utf8), Array("abc\u{01}def".utf8), Array("id-ñ".utf8), Array("id-".utf8),
        ]
        for (index, id) in ids.enumerated() {
            server.deliver(FakePOP3Message(uidBytes: id, content: text("m\(index)")), to: "alice")
        }
        let store = InMemoryMailStore()
        let report = try await pass(server, store: store, statePath: statePath(), delete: true)
        #expect(report.listed == 5)
        #expect(report.fetched == 5)
        #expect(report.keyedByContent == 3)
        #expect(report.deleted == 5)
        #expect(try await storedBodies(store) == Set((0..<5).map { text("m\($0)") }))
        #expect(server.messages(of: "alice").isEmpty)
    }

    @Test("with copies kept, a second pass stores nothing again although odd ids are retrieved again")
    func oddIDsNotDuplicated() async throws {
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
        server.deliver(FakePOP3Message(uidBytes: Array("abc def".utf8), content: text("one")), to: "alice")
        server.deliver(FakePOP3Message(uidBytes: Array("id-ñ".utf8), content: text("two")), to: "alice")
        let store = InMemoryMailStore()
        let path = statePath()
        let first = try await pass(server, store: store, statePath: path, delete: false)
        let second = try await pass(server, store: store, statePath: path, delete: false)
        #expect(first.fetched == 2 && first.alreadyStoredByContent == 0)
        #expect(second.fetched == 0 && second.alreadyStoredByContent == 2 && second.keyedByContent == 2)
        #expect(try await store.messages(in: folder).count == 2)
        #expect(server.messages(of: "alice").count == 2)
    }

    @Test("two messages sharing one id are both stored and neither is deleted, even with delete on")
    func duplicateIDsNeverDeleted() async throws {
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
        server.deliver(FakePOP3Message(uid: "same", content: text("first")), to: "alice")
        server.deliver(FakePOP3Message(uid: "same", content: text("second")), to: "alice")
        server.deliver(FakePOP3Message(uid: "other", content: text("third")), to: "alice")
        let store = InMemoryMailStore()
        let path = statePath()
        let report = try await pass(server, store: store, statePath: path, delete: true)
        #expect(report.fetched == 3)
        #expect(report.keyedByContent == 2)
        #expect(report.keptForDuplicateIDs == 2)
        #expect(report.deleted == 1)
        #expect(try await storedBodies(store) == [text("first"), text("second"), text("third")])
        #expect(server.messages(of: "alice").map(\.content) == [text("first"), text("second")])
        let again = try await pass(server, store: store, statePath: path, delete: true)
        #expect(again.fetched == 0 && again.alreadyStoredByContent == 2 && again.deleted == 0)
        #expect(try await store.messages(in: folder).count == 3)
    }

    @Test("the content key is the size and the SHA-256 digest of the bytes")
    func contentKey() {
        #expect(
            MailboxSync.contentKey(of: Array("abc".utf8))
                == "content:3:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

extension FakeRemoteMailbox {
    /// The server renumbers its unique-ids (a rebuilt or migrated mailbox), then `arrived` lands.
    func resetUniqueIDs(adding arrived: [(String, [UInt8])]) {
        messages =
            messages.map { (uidl: "new-" + $0.uidl, bytes: $0.bytes) } + arrived.map { (uidl: $0.0, bytes: $0.1) }
    }
}

@Suite("MailboxSync when the server's unique-ids change wholesale")
struct MailboxSyncUniqueIDResetTests {
    let account = "alice@example.test"
    let folder: Folder

    init() throws { folder = try Folder(["alice@example_test"]) }

    private func messages(_ range: ClosedRange<Int>, size: Int = 200) -> [(String, [UInt8])] {
        range.map {
            ("uid-\($0)", Array(("Subject: m\($0)\r\n\r\n" + String(repeating: "x", count: size) + "\r\n").utf8))
        }
    }

    private func sync(
        _ store: any MailStore, _ path: String, streaming: Int = 1 << 20, keep: Bool = true
    ) -> MailboxSync {
        MailboxSync(
            options: MailboxSync.Options(
                account: account, destination: RoutingDecision(folder: folder, marker: .blue), keepCopiesOnServer: keep,
                streamingThreshold: streaming, batchCount: 3),
            store: store, statePath: path)
    }

    @Test("after a reset nothing is stored twice and the message that arrived in between is stored once")
    func resetRecognisedByContent() async throws {
        let store = InMemoryMailStore()
        let path = NSTemporaryDirectory() + "maillink-reset-\(UUID().uuidString).json"
        let mailbox = FakeRemoteMailbox(messages(1...6), store: store, account: account)
        let first = try await sync(store, path).run(mailbox)
        #expect(first.fetched == 6 && !first.uniqueIDReset)
        await mailbox.resetUniqueIDs(adding: messages(7...7))
        let second = try await sync(store, path).run(mailbox)
        #expect(second.uniqueIDReset)
        #expect(second.recognisedByContent == 6)
        #expect(second.fetched == 1)
        #expect(try await store.messages(in: folder).count == 7)
        let third = try await sync(store, path).run(mailbox)
        #expect(third.fetched == 0 && !third.uniqueIDReset && third.listed == 7)
    }

    @Test("a pass that dies midway through a reset leaves the next one matching by content: nothing stored twice")
    func resetSurvivesACrash() async throws {
        let store = InMemoryMailStore()
        let path = NSTemporaryDirectory() + "maillink-reset-\(UUID().uuidString).json"
        let mailbox = FakeRemoteMailbox(messages(1...6), store: store, account: account)
        _ = try await sync(store, path).run(mailbox)
        await mailbox.resetUniqueIDs(adding: messages(7...7))
        // The record drops the vanished ids when the pass starts; the pass then dies before
        // storing anything.
        await mailbox.failRetrieve(after: 0)
        await #expect(throws: (any Error).self) { _ = try await sync(store, path).run(mailbox) }
        #expect(try await SyncState.load(from: path).resetPending == true)
        await mailbox.failRetrieve(after: nil)
        await mailbox.abandon()
        let again = try await sync(store, path).run(mailbox)
        #expect(again.uniqueIDReset)
        #expect(again.recognisedByContent == 6)
        #expect(again.fetched == 1)
        #expect(try await store.messages(in: folder).count == 7, "before the fix the six came again as new")
        #expect(try await SyncState.load(from: path).resetPending == nil, "cleared once a pass ended normally")
        let third = try await sync(store, path).run(mailbox)
        #expect(third.fetched == 0 && !third.uniqueIDReset)
    }

    @Test("a reset is recognised for streamed messages too, and the event says so")
    func resetWhileStreaming() async throws {
        let store = InMemoryMailStore()
        let path = NSTemporaryDirectory() + "maillink-reset-\(UUID().uuidString).json"
        let mailbox = FakeRemoteMailbox(messages(1...3, size: 5000), store: store, account: account)
        _ = try await sync(store, path, streaming: 1000).run(mailbox)
        await mailbox.resetUniqueIDs(adding: messages(4...4, size: 5000))
        let report = try await sync(store, path, streaming: 1000).run(mailbox)
        #expect(report.uniqueIDReset && report.recognisedByContent == 3 && report.fetched == 1)
        #expect(try await store.messages(in: folder).count == 4)
        let event = SyncEvent(
            account: try AccountID(parsing: account), kind: .finished(report), time: Date(timeIntervalSince1970: 0))
        #expect(event.description.contains("changed its unique-ids"))
    }

    @Test("a few vanished ids with new mail is not a reset")
    func ordinaryChurn() {
        #expect(!MailboxSync.looksLikeReset(recorded: 10, vanished: 2, unknown: 2))
        #expect(MailboxSync.looksLikeReset(recorded: 10, vanished: 10, unknown: 11))
        #expect(!MailboxSync.looksLikeReset(recorded: 10, vanished: 10, unknown: 0))
    }
}

@Suite("MailboxSync with a corrupt UIDL record")
struct MailboxSyncCorruptStateTests {
    @Test("a corrupt record is rebuilt from the store: nothing fetched twice, the new message once, and it says so")
    func rebuiltFromStore() async throws {
        let account = "alice@example.test"
        let folder = try Folder(["alice@example_test"])
        let store = InMemoryMailStore()
        let path = NSTemporaryDirectory() + "maillink-corrupt-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let initial = (1...4).map { ("uid-\($0)", Array("Subject: \($0)\r\n\r\nbody\r\n".utf8)) }
        let mailbox = FakeRemoteMailbox(initial, store: store, account: account)
        let sync = MailboxSync(
            options: MailboxSync.Options(account: account, destination: RoutingDecision(folder: folder, marker: .blue)),
            store: store, statePath: path)
        #expect(try await sync.run(mailbox).fetched == 4)
        try Data("{\"version\": 1, \"messages\": [tor".utf8).write(to: URL(fileURLWithPath: path))
        await mailbox.append([("uid-5", Array("Subject: 5\r\n\r\nbody\r\n".utf8))])
        let report = try await sync.run(mailbox)
        #expect(report.stateRebuilt)
        #expect(report.fetched == 1 && report.recovered == 0)
        #expect(try await store.messages(in: folder).count == 5)
        let event = SyncEvent(
            account: try AccountID(parsing: account), kind: .finished(report), time: Date(timeIntervalSince1970: 0))
        #expect(event.description.contains("rebuilt from the stored mail"))
        #expect(try await sync.run(mailbox).stateRebuilt == false)
    }
}

extension FakeRemoteMailbox {
    /// New mail lands at the end of the maildrop.
    func append(_ arrived: [(String, [UInt8])]) {
        messages += arrived.map { (uidl: $0.0, bytes: $0.1) }
    }
}

@Suite("MailboxSync streams large messages whose unique-id cannot be trusted")
struct MailboxSyncUntrustedStreamingTests {
    @Test("a large message with a shared id is streamed, stored once, and matched by content next time")
    func largeSharedIDStreamed() async throws {
        let account = "alice@example.test"
        let folder = try Folder(["alice@example_test"])
        let store = InMemoryMailStore()
        let path = NSTemporaryDirectory() + "maillink-untrusted-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let big = { (label: String) in
            Array(("Subject: \(label)\r\n\r\n" + String(repeating: "y", count: 5000) + "\r\n").utf8)
        }
        let mailbox = FakeRemoteMailbox([("same", big("a")), ("same", big("b"))], store: store, account: account)
        let sync = MailboxSync(
            options: MailboxSync.Options(
                account: account, destination: RoutingDecision(folder: folder, marker: .blue), streamingThreshold: 1000),
            store: store, statePath: path)
        let first = try await sync.run(mailbox)
        #expect(first.fetched == 2 && first.keyedByContent == 2)
        #expect(await mailbox.log.contains { $0.hasPrefix("RETR-STREAM") })
        #expect(await !mailbox.log.contains { $0.hasPrefix("RETR ") })
        let second = try await sync.run(mailbox)
        #expect(second.fetched == 0 && second.alreadyStoredByContent == 2)
        #expect(try await store.messages(in: folder).count == 2)
    }
}

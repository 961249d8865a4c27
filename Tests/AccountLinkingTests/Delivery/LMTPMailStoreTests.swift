import AccountLinking
import FolderRouting
import Foundation
import MailTesting
import MailTransport
import SMTPSender
import Testing

/// The LMTP store against MailTesting's fake LMTP server, with the sync engine on top.
@Suite("LMTPMailStore")
struct LMTPMailStoreTests {
    let account = "ivan@example.test"
    let folder: Folder
    let directory = NSTemporaryDirectory() + "maillink-lmtp-\(UUID().uuidString)"

    init() throws { folder = try Folder(["Linked"]) }

    func store(_ server: FakeLMTPServer, idle: Int = 4) throws -> LMTPMailStore {
        try LMTPMailStore(
            configuration: .init(
                endpoint: Endpoint(host: "fake-lmtp.test", port: 24, security: .insecurePlaintext),
                recipient: try LMTPRecipientTemplate("judy+{folder}@example.test"), recordDirectory: directory,
                timeouts: .all(.seconds(10)), connector: server.connector, maximumIdleConnections: idle))
    }

    func message(_ number: Int, size: Int = 100) -> [UInt8] {
        Array(("Subject: m\(number)\r\n\r\n" + String(repeating: "x", count: size) + "\r\n").utf8)
    }

    func incoming(_ number: Int, folder: Folder? = nil) -> IncomingMessage {
        IncomingMessage(
            bytes: message(number), folder: folder ?? self.folder, marker: .blue,
            origin: MessageOrigin(account: account, uidl: "uid-\(number)"))
    }

    func sync(_ store: any MailStore, state: any SyncStateStore, streaming: Int = 1 << 20) -> MailboxSync {
        MailboxSync(
            options: .init(
                account: account, destination: RoutingDecision(folder: folder, marker: .blue),
                streamingThreshold: streaming,
                batchCount: 3),
            store: store, state: state)
    }

    @Test("each message goes to its folder's address, byte for byte; the Inbox without detail")
    func folders() async throws {
        let server = FakeLMTPServer()
        let store = try store(server)
        let outcomes = try await store.deliver([incoming(1), incoming(2, folder: .inbox)])
        #expect(outcomes.allSatisfy { $0.isDelivered })
        #expect(server.deliveries.map(\.recipient) == ["judy+Linked@example.test", "judy@example.test"])
        #expect(server.deliveries.map(\.data) == [message(1), message(2)])
        #expect(try await store.folders() == [.inbox, folder])
        #expect(try await store.messages(in: folder).map(\.origin?.uidl) == ["uid-1"])
        await store.close()
        #expect(server.sessionCount == 1, "one session serves consecutive deliveries")
    }

    @Test("a second delivery of the same origin is a duplicate and never reaches the server")
    func duplicate() async throws {
        let server = FakeLMTPServer()
        let store = try store(server)
        let first = try await store.deliver(incoming(1))
        let second = try await store.deliver(incoming(1))
        #expect(second == .duplicate(existing: first.id))
        #expect(server.deliveries.count == 1)
        #expect(try await store.message(from: MessageOrigin(account: account, uidl: "uid-1")) == first.id)
    }

    @Test("the record is shared through the folder: another store (another process) knows what was delivered")
    func sharedRecord() async throws {
        let server = FakeLMTPServer()
        let first = try store(server)
        _ = try await first.deliver(incoming(1))
        let other = try store(server)
        #expect(try await other.message(from: MessageOrigin(account: account, uidl: "uid-1")) != nil)
        _ = try await other.deliver(incoming(2))
        // The first store sees what the other appended since.
        #expect(try await first.deliver(incoming(2)).isDelivered == false)
        #expect(server.deliveries.count == 2)
    }

    @Test("a sync that crashed between the deliveries and its UIDL record delivers nothing twice")
    func crashBeforeUIDLRecord() async throws {
        let server = FakeLMTPServer()
        let store = try store(server)
        let mailbox = FakeRemoteMailbox((1...5).map { ("uid-\($0)", message($0)) }, store: store, account: account)
        #expect(try await sync(store, state: InMemorySyncStateStore()).run(mailbox).fetched == 5)
        // The UIDL record is lost (the crash came before it was saved): the delivery record answers.
        let again = try await sync(try self.store(server), state: InMemorySyncStateStore()).run(mailbox)
        #expect(again.fetched == 0 && again.recovered == 5)
        #expect(server.deliveries.count == 5)
    }

    @Test("a UIDL reset is recognised from the record's content keys; only the new message is delivered")
    func uniqueIDReset() async throws {
        let server = FakeLMTPServer()
        let store = try store(server)
        let state = InMemorySyncStateStore()
        let mailbox = FakeRemoteMailbox((1...4).map { ("uid-\($0)", message($0)) }, store: store, account: account)
        _ = try await sync(store, state: state).run(mailbox)
        await mailbox.resetUniqueIDs(adding: [("uid-5", message(5))])
        let report = try await sync(store, state: state).run(mailbox)
        #expect(report.uniqueIDReset && report.recognisedByContent == 4 && report.fetched == 1)
        #expect(server.deliveries.count == 5)
    }

    @Test("an unreadable UIDL record is rebuilt from the delivery record")
    func rebuiltState() async throws {
        let server = FakeLMTPServer()
        let store = try store(server)
        let statePath = directory + "-uidl.json"
        defer { try? FileManager.default.removeItem(atPath: statePath) }
        let mailbox = FakeRemoteMailbox((1...3).map { ("uid-\($0)", message($0)) }, store: store, account: account)
        _ = try await sync(store, state: SyncStateFile(path: statePath)).run(mailbox)
        try Data("{\"version\": 1, \"messages\": [tor".utf8).write(to: URL(fileURLWithPath: statePath))
        await mailbox.append([("uid-4", message(4))])
        let report = try await sync(store, state: SyncStateFile(path: statePath)).run(mailbox)
        #expect(report.stateRebuilt && report.fetched == 1)
        #expect(server.deliveries.count == 4)
    }

    @Test("large messages are streamed: the server has the bytes before the commit, and the record has the key")
    func streamed() async throws {
        let server = FakeLMTPServer()
        let store = try store(server)
        let big = message(1, size: 3 << 20)
        let mailbox = FakeRemoteMailbox([("uid-1", big)], store: store, account: account)
        let report = try await sync(store, state: InMemorySyncStateStore(), streaming: 1 << 20).run(mailbox)
        #expect(report.fetched == 1 && report.bytes == big.count)
        #expect(server.deliveries.first?.data == big)
        #expect(try await store.contentKeys(ofAccount: account) == [MailboxSync.contentKey(of: big)])
    }

    @Test("an aborted streamed delivery delivers nothing and records nothing; the next one works")
    func abort() async throws {
        let server = FakeLMTPServer()
        let store = try store(server)
        let origin = MessageOrigin(account: account, uidl: "uid-1")
        let writer = try await store.beginDelivery(to: folder, marker: nil, origin: origin)
        try await writer.append(message(1))
        await writer.abort()
        #expect(server.deliveries.isEmpty)
        #expect(try await store.message(from: origin) == nil)
        let retry = try await store.beginDelivery(to: folder, marker: nil, origin: origin)
        try await retry.append(message(1))
        #expect(try await retry.commit().isDelivered)
        #expect(server.deliveries.map(\.data) == [message(1)])
        let duplicate = try await store.beginDelivery(to: folder, marker: nil, origin: origin)
        try await duplicate.append(message(1))
        #expect(try await duplicate.commit().isDelivered == false)
        #expect(server.deliveries.count == 1)
    }

    @Test("a permanent refusal is deliveryRefused, a temporary one is transient; neither is recorded")
    func refusals() async throws {
        let server = FakeLMTPServer(
            configuration: .init(faults: [
                .failAfterData("judy+Linked@example.test", reply: "452 4.2.2 Mailbox is full"),
                .refuseRecipient("judy@example.test", reply: "550 5.1.1 User doesn't exist"),
            ]))
        let store = try store(server)
        do {
            _ = try await store.deliver(incoming(1))
            Issue.record("a 452 must not count as delivered")
        } catch let error as MailStoreError {
            #expect(error.code == .ioFailure && error.isTransient)
        }
        do {
            _ = try await store.deliver(incoming(2, folder: .inbox))
            Issue.record("a 550 must not count as delivered")
        } catch let error as MailStoreError {
            #expect(error.code == .deliveryRefused && !error.isTransient)
        }
        #expect(try await store.messages(in: folder).isEmpty)
    }

    @Test("a kept session the server closed meanwhile is replaced; nothing is lost or doubled")
    func staleSession() async throws {
        let server = FakeLMTPServer(configuration: .init(faults: [.closeAfterMessages(1)]))
        let store = try store(server)
        #expect(try await store.deliver([incoming(1), incoming(2), incoming(3)]).allSatisfy { $0.isDelivered })
        #expect(server.deliveries.count == 3)
        #expect(server.sessionCount == 3)
    }

    @Test("what LMTP cannot do throws unsupportedOperation")
    func unsupported() async throws {
        let store = try store(FakeLMTPServer())
        let id = try await store.deliver(incoming(1)).id
        for operation in [
            { _ = try await store.read(id) }, { try await store.move(id, to: .inbox) }, { try await store.remove(id) },
            { try await store.setMarker(nil, for: id) }, { try await store.removeFolder(self.folder) },
        ] as [@Sendable () async throws -> Void] {
            do {
                try await operation()
                Issue.record("expected unsupportedOperation")
            } catch let error as MailStoreError {
                #expect(error.code == .unsupportedOperation)
            }
        }
    }

    /// Appends `text` to the one delivery record in the folder, as a crash or a hand edit would; returns its path.
    @discardableResult
    func appendToRecord(_ text: String) throws -> String {
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".jsonl") })
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/" + name))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
        return directory + "/" + name
    }

    @Test("a line cut short by a crash is ignored and cut off before the next append")
    func tornLine() async throws {
        let server = FakeLMTPServer()
        let first = try store(server)
        _ = try await first.deliver(incoming(1))
        let path = try appendToRecord("{\"content\":\"con")
        let reopened = try store(server)
        #expect(try await reopened.message(from: MessageOrigin(account: account, uidl: "uid-1")) != nil)
        _ = try await reopened.deliver(incoming(2))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3, "the header and two deliveries, the torn line gone")
        #expect(try await self.store(server).messages(in: folder).count == 2)
    }

    @Test("an unreadable line stops deliveries for the account rather than risk a duplicate")
    func corruptLine() async throws {
        let server = FakeLMTPServer()
        _ = try await store(server).deliver(incoming(1))
        try appendToRecord("not json\n")
        await #expect(throws: StateFileError.self) { _ = try await self.store(server).deliver(self.incoming(2)) }
        #expect(server.deliveries.count == 1)
    }
}

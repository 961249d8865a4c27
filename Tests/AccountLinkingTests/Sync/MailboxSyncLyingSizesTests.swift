import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailTesting
import MailTransport
import POP3Protocol
import Synchronization
import Testing

/// A store that remembers how many bytes each batch delivery carried and how many messages
/// arrived through a streaming writer instead.
final class MeasuringStore: MailStore {
    let inner: any MailStore = InMemoryMailStore()
    private let figures = Mutex<(largestBatch: Int, streamed: Int)>((0, 0))

    var largestBatchBytes: Int { figures.withLock { $0.largestBatch } }
    var streamedCount: Int { figures.withLock { $0.streamed } }

    func deliver(_ messages: [IncomingMessage]) async throws -> [DeliveryOutcome] {
        let bytes = messages.reduce(0) { $0 + $1.bytes.count }
        figures.withLock { $0.largestBatch = max($0.largestBatch, bytes) }
        return try await inner.deliver(messages)
    }
    func beginDelivery(to folder: Folder, marker: MarkerColor?, origin: MessageOrigin?) async throws -> any MessageWriter {
        figures.withLock { $0.streamed += 1 }
        return try await inner.beginDelivery(to: folder, marker: marker, origin: origin)
    }
    func message(from origin: MessageOrigin) async throws -> StoredMessage.ID? { try await inner.message(from: origin) }
    func folders() async throws -> [Folder] { try await inner.folders() }
    func createFolder(_ folder: Folder) async throws { try await inner.createFolder(folder) }
    func messages(in folder: Folder) async throws -> [StoredMessage] { try await inner.messages(in: folder) }
    func read(_ id: StoredMessage.ID) async throws -> [UInt8] { try await inner.read(id) }
    func setMarker(_ marker: MarkerColor?, for id: StoredMessage.ID) async throws { try await inner.setMarker(marker, for: id) }
    func move(_ id: StoredMessage.ID, to folder: Folder) async throws { try await inner.move(id, to: folder) }
    func remove(_ id: StoredMessage.ID) async throws { try await inner.remove(id) }
    func removeFolder(_ folder: Folder) async throws { try await inner.removeFolder(folder) }
}

/// A server whose LIST claims 100 bytes per message and then sends far more (issue: batches and
/// the in-memory or streaming choice trusted LIST, so 48 such messages of 40 MB took 2 GB).
@Suite("MailboxSync with lying LIST sizes")
struct MailboxSyncLyingSizesTests {
    private static let user = "ann@example.net"

    private func sync(_ messages: [FakePOP3Message], store: MeasuringStore, keep: Bool = true) async throws
        -> (MailboxSync.Report, [[UInt8]])
    {
        let server = FakePOP3Server(
            accounts: SASLServerAccounts(passwords: [Self.user: "pw"]))
        for message in messages { server.deliver(message, to: Self.user) }
        let client = try await POP3Client.connect(
            to: Endpoint(host: "pop.example.net", port: 995, security: .tls), connector: server.connector)
        try await client.authenticate(Credentials(user: Self.user, secret: .password("pw")))
        let folder = try Folder(["ann"])
        let sync = MailboxSync(
            options: .init(
                account: Self.user, destination: RoutingDecision(folder: folder, marker: .blue), keepCopiesOnServer: keep,
                streamingThreshold: 1 << 20, batchBytes: 2 << 20),
            store: store, statePath: NSTemporaryDirectory() + "maillink-lying-\(UUID().uuidString).json")
        let report = try await sync.run(POP3Mailbox(client: client))
        var contents: [[UInt8]] = []
        for stored in try await store.messages(in: folder) { contents.append(try await store.read(stored.id)) }
        return (report, contents)
    }

    private func lying(_ count: Int, realSize: Int) -> [FakePOP3Message] {
        (1...count).map { index in
            FakePOP3Message(
                uid: "m\(index)", content: Array("Subject: \(index)\r\n\r\n".utf8), listedSize: 100, fillerSize: realSize)
        }
    }

    @Test("messages listed at 100 bytes that arrive at 600 KB: no batch delivery holds more than the byte budget, every message arrives whole")
    func batchBoundedByBytesReceived() async throws {
        let store = MeasuringStore()
        let messages = lying(12, realSize: 600_000)
        let (report, contents) = try await sync(messages, store: store)
        #expect(report.fetched == 12)
        #expect(report.bytes == messages.reduce(0) { $0 + $1.size })
        #expect(contents.map(\.count).sorted() == messages.map(\.size).sorted())
        // 12 × 600 KB = 7.2 MB listed as 1.2 KB: one batch, and before the fix one delivery of 7.2 MB.
        #expect(store.largestBatchBytes <= 2 << 20)
        #expect(store.streamedCount > 0)
    }

    @Test("messages listed at 100 bytes that arrive at 3 MB go into the store as they arrive, each once, and are deleted only once stored")
    func streamedPastTheThreshold() async throws {
        let store = MeasuringStore()
        let messages = lying(4, realSize: 3_000_000)
        let (report, contents) = try await sync(messages, store: store, keep: false)
        #expect(report.fetched == 4 && report.deleted == 4)
        #expect(contents.count == 4)
        #expect(Set(contents.map(\.count)) == [messages[0].size])
        #expect(store.largestBatchBytes == 0)
        #expect(store.streamedCount == 4)
    }
}

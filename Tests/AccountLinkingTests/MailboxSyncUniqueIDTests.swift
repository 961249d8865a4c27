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

    private func pass(_ server: FakePOP3Server, store: InMemoryMailStore, statePath: String, delete: Bool) async throws
        -> MailboxSync.Report
    {
        let client = try await POP3Client.connect(
            to: Endpoint(host: "fake", port: 995, security: .tls),
            credentials: Credentials(user: "alice", secret: .password("pw")), connector: server.connector)
        let options = MailboxSync.Options(
            account: account, destination: RoutingDecision(folder: folder, marker: .blue), keepCopiesOnServer: !delete)
        return try await MailboxSync(options: options, store: store, statePath: statePath).run(POP3Mailbox(client: client))
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
        let ids: [[UInt8]] = [Array("abc".utf8), Array("abc def".utf8), Array("abc\u{01}def".utf8), Array("id-ñ".utf8), Array("id-".utf8)]
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
        #expect(MailboxSync.contentKey(of: Array("abc".utf8))
            == "content:3:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

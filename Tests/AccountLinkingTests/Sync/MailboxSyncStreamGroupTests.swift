import AccountLinking
import FolderRouting
import Foundation
import Testing

/// Large messages are streamed one by one into a Maildir's `tmp/`, and consecutive ones share one
/// durability round (up to 16 per round), as batches do.
@Suite("MailboxSync streams large messages in groups")
struct MailboxSyncStreamGroupTests {
    let account = "alice@example.test"
    let folder: Folder
    let root = NSTemporaryDirectory() + "maillink-stream-group-\(UUID().uuidString)"

    init() throws { folder = try Folder(["alice@example_test"]) }

    private var tmp: String { root + "/." + folder.components.joined(separator: ".") + "/tmp" }

    private func large(_ count: Int) -> [(String, [UInt8])] {
        (1...count).map { index in
            ("uid-\(index)", Array(("Subject: large \(index)\r\n\r\n" + String(repeating: "0123456789", count: 2_000) + "\r\n").utf8))
        }
    }

    private func sync(_ store: MaildirStore, keep: Bool = true) -> MailboxSync {
        MailboxSync(
            options: .init(
                account: account, destination: RoutingDecision(folder: folder, marker: .blue), keepCopiesOnServer: keep,
                streamingThreshold: 10_000),
            store: store, statePath: NSTemporaryDirectory() + "maillink-stream-group-\(UUID().uuidString).json")
    }

    private func tmpEntries() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? ["(no tmp/)"] }

    @Test("20 large messages: none is visible before its group of 16 commits, then all are, tmp/ empty")
    func groupsCommitTogether() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await MaildirStore.open(at: root)
        let messages = large(20)
        let mailbox = FakeRemoteMailbox(messages, store: store, account: account)
        let report = try await sync(store, keep: false).run(mailbox)
        #expect(report.fetched == 20 && report.deleted == 20)
        #expect(await mailbox.log.filter { $0.hasPrefix("RETR-STREAM") }.count == 20)
        let held = await mailbox.heldBeforeStream
        #expect((1...16).allSatisfy { held[$0] == 0 }, "the first group becomes visible together: \(held)")
        #expect((17...20).allSatisfy { held[$0] == 16 }, "the second group starts after the first commits: \(held)")
        #expect(await mailbox.deletionsBeforeDurable == 0)
        var contents: [[UInt8]] = []
        for stored in try await store.messages(in: folder) { contents.append(try await store.read(stored.id)) }
        #expect(Set(contents) == Set(messages.map(\.1)))
        #expect(tmpEntries().isEmpty)
        await store.close()
    }

    @Test("a transfer failing in the middle of a group keeps the messages streamed before it; the next pass fetches only the rest")
    func failureInGroup() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await MaildirStore.open(at: root)
        let mailbox = FakeRemoteMailbox(large(5), store: store, account: account)
        let sync = sync(store)
        await mailbox.failStream(3)
        await #expect(throws: CancellationError.self) { try await sync.run(mailbox) }
        #expect(try await store.messages(in: folder).count == 2)
        #expect(tmpEntries().isEmpty, "the half-streamed message is removed")
        await mailbox.failStream(nil)
        let rest = try await sync.run(mailbox)
        #expect(rest.fetched == 3 && rest.recovered == 0)
        #expect(try await store.messages(in: folder).count == 5)
        await store.close()
    }

    @Test("a stop requested while a group streams ends it at the next message, keeping what streamed")
    func stopInGroup() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await MaildirStore.open(at: root)
        let mailbox = FakeRemoteMailbox(large(6), store: store, account: account)
        let sync = sync(store, keep: false)
        let stop = SyncStop()
        await mailbox.stop(at: 2, with: stop)
        let report = try await sync.run(mailbox, stop: stop)
        #expect(report.stoppedEarly && report.fetched == 2 && report.deleted == 2)
        #expect(try await store.messages(in: folder).count == 2)
        let rest = try await sync.run(mailbox)
        #expect(rest.fetched == 4 && !rest.stoppedEarly)
        #expect(try await store.messages(in: folder).count == 6)
        await store.close()
    }
}

import AccountLinking
import FolderRouting
import Foundation
import MailTesting
import POP3Protocol
import TestbedSupport
import Testing

/// UIDL-reset safety against the real Dovecot: the mailbox is renumbered (its `dovecot-uidlist`
/// removed, so Dovecot hands out new UIDs and a new UIDVALIDITY, hence new UIDLs) and one more
/// message arrives; the next sync stores nothing twice and the new message once.
///
/// In ``InteropFetchTests`` (serialized, user `frank`) because it empties frank's mailbox too.
extension InteropFetchTests {
    @Test("after Dovecot renumbers the mailbox, a sync imports nothing twice and the new message once")
    func uidlResetImportsOnlyNewMail() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        try bench.removeAllMessages(of: frank)
        for index in 1...5 {
            let id = InteropPOP3Fixtures.messageID("reset-\(index)")
            try bench.deliver(
                Data(InteropPOP3Fixtures.text(id: id, subject: "reset \(index)", lines: ["body \(index)"])), to: frank)
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("maillink-reset-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await MaildirStore.open(at: root + "/Maildir")
        let options = MailboxSync.Options(
            account: frank.address, destination: RoutingDecision(folder: .inbox, marker: .blue))
        let sync = MailboxSync(options: options, store: store, statePath: root + "/state.json")

        let first = try await sync.run(POP3Mailbox(client: try await InteropPOP3Session.login(bench, as: frank)))
        #expect(first.fetched == 5 && !first.uniqueIDReset)
        let before = try await uniqueIDs(bench, frank)

        // UIDVALIDITY is a time in seconds: let it move on before Dovecot picks a new one.
        try await Task.sleep(for: .milliseconds(1100))
        for name in try FileManager.default.contentsOfDirectory(atPath: frank.maildir)
        where name == "dovecot-uidlist" || name.hasPrefix("dovecot.index") {
            try FileManager.default.removeItem(atPath: frank.maildir + "/" + name)
        }
        let lateID = InteropPOP3Fixtures.messageID("reset-late")
        try bench.deliver(
            Data(InteropPOP3Fixtures.text(id: lateID, subject: "late", lines: ["arrived later"])), to: frank)
        let after = try await uniqueIDs(bench, frank)
        #expect(before.isDisjoint(with: after), "Dovecot kept its UIDLs: \(before) / \(after)")

        let second = try await sync.run(POP3Mailbox(client: try await InteropPOP3Session.login(bench, as: frank)))
        #expect(second.uniqueIDReset)
        #expect(second.recognisedByContent == 5)
        #expect(second.fetched == 1)
        var counts: [String: Int] = [:]
        for message in try await store.messages(in: .inbox) {
            counts[InteropPOP3Fixtures.messageID(in: try await store.read(message.id)) ?? "none", default: 0] += 1
        }
        #expect(counts.count == 6 && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
        #expect(counts[lateID] == 1)
        await store.close()
    }

    private func uniqueIDs(_ bench: TestbedEnvironment, _ user: TestbedUser) async throws -> Set<String> {
        let client = try await InteropPOP3Session.login(bench, as: user)
        let ids = try await client.uidlAll().map(\.uid)
        try await client.quit()
        return Set(ids)
    }
}

import AccountLinking
import FolderRouting
import Foundation
import IMAPProtocol
import MailTesting
import Testing

extension IMAPSyncMailboxTests {
    @Test("without a record file, each mailbox's UIDVALIDITY lives in the sync record, written with the unique-ids")
    func uidValidityInSyncState() async throws {
        let server = Self.server()
        for index in 1...2 { server.deliver(FakeIMAPMessage(text: "Subject: \(index)\n\n"), to: "alice") }
        let (first, _) = try await pass(server, recordInState: true)
        #expect(first.fetched == 2)
        #expect(!FileManager.default.fileExists(atPath: directory + "/uidvalidity.json"))
        let state = try await SyncState.load(from: directory + "/state.json")
        let validity = try #require(server.mailbox(of: "alice")?.uidValidity)
        #expect(state.mailboxes?["INBOX"] == SyncState.MailboxRecord(uidValidity: validity))
        let text = String(
            decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/state.json")), as: UTF8.self)
        #expect(text.contains("\"mailboxes\"") && text.contains("\"uidValidity\"") && text.contains("\"resetBelow\""))

        _ = server.changeUIDValidity(for: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: new\n\n"), to: "alice")
        let (afterChange, _) = try await pass(server, recordInState: true)
        #expect(afterChange.fetched == 1 && afterChange.recognisedByContent == 2)
        #expect(try storedFiles().count == 3)
    }

    @Test("a pass stopped early after a UIDVALIDITY change leaves the rest to be matched by content: no duplicate")
    func uidValidityChangeInterrupted() async throws {
        let server = Self.server()
        for index in 1...5 { server.deliver(FakeIMAPMessage(text: "Subject: \(index)\n\n"), to: "alice") }
        try await pass(server, recordInState: true)
        _ = server.changeUIDValidity(for: "alice")
        let (cut, _) = try await pass(server, recordInState: true, batchCount: 1, stop: SyncStop())
        #expect(cut.stoppedEarly && cut.recognisedByContent < 5)
        let (rest, _) = try await pass(server, recordInState: true)
        #expect(rest.fetched == 0)
        #expect(cut.recognisedByContent + rest.recognisedByContent == 5)
        #expect(try storedFiles().count == 5)
    }

    @Test("source folders are kept under the account's folder when asked, INBOX in the account's folder itself")
    func keepsSourceFolders() async throws {
        let server = Self.server()
        server.createMailbox("Work/Projects", for: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: inbox\n\n"), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: archive\n\n"), to: "alice", mailbox: "Archive")
        server.deliver(FakeIMAPMessage(text: "Subject: project\n\n"), to: "alice", mailbox: "Work/Projects")
        let (report, _) = try await pass(server, selection: .all(), keepFolders: true)
        #expect(report.fetched == 3)
        let store = try await MaildirStore.open(at: directory + "/Maildir")
        func subjects(_ components: [String]) async throws -> [String] {
            var found: [String] = []
            for message in try await store.messages(in: try Folder(components)) {
                found.append(String(decoding: try await store.read(message.id), as: UTF8.self))
            }
            return found
        }
        #expect(try await subjects(["alice@example_test"]).map { $0.contains("inbox") } == [true])
        #expect(try await subjects(["alice@example_test", "Archive"]).map { $0.contains("archive") } == [true])
        #expect(
            try await subjects(["alice@example_test", "Work", "Projects"]).map { $0.contains("project") } == [true])
        await store.close()
    }

    @Test("a mailbox name becomes safe folder components: modified UTF-7 decoded, split at the delimiter")
    func folderComponents() {
        #expect(IMAPSyncMailbox.folderComponents(of: .inbox, delimiter: "/").isEmpty)
        #expect(
            IMAPSyncMailbox.folderComponents(of: IMAPMailboxName(wire: "Entw&APw-rfe"), delimiter: "/") == ["Entwürfe"])
        #expect(IMAPSyncMailbox.folderComponents(of: IMAPMailboxName(wire: "A.b/c"), delimiter: "/") == ["A_b", "c"])
        #expect(
            IMAPSyncMailbox.folderComponents(of: IMAPMailboxName(wire: "INBOX.Lists.swift"), delimiter: ".")
                == ["INBOX", "Lists", "swift"].map(Folder.safeComponent))
    }
}

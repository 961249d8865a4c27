import AccountLinking
import FolderRouting
import Foundation
import IMAPProtocol
import MailAuth
import MailTesting
import MailTransport
import TestbedSupport
import Testing

extension InteropSMTPSuite {
    /// MailboxSync over IMAPSyncMailbox against the bench's real Dovecot over TLS: INBOX into a
    /// Maildir exactly once, PEEK leaving `\Seen` alone, flags carried, delete after N days by
    /// INTERNALDATE, and passes cancelled at random moments then run again.
    ///
    /// Uses the bench user `olivia`, nested in ``InteropSMTPSuite`` (serialized) like the IMAP
    /// client's interop tests; each test empties her mailbox before and after itself.
    @Suite("Interop: IMAP sync against Dovecot", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
    struct InteropIMAPSyncTests {
        typealias Fixtures = InteropPOP3Fixtures
        let directory = NSTemporaryDirectory() + "maillink-imapsync-interop-\(UUID().uuidString)"
        let folder: Folder

        init() throws {
            folder = try Folder(["olivia"])
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }

        func pass(
            _ bench: TestbedEnvironment, keep: Bool = true, after days: Int? = nil, now: Date = Date()
        ) async throws -> MailboxSync.Report {
            let olivia = try bench.claimUser("olivia")
            let client = try await InteropIMAPTests.login(bench, as: olivia)
            let source = IMAPSyncMailbox(client: client, recordPath: directory + "/uidvalidity.json")
            let store = try await MaildirStore.open(at: directory + "/Maildir")
            let options = MailboxSync.Options(
                account: olivia.address, destination: RoutingDecision(folder: folder, marker: .blue), keepCopiesOnServer: keep,
                deleteAfterDays: days, batchCount: 8)
            return try await MailboxSync(options: options, store: store, statePath: directory + "/state.json")
                .run(source, now: now)
        }

        /// The Maildir system flags (upper-case letters after `:2,`) of a stored file name.
        static func systemFlags(_ name: String) -> String {
            guard let range = name.range(of: ":2,") else { return "" }
            return String(name[range.upperBound...].filter { $0.isUppercase })
        }

        func stored() throws -> [String: String] {
            let base = directory + "/Maildir/.olivia"
            var files: [String: String] = [:]
            for sub in ["new", "cur"] {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: base + "/" + sub)) ?? [] {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: base + "/" + sub + "/" + name))
                    files[sub + "/" + name] = String(decoding: bytes, as: UTF8.self)
                }
            }
            return files
        }

        func drop(_ count: Int, _ bench: TestbedEnvironment, label: String) throws -> [String] {
            let olivia = try bench.claimUser("olivia")
            return try (0..<count).map { index in
                let id = Fixtures.messageID("\(label)-\(index)")
                try bench.deliver(Data(Fixtures.text(id: id, subject: "\(label) \(index)", lines: ["line \(index)"])), to: olivia)
                return id
            }
        }

        @Test("INBOX into a Maildir exactly once, and PEEK leaves \\Seen unchanged on the server")
        func exactlyOnceAndPeek() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            defer { try? bench.removeAllMessages(of: olivia) }
            let ids = try drop(20, bench, label: "once")
            let first = try await pass(bench)
            #expect(first.fetched == 20)
            #expect(try await pass(bench).fetched == 0)
            let more = try drop(3, bench, label: "more")
            #expect(try await pass(bench).fetched == 3)
            let contents = Array(try stored().values)
            #expect(contents.count == 23)
            for id in ids + more { #expect(contents.filter { $0.contains(id) }.count == 1, "\(id)") }

            let client = try await InteropIMAPTests.login(bench, as: olivia)
            _ = try await client.select(.inbox, readOnly: true)
            #expect(try await client.messageSummaries().allSatisfy { !$0.hasFlag("\\Seen") })
            try await client.logout()
        }

        @Test("\\Seen and \\Flagged set on Dovecot arrive as the Maildir's S and F flags")
        func flagsCarried() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            defer { try? bench.removeAllMessages(of: olivia) }
            _ = try drop(3, bench, label: "flags")
            let client = try await InteropIMAPTests.login(bench, as: olivia)
            _ = try await client.select(.inbox)
            let uids = try await client.search()
            try #require(uids.count == 3)
            try await client.store(["\\Seen"], .add, uids: [uids[1], uids[2]])
            try await client.store(["\\Flagged"], .add, uids: [uids[2]])
            try await client.logout()
            #expect(try await pass(bench).fetched == 3)
            let names = try stored().keys
            #expect(names.filter { Self.systemFlags($0) == "" }.count == 1)
            #expect(names.filter { Self.systemFlags($0) == "S" }.count == 1)
            #expect(names.filter { Self.systemFlags($0) == "FS" }.count == 1)
        }

        @Test("delete after N days by INTERNALDATE: UID STORE \\Deleted and UID EXPUNGE on Dovecot")
        func deleteAfterDays() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            defer { try? bench.removeAllMessages(of: olivia) }
            _ = try drop(4, bench, label: "days")
            let kept = try await pass(bench, keep: true, after: 7)
            #expect(kept.fetched == 4)
            #expect(kept.deleted == 0)
            #expect(try bench.messageCount(of: olivia) == 4)
            // Eight days on, by the messages' own INTERNALDATE.
            let later = try await pass(bench, keep: true, after: 7, now: Date().addingTimeInterval(8 * 86400))
            #expect(later.fetched == 0)
            #expect(later.deleted == 4)
            #expect(try bench.messageCount(of: olivia) == 0)
            #expect(try stored().count == 4)
        }

        @Test("passes cancelled at random moments, then run again: nothing lost or duplicated, with and without deletion")
        func cancelledPasses() async throws {
            let bench = try TestbedEnvironment.required()
            let olivia = try bench.claimUser("olivia")
            try bench.removeAllMessages(of: olivia)
            defer { try? bench.removeAllMessages(of: olivia) }
            var ids: [String] = []
            var generator = SystemRandomNumberGenerator()
            for round in 0..<8 {
                ids += try drop(25, bench, label: "cancel\(round)")
                let delay = Int.random(in: 0...150, using: &generator)
                let task = Task { try await pass(bench, keep: round % 2 == 0) }
                try await Task.sleep(for: .milliseconds(delay))
                task.cancel()
                _ = try? await task.value
            }
            let last = try await pass(bench, keep: false)
            #expect(last.listed >= 0)
            let contents = Array(try stored().values)
            #expect(contents.count == ids.count)
            for id in ids { #expect(contents.filter { $0.contains(id) }.count == 1, "\(id)") }
            #expect(try bench.messageCount(of: olivia) == 0)
        }
    }
}

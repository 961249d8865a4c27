import AccountLinking
import FolderRouting
import Foundation
import IMAPProtocol
import MailAuth
import MailTesting
import MailTransport
import Testing

@Suite("IMAPSyncMailbox: IMAP as a source for MailboxSync, against FakeIMAPServer")
struct IMAPSyncMailboxTests {
    static let endpoint = Endpoint(host: "imap.example.com", port: 993, security: .tls)
    static let alice = Credentials(user: "alice", secret: .password("pw"))
    let account = "alice@example.test"
    let folder: Folder
    let directory: String

    init() throws {
        folder = try Folder(["alice@example_test"])
        directory = NSTemporaryDirectory() + "maillink-imapsync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static func server() -> FakeIMAPServer {
        FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
    }

    func options(keep: Bool = true, after days: Int? = nil) -> MailboxSync.Options {
        MailboxSync.Options(
            account: account, destination: RoutingDecision(folder: folder, marker: .blue), keepCopiesOnServer: keep,
            deleteAfterDays: days)
    }

    /// One pass: connect, log in, sync `selection` into the Maildir, log out.
    @discardableResult
    func pass(
        _ server: FakeIMAPServer, selection: IMAPSyncMailbox.Selection = .inbox, keep: Bool = true,
        after days: Int? = nil, now: Date = Date(), recordInState: Bool = false, keepFolders: Bool = false,
        batchCount: Int = 1024, stop: SyncStop? = nil
    ) async throws -> (MailboxSync.Report, IMAPSyncMailbox) {
        let client = try await IMAPClient.connect(to: Self.endpoint, credentials: Self.alice, connector: server.connector)
        let source = IMAPSyncMailbox(
            client: client, selection: selection, recordPath: recordInState ? nil : directory + "/uidvalidity.json",
            keepsSourceFolders: keepFolders)
        let store = try await MaildirStore.open(at: directory + "/Maildir")
        var options = options(keep: keep, after: days)
        options.batchCount = batchCount
        let sync = MailboxSync(options: options, store: store, statePath: directory + "/state.json")
        return (
            try await sync.run(source, now: now, stop: stop) { event in
                if case .progress = event { stop?.request() }
            }, source
        )
    }

    /// The Maildir system flags (upper-case letters after `:2,`) of a stored file name.
    static func systemFlags(_ name: String) -> String {
        guard let range = name.range(of: ":2,") else { return "" }
        return String(name[range.upperBound...].filter { $0.isUppercase })
    }

    func storedFiles() throws -> [String] {
        let base = directory + "/Maildir/.alice@example_test"
        let new = (try? FileManager.default.contentsOfDirectory(atPath: base + "/new")) ?? []
        let cur = (try? FileManager.default.contentsOfDirectory(atPath: base + "/cur")) ?? []
        return (new.map { "new/" + $0 } + cur.map { "cur/" + $0 }).sorted()
    }

    func storedContents() throws -> [String] {
        let base = directory + "/Maildir/.alice@example_test/"
        return try storedFiles().map { String(decoding: try Data(contentsOf: URL(fileURLWithPath: base + $0)), as: UTF8.self) }
            .sorted()
    }

    @Test("INBOX is synced once: a second pass fetches only what is new")
    func exactlyOnce() async throws {
        let server = Self.server()
        for index in 1...3 { server.deliver(FakeIMAPMessage(text: "Subject: \(index)\n\nbody \(index)\n"), to: "alice") }
        let (first, _) = try await pass(server)
        #expect(first.listed == 3)
        #expect(first.fetched == 3)
        let (second, _) = try await pass(server)
        #expect(second.fetched == 0)
        server.deliver(FakeIMAPMessage(text: "Subject: 4\n\nbody 4\n"), to: "alice")
        let (third, _) = try await pass(server)
        #expect(third.fetched == 1)
        #expect(try storedFiles().count == 4)
        #expect(server.messages(of: "alice").count == 4)  // copies kept
    }

    @Test("bodies are fetched with BODY.PEEK[] and the server's \\Seen flags stay unchanged")
    func peek() async throws {
        let server = Self.server()
        server.deliver(FakeIMAPMessage(text: "Subject: a\n\n"), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: b\n\n", flags: ["\\Seen"]), to: "alice")
        try await pass(server)
        #expect(server.messages(of: "alice").map { $0.flags.contains("\\Seen") } == [false, true])
        let fetches = server.receivedCommands.filter { $0.uppercased().contains("FETCH") && $0.uppercased().contains("BODY") }
        #expect(!fetches.isEmpty)
        #expect(fetches.allSatisfy { $0.uppercased().contains("BODY.PEEK[]") })
    }

    @Test("\\Seen and \\Flagged reach the Maildir as the S and F flags; unflagged mail is new")
    func flagsCarried() async throws {
        let server = Self.server()
        server.deliver(FakeIMAPMessage(text: "Subject: plain\n\n"), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: seen\n\n", flags: ["\\Seen"]), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: both\n\n", flags: ["\\Seen", "\\Flagged"]), to: "alice")
        try await pass(server)
        let files = try storedFiles()
        #expect(files.filter { Self.systemFlags($0) == "" }.count == 1)
        #expect(files.filter { Self.systemFlags($0) == "S" }.count == 1)
        #expect(files.filter { Self.systemFlags($0) == "FS" }.count == 1)
    }

    @Test("without keeping copies, delivered messages are marked \\Deleted and UID EXPUNGEd")
    func deleteWithoutCopies() async throws {
        let server = Self.server()
        for index in 1...3 { server.deliver(FakeIMAPMessage(text: "Subject: \(index)\n\n"), to: "alice") }
        let (report, _) = try await pass(server, keep: false)
        #expect(report.deleted == 3)
        #expect(server.messages(of: "alice").isEmpty)
        #expect(server.receivedCommands.contains { $0.uppercased().contains("UID EXPUNGE") })
        #expect(try storedFiles().count == 3)
    }

    @Test("INTERNALDATE is read with its zone and a space-padded day; anything else is no date")
    func internalDates() {
        #expect(IMAPSyncMailbox.parseInternalDate("02-Dec-2026 09:00:00 +0000")?.timeIntervalSince1970 == 1_796_202_000)
        #expect(IMAPSyncMailbox.parseInternalDate(" 1-Dec-2026 09:00:00 -0700")?.timeIntervalSince1970 == 1_796_140_800)
        #expect(IMAPSyncMailbox.parseInternalDate("17-Jul-1996 02:44:25 -0700")?.timeIntervalSince1970 == 837_596_665)
        for text in ["", "garbage", "02/Dec/2026 09:00:00 +0000", "02-Dec-2026", "02-Dec 2026 09:00:00 +0000"] {
            #expect(IMAPSyncMailbox.parseInternalDate(text) == nil, "\(text)")
        }
    }

    @Test("delete after N days counts from INTERNALDATE, not from the first sync")
    func deleteAfterDays() async throws {
        let server = Self.server()
        server.deliver(
            FakeIMAPMessage(content: Array("Subject: old\r\n\r\n".utf8), internalDate: "01-Nov-2026 09:00:00 +0000"), to: "alice")
        server.deliver(
            FakeIMAPMessage(content: Array("Subject: new\r\n\r\n".utf8), internalDate: " 1-Dec-2026 09:00:00 +0000"), to: "alice")
        let now = try #require(IMAPSyncMailbox.parseInternalDate("02-Dec-2026 09:00:00 +0000"))
        let (report, _) = try await pass(server, keep: true, after: 7, now: now)
        #expect(report.fetched == 2)
        #expect(report.deleted == 1)
        #expect(server.messages(of: "alice").count == 1)
        #expect(String(decoding: server.messages(of: "alice")[0].content, as: UTF8.self).contains("new"))
    }

    @Test("without UIDPLUS, deletion falls back to EXPUNGE")
    func expungeWithoutUIDPlus() async throws {
        var configuration = FakeIMAPConfiguration()
        configuration.offersUIDPLUS = false
        let server = FakeIMAPServer(configuration: configuration, accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
        server.deliver(FakeIMAPMessage(text: "Subject: 1\n\n"), to: "alice")
        let (report, _) = try await pass(server, keep: false)
        #expect(report.deleted == 1)
        #expect(server.messages(of: "alice").isEmpty)
        #expect(!server.receivedCommands.contains { $0.uppercased().contains("UID EXPUNGE") })
    }

    @Test("a UIDVALIDITY change is reported and never re-imports the mailbox; mail from before and after the change arrives")
    func uidValidityChange() async throws {
        let server = Self.server()
        for index in 1...3 { server.deliver(FakeIMAPMessage(text: "Subject: \(index)\n\n"), to: "alice") }
        try await pass(server)
        let validity = server.changeUIDValidity(for: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: between\n\n"), to: "alice")
        let (afterChange, source) = try await pass(server)
        // The three stored ones are recognised by content (the fingerprint rule); the one that
        // arrived with the new UIDVALIDITY, before the pass saw the change, is fetched.
        #expect(afterChange.fetched == 1)
        #expect(afterChange.uniqueIDReset && afterChange.recognisedByContent == 3)
        #expect(try storedContents().contains { $0.contains("between") })
        let changes = await source.uidValidityChanges
        #expect(changes.map(\.current) == [validity])
        #expect(try storedFiles().count == 4)
        server.deliver(FakeIMAPMessage(text: "Subject: 4\n\n"), to: "alice")
        let (later, laterSource) = try await pass(server)
        #expect(later.fetched == 1 && !later.uniqueIDReset)
        #expect(await laterSource.uidValidityChanges.isEmpty)
        #expect(try storedFiles().count == 5)
    }

    @Test("all mailboxes skips Trash, Junk and Drafts unless asked; the same UID in two mailboxes is two messages")
    func allMailboxes() async throws {
        let server = Self.server()
        server.deliver(FakeIMAPMessage(text: "Subject: inbox\n\n"), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: archive\n\n"), to: "alice", mailbox: "Archive")
        server.deliver(FakeIMAPMessage(text: "Subject: trash\n\n"), to: "alice", mailbox: "Trash")
        server.deliver(FakeIMAPMessage(text: "Subject: junk\n\n"), to: "alice", mailbox: "Junk")
        server.deliver(FakeIMAPMessage(text: "Subject: draft\n\n"), to: "alice", mailbox: "Drafts")
        let (report, _) = try await pass(server, selection: .all())
        #expect(report.fetched == 2)
        let contents = try storedContents()
        #expect(contents.contains { $0.contains("inbox") } && contents.contains { $0.contains("archive") })
        let (withTrash, _) = try await pass(server, selection: .all(including: [.trash]))
        #expect(withTrash.fetched == 1)
        #expect(try storedContents().contains { $0.contains("trash") })
    }

    @Test("mailboxes by special use, and by name")
    func bySpecialUseAndName() async throws {
        let server = Self.server()
        server.deliver(FakeIMAPMessage(text: "Subject: inbox\n\n"), to: "alice")
        server.deliver(FakeIMAPMessage(text: "Subject: sent\n\n"), to: "alice", mailbox: "Sent")
        server.deliver(FakeIMAPMessage(text: "Subject: archive\n\n"), to: "alice", mailbox: "Archive")
        let (sent, _) = try await pass(server, selection: .specialUse([.sent], inbox: false))
        #expect(sent.fetched == 1)
        #expect(try storedContents().map { $0.contains("sent") } == [true])
        let (named, _) = try await pass(server, selection: .named(["INBOX", "Archive"]))
        #expect(named.fetched == 2)
    }

    @Test("a pass cut off during retrieval, then run again, loses and duplicates nothing")
    func interruptedPass() async throws {
        let server = Self.server()
        for index in 1...40 { server.deliver(FakeIMAPMessage(text: "Subject: \(index)\n\nbody \(index)\n"), to: "alice") }
        for attempt in 0..<5 {
            let task = Task { try await pass(server, keep: attempt % 2 == 1) }
            try await Task.sleep(for: .milliseconds(attempt * 3))
            task.cancel()
            _ = try? await task.value
        }
        try await pass(server, keep: false)
        let contents = try storedContents()
        #expect(contents.count == 40)
        #expect(Set(contents).count == 40)
        #expect(server.messages(of: "alice").isEmpty)
    }

    @Test("mailbox keys stay within RFC 1939's unique-id characters and length")
    func keys() {
        #expect(IMAPSyncMailbox.key(for: .inbox) == "@INBOX")
        #expect(IMAPSyncMailbox.key(for: IMAPMailboxName(wire: "My Mail")) == "@My%20Mail")
        let long = IMAPSyncMailbox.key(for: IMAPMailboxName(wire: String(repeating: "x", count: 100)))
        #expect(long.count <= 40)
        #expect(long.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
    }
}

@Suite("IMAPSyncMailbox.waitForNewMail: push with IDLE")
struct IMAPSyncMailboxPushTests {
    @Test("IDLE returns when a message arrives, and mail that came before IDLE is reported at once")
    func wakesOnDelivery() async throws {
        let server = IMAPSyncMailboxTests.server()
        let watcher = try await IMAPClient.connect(
            to: IMAPSyncMailboxTests.endpoint, credentials: IMAPSyncMailboxTests.alice, connector: server.connector)
        var uidNext: UInt32?
        let waiting = Task {
            var seen: UInt32? = nil
            let woke = try await IMAPSyncMailbox.waitForNewMail(on: watcher, since: &seen, timeout: .seconds(20))
            return (woke, seen)
        }
        while !server.receivedCommands.contains(where: { $0.uppercased().hasSuffix("IDLE") }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        server.deliver(FakeIMAPMessage(text: "Subject: pushed\n\n"), to: "alice")
        let (woke, seen) = try await waiting.value
        #expect(woke)
        uidNext = seen
        // Arrived while the caller was syncing: reported without waiting for IDLE.
        server.deliver(FakeIMAPMessage(text: "Subject: between\n\n"), to: "alice")
        #expect(try await IMAPSyncMailbox.waitForNewMail(on: watcher, since: &uidNext, timeout: .seconds(20)))
        try await watcher.logout()
    }
}

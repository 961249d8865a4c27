import Foundation
import MailTesting
import TestbedSupport
import Testing

/// `linkmail fetch --protocol imap`, `check --protocol imap` and `add --protocol imap`, offline,
/// against ``MailTesting/FakeIMAPServer`` on loopback.
@Suite("linkmail with IMAP against a fake IMAP server", .serialized)
struct IMAPCommandTests {
    private struct Fixture {
        let server: FakeIMAPServer
        let listener: LoopbackListener
        let maildir: String

        init() throws {
            server = FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["frank": "pw"]))
            for index in 1...3 {
                server.deliver(
                    FakeIMAPMessage(
                        text: "Subject: message \(index)\nMessage-ID: <\(index)@imap.test>\n\nbody \(index)\n"),
                    to: "frank")
            }
            server.deliver(FakeIMAPMessage(text: "Subject: archived\n\narchived\n"), to: "frank", mailbox: "Archive")
            server.deliver(FakeIMAPMessage(text: "Subject: trashed\n\ntrashed\n"), to: "frank", mailbox: "Trash")
            listener = try server.listen()
            maildir =
                FileManager.default.temporaryDirectory.appendingPathComponent("imap-fetch-\(UUID().uuidString)").path
        }

        var connection: [String] {
            [
                "--server", "127.0.0.1:\(listener.port)", "--security", "plain", "--insecure-allow-plaintext", "--user",
                "frank",
                "--timeout", LinkmailRunner.timeout,
            ]
        }

        func fetch(_ extra: [String] = []) -> [String] {
            ["fetch"] + connection + ["--maildir", maildir, "--protocol", "imap"] + extra
        }

        /// Every message file under `folder` of the Maildir (`""` is the Inbox).
        func files(_ folder: String = "") throws -> [String] {
            var result: [String] = []
            for sub in ["new", "cur"] {
                let directory = maildir + folder + "/" + sub
                guard FileManager.default.fileExists(atPath: directory) else { continue }
                for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                    result.append(
                        String(
                            decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)), as: UTF8.self)
                    )
                }
            }
            return result.sorted()
        }

        func tearDown() {
            listener.close()
            try? FileManager.default.removeItem(atPath: maildir)
        }
    }

    private let password = ["LINKMAIL_PASSWORD": "pw"]

    private func lastLine(_ text: String) -> String { text.split(separator: "\n").last.map(String.init) ?? "" }

    @Test(
        "fetch --protocol imap takes INBOX byte-identical, once; the second run fetches nothing; read state untouched")
    func fetchInbox() async throws {
        let fixture = try Fixture()
        defer { fixture.tearDown() }
        let bytes = fixture.server.messages(of: "frank").reduce(0) { $0 + $1.content.count }
        let first = try await LinkmailRunner.run(fixture.fetch(), environment: password)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(lastLine(first.standardOutput) == "fetched 3 new messages (\(bytes) bytes)")
        let expected = fixture.server.messages(of: "frank").map { String(decoding: $0.content, as: UTF8.self) }.sorted()
        #expect(try fixture.files() == expected)
        #expect(fixture.server.messages(of: "frank").allSatisfy { !$0.flags.contains("\\Seen") })
        let second = try await LinkmailRunner.run(fixture.fetch(), environment: password)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(lastLine(second.standardOutput) == "fetched 0 new messages (0 bytes)")
        #expect(try fixture.files().count == 3)
    }

    @Test("--mailbox NAME (repeatable) and --all-mailboxes, which skips Trash; --delete expunges what was stored")
    func mailboxes() async throws {
        let fixture = try Fixture()
        defer { fixture.tearDown() }
        let archive = try await LinkmailRunner.run(
            fixture.fetch(["--mailbox", "Archive", "--json"]), environment: password)
        #expect(archive.status == 0, "\(archive.standardError)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(archive.standardOutput.utf8)) as? [String: Any])
        #expect(report["fetched"] as? Int == 1)
        let all = try await LinkmailRunner.run(fixture.fetch(["--all-mailboxes", "--delete"]), environment: password)
        #expect(all.status == 0, "\(all.standardError)")
        #expect(lastLine(all.standardOutput).hasPrefix("fetched 3 new messages"))
        let stored = try fixture.files()
        #expect(stored.count == 4 && !stored.contains { $0.contains("trashed") })
        #expect(
            fixture.server.messages(of: "frank").isEmpty && fixture.server.messages(in: "Archive", of: "frank").isEmpty)
        #expect(fixture.server.messages(in: "Trash", of: "frank").count == 1)
    }

    @Test("--keep-folders keeps Archive as a folder of the Maildir")
    func keepFolders() async throws {
        let fixture = try Fixture()
        defer { fixture.tearDown() }
        let run = try await LinkmailRunner.run(
            fixture.fetch(["--all-mailboxes", "--keep-folders"]), environment: password)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try fixture.files().count == 3)
        #expect(try fixture.files("/.Archive").count == 1)
    }

    @Test(
        "bad usage exits 2: IMAP-only flags without --protocol imap, an unknown protocol, --mailbox with --all-mailboxes"
    )
    func usage() async throws {
        let fixture = try Fixture()
        defer { fixture.tearDown() }
        let base = ["fetch"] + fixture.connection + ["--maildir", fixture.maildir]
        #expect(try await LinkmailRunner.run(base + ["--mailbox", "Archive"], environment: password).status == 2)
        #expect(try await LinkmailRunner.run(base + ["--protocol", "jmap"], environment: password).status == 2)
        #expect(
            try await LinkmailRunner.run(
                base + ["--protocol", "imap", "--mailbox", "A", "--all-mailboxes"], environment: password
            ).status == 2)
        #expect(fixture.server.sessionCount == 0)
    }

    @Test("check --protocol imap runs the IMAP checklist; a wrong password fails at IMAP login with exit 1")
    func check() async throws {
        let fixture = try Fixture()
        defer { fixture.tearDown() }
        let passed = try await LinkmailRunner.run(
            ["check", "--protocol", "imap"] + fixture.connection, environment: password)
        #expect(passed.status == 1, "plaintext fails the TLS step: \(passed.standardOutput)")
        #expect(passed.standardOutput.contains("PASS IMAP login: signed in as frank"), "\(passed.standardOutput)")
        #expect(passed.standardOutput.contains("PASS IMAP mailbox: INBOX has 3 messages"))
        #expect(passed.standardOutput.contains("FAIL IMAP TLS"))
        let wrong = try await LinkmailRunner.run(
            ["check", "--protocol", "imap"] + fixture.connection, environment: ["LINKMAIL_PASSWORD": "nope"])
        #expect(wrong.status == 1)
        #expect(wrong.standardOutput.contains("FAIL IMAP login"), "\(wrong.standardOutput)")
    }

    @Test("add --protocol imap links over IMAP: stored as IMAP, confirmed, INBOX synced")
    func addIMAP() async throws {
        let fixture = try AccountCommandsTests.Fixture()
        defer { fixture.close() }
        let imap = FakeIMAPServer(
            accounts: SASLServerAccounts(passwords: [AccountCommandsTests.Fixture.linked: "linked-pw"]))
        for number in 1...2 {
            imap.deliver(
                FakeIMAPMessage(text: "Subject: imap \(number)\n\nbody\n"), to: AccountCommandsTests.Fixture.linked)
        }
        let listener = try imap.listen(certificate: try fixture.pop3Authority.issue(), implicitTLS: true)
        defer { listener.close() }
        #expect(try await fixture.initialize().status == 0)
        let added = try await fixture.run(
            [
                "add", AccountCommandsTests.Fixture.linked, "--home", fixture.home, "--server",
                "127.0.0.1:\(listener.port)",
                "--security", "tls", "--protocol", "imap", "--smtp", "127.0.0.1:\(fixture.smtpListener.port)",
                "--smtp-security", "starttls", "--ca", fixture.pop3Authority.caFile, "--password-file",
                fixture.linkedPassword,
                "--timeout", LinkmailRunner.timeout,
            ])
        #expect(added.status == 0, "\(added.standardOutput)\n\(added.standardError)")
        let accounts = try String(contentsOfFile: fixture.home + "/accounts.json", encoding: .utf8)
        #expect(accounts.contains("\"incomingProtocol\" : \"imap\""))
        let confirmed = try await fixture.run(["confirm", try fixture.confirmation().link, "--home", fixture.home])
        #expect(confirmed.status == 0, "\(confirmed.standardError)")
        #expect(confirmed.standardOutput.contains("fetched 2 new messages"), "\(confirmed.standardOutput)")
        #expect(fixture.files(in: ".you@linked_test").count == 2)
        #expect(
            fixture.pop3.messages(of: AccountCommandsTests.Fixture.linked).count == 3, "the POP3 server was not used")
    }
}

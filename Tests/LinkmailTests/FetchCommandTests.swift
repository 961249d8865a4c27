import Foundation
import MailTesting
import MailTransport
import TestbedSupport
import Testing

/// `linkmail fetch` offline, against ``MailTesting/FakePOP3Server`` on a loopback port: exit
/// codes for bad usage (2), failures (1) and success (0), and UIDL bookkeeping across runs.
@Suite("linkmail fetch against a fake POP3 server")
struct FetchCommandTests {
    /// A fake server on loopback with `count` messages for `frank` (password `pw`), and a scratch Maildir.
    private struct Fixture {
        let server: FakePOP3Server
        let listener: LoopbackListener
        let maildir: String
        let messages: [FakePOP3Message]

        init(count: Int, certificate: TestCertificateAuthority.ServerCertificate? = nil) throws {
            server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["frank": "pw"]))
            var messages: [FakePOP3Message] = []
            for index in 1...count {
                let message = FakePOP3Message(
                    uid: "uid-\(index)",
                    text: "Subject: message \(index)\nMessage-ID: <\(index)@fetch.test>\n\nbody \(index)\n.dot\n")
                server.deliver(message, to: "frank")
                messages.append(message)
            }
            self.messages = messages
            listener = try server.listen(certificate: certificate, implicitTLS: certificate != nil)
            maildir = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-\(UUID().uuidString)").path
        }

        /// `linkmail fetch` over plaintext (allowed explicitly) to the fake server.
        func arguments(_ extra: [String] = []) -> [String] {
            [
                "fetch", "--server", "127.0.0.1:\(listener.port)", "--security", "plain", "--insecure-allow-plaintext",
                "--user", "frank", "--maildir", maildir, "--timeout", LinkmailRunner.timeout,
            ] + extra
        }

        var totalBytes: Int { messages.reduce(0) { $0 + $1.size } }

        /// Every message file in the Maildir's Inbox.
        func inbox(folder: String = "") throws -> [[UInt8]] {
            var result: [[UInt8]] = []
            for sub in ["new", "cur"] {
                let directory = maildir + folder + "/" + sub
                guard FileManager.default.fileExists(atPath: directory) else { continue }
                for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                    result.append(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
                }
            }
            return result
        }

        func tearDown() {
            listener.close()
            try? FileManager.default.removeItem(atPath: maildir)
        }
    }

    private let password = ["LINKMAIL_PASSWORD": "pw"]

    private func lastLine(_ text: String) -> String { text.split(separator: "\n").last.map(String.init) ?? "" }

    @Test("the first run fetches every message byte-identical; the second fetches nothing")
    func fetchTwice() async throws {
        let fixture = try Fixture(count: 5)
        defer { fixture.tearDown() }
        let first = try await LinkmailRunner.run(fixture.arguments(), environment: password)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(lastLine(first.standardOutput) == "fetched 5 new messages (\(fixture.totalBytes) bytes)")
        #expect(Set(try fixture.inbox()) == Set(fixture.messages.map(\.content)))
        #expect(fixture.server.messages(of: "frank").count == 5, "copies kept without --delete")

        let second = try await LinkmailRunner.run(fixture.arguments(), environment: password)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(lastLine(second.standardOutput) == "fetched 0 new messages (0 bytes)")
        #expect(try fixture.inbox().count == 5)
        #expect(!fixture.server.receivedCommands.contains { $0.hasPrefix("DELE") })
    }

    @Test("a message added between runs is the only one the next run fetches")
    func incremental() async throws {
        let fixture = try Fixture(count: 3)
        defer { fixture.tearDown() }
        _ = try await LinkmailRunner.run(fixture.arguments(), environment: password)
        let later = FakePOP3Message(uid: "uid-later", text: "Subject: later\n\nlater\n")
        fixture.server.deliver(later, to: "frank")
        let run = try await LinkmailRunner.run(fixture.arguments(), environment: password)
        #expect(lastLine(run.standardOutput) == "fetched 1 new messages (\(later.size) bytes)")
        #expect(Set(try fixture.inbox()) == Set((fixture.messages + [later]).map(\.content)))
    }

    @Test("a corrupt --state file is rebuilt from the Maildir: no duplicate, the new message once, and it says so")
    func corruptStateRebuilt() async throws {
        let fixture = try Fixture(count: 3)
        defer { fixture.tearDown() }
        let state = fixture.maildir + "-state.json"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = try await LinkmailRunner.run(fixture.arguments(["--state", state]), environment: password)
        #expect(first.status == 0, "\(first.standardError)")
        try Data("{\"version\": 1, \"mess".utf8).write(to: URL(fileURLWithPath: state))
        let later = FakePOP3Message(uid: "uid-later", text: "Subject: later\n\nlater\n")
        fixture.server.deliver(later, to: "frank")
        let run = try await LinkmailRunner.run(fixture.arguments(["--state", state]), environment: password)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("rebuilt from the stored mail"), "\(run.standardError)")
        #expect(lastLine(run.standardOutput) == "fetched 1 new messages (\(later.size) bytes)")
        #expect(try fixture.inbox().count == 4)
    }

    @Test("--delete leaves the fake server's maildrop empty once everything is stored")
    func delete() async throws {
        let fixture = try Fixture(count: 4)
        defer { fixture.tearDown() }
        let run = try await LinkmailRunner.run(fixture.arguments(["--delete"]), environment: password)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(fixture.server.messages(of: "frank").isEmpty)
        #expect(Set(try fixture.inbox()) == Set(fixture.messages.map(\.content)))
        #expect(fixture.server.receivedCommands.contains("QUIT"))
    }

    @Test("--folder stores into that Maildir++ folder and --state writes the UIDL record where asked")
    func folderAndState() async throws {
        let fixture = try Fixture(count: 2)
        defer { fixture.tearDown() }
        let state = fixture.maildir + "-state.json"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let run = try await LinkmailRunner.run(
            fixture.arguments(["--folder", "Linked", "--state", state]), environment: password)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try fixture.inbox(folder: "/.Linked").count == 2)
        #expect(try fixture.inbox().isEmpty)
        let record = try String(contentsOfFile: state, encoding: .utf8)
        #expect(record.contains("uid-1") && record.contains("uid-2"))
    }

    @Test("--json prints one object with the figures")
    func json() async throws {
        let fixture = try Fixture(count: 3)
        defer { fixture.tearDown() }
        let run = try await LinkmailRunner.run(fixture.arguments(["--json", "--delete"]), environment: password)
        #expect(run.status == 0, "\(run.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        #expect(object["fetched"] as? Int == 3)
        #expect(object["listed"] as? Int == 3)
        #expect(object["bytes"] as? Int == fixture.totalBytes)
        #expect(object["deleted"] as? Int == 3)
    }

    @Test("implicit TLS trusting a CA file with --ca works")
    func tlsWithCAFile() async throws {
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let fixture = try Fixture(count: 2, certificate: try authority.issue())
        defer { fixture.tearDown() }
        let run = try await LinkmailRunner.run(
            [
                "fetch", "--server", "127.0.0.1:\(fixture.listener.port)", "--security", "tls", "--ca",
                authority.caFile,
                "--user", "frank", "--maildir", fixture.maildir, "--timeout", LinkmailRunner.timeout,
            ], environment: password)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(lastLine(run.standardOutput) == "fetched 2 new messages (\(fixture.totalBytes) bytes)")
        #expect(Set(try fixture.inbox()) == Set(fixture.messages.map(\.content)))
        // The refused-certificate case is covered against Dovecot (InteropFetchTests): here the
        // fake server shares this process, and a handshake the client aborts can raise SIGPIPE
        // in it (see ``resetByTLSServer()``).
    }

    @Test("a TLS server that resets the connection gives exit 1 with a diagnosis, never death by SIGPIPE")
    func resetByTLSServer() async throws {
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let listener = try LoopbackListener(certificate: try authority.issue(), implicitTLS: true)
        defer { listener.close() }
        // Greets and closes at once: linkmail's CAPA then draws a reset from the kernel, so its
        // next TLS write (the close_notify when it closes) meets a dead socket. The server
        // writes only while linkmail is alive, so this process is not exposed itself.
        let server = Task {
            await listener.serve { connection in
                try? await connection.send(Array("+OK resetting soon\r\n".utf8))
                connection.close()
            }
        }
        defer { server.cancel() }
        let maildir = FileManager.default.temporaryDirectory.path + "/fetch-reset-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: maildir) }
        let arguments = [
            "fetch", "--server", "127.0.0.1:\(listener.port)", "--security", "tls", "--ca", authority.caFile,
            "--user", "frank", "--maildir", maildir,
            "--timeout", LinkmailRunner.timeout,
        ]
        var statuses: [Int32] = []
        for _ in 0..<5 { statuses.append(try await LinkmailRunner.run(arguments, environment: password).status) }
        // TLS writes go through a BIO that sends with MSG_NOSIGNAL, so a reset is an error (exit 1),
        // never a SIGPIPE that kills linkmail (exit 13).
        #expect(statuses.allSatisfy { $0 == 1 }, "exit statuses \(statuses) (13 = killed by SIGPIPE)")
    }

    @Test("a wrong password exits 1 with the diagnosis on stderr and stores nothing")
    func wrongPassword() async throws {
        let fixture = try Fixture(count: 2)
        defer { fixture.tearDown() }
        let run = try await LinkmailRunner.run(fixture.arguments(), environment: ["LINKMAIL_PASSWORD": "wrong-pw"])
        #expect(run.status == 1)
        #expect(run.standardError.lowercased().contains("authentication"), "\(run.standardError)")
        #expect(!run.standardError.contains("wrong-pw"))
        #expect(try fixture.inbox().isEmpty)
    }

    @Test("a CRLF password file gives the first line only, without its CR")
    func crlfPasswordFile() async throws {
        let fixture = try Fixture(count: 1)
        defer { fixture.tearDown() }
        let file = fixture.maildir + ".password-crlf"
        try Data("pw\r\nignored second line\r\n".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try await LinkmailRunner.run(fixture.arguments(["--password-file", file]))
        #expect(run.status == 0, "\(run.standardError)")
        #expect(lastLine(run.standardOutput).hasPrefix("fetched 1 new messages"))
    }

    @Test("the password is read from --password-file (first line only)")
    func passwordFile() async throws {
        let fixture = try Fixture(count: 1)
        defer { fixture.tearDown() }
        let file = fixture.maildir + ".password"
        try Data("pw\nignored second line\n".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try await LinkmailRunner.run(fixture.arguments(["--password-file", file]))
        #expect(run.status == 0, "\(run.standardError)")
        #expect(lastLine(run.standardOutput).hasPrefix("fetched 1 new messages"))
    }

    @Test(
        "bad usage exits 2 and never connects",
        arguments: [
            ["--bogus"], ["positional"], ["--security", "ssl"], ["--max-size", "0"], ["--max-size", "lots"],
            ["--pin", "abc"], ["--timeout", "0"], ["--folder", "Work//Clients"],
            ["--password-file", "/nonexistent/password"],
        ])
    func usageErrors(extra: [String]) async throws {
        let fixture = try Fixture(count: 1)
        defer { fixture.tearDown() }
        let run = try await LinkmailRunner.run(fixture.arguments(extra), environment: password)
        #expect(run.status == 2, "\(extra): \(run.standardError)")
        #expect(run.standardError.contains("usage"), "\(run.standardError)")
        #expect(fixture.server.sessionCount == 0)
    }

    @Test("a missing --server, --user or --maildir exits 2")
    func missingRequiredOptions() async throws {
        let fixture = try Fixture(count: 1)
        defer { fixture.tearDown() }
        let full = fixture.arguments()
        for option in ["--server", "--user", "--maildir"] {
            guard let index = full.firstIndex(of: option) else { continue }
            var arguments = full
            arguments.removeSubrange(index...index + 1)
            let run = try await LinkmailRunner.run(arguments, environment: password)
            #expect(run.status == 2, "without \(option): \(run.standardError)")
            #expect(run.standardError.contains(option), "\(run.standardError)")
        }
        #expect(fixture.server.sessionCount == 0)
    }

    @Test("no password at all, or plaintext without --insecure-allow-plaintext, exits 2")
    func missingPasswordOrConsent() async throws {
        let fixture = try Fixture(count: 1)
        defer { fixture.tearDown() }
        let noPassword = try await LinkmailRunner.run(fixture.arguments())
        #expect(noPassword.status == 2)
        #expect(noPassword.standardError.contains("password"), "\(noPassword.standardError)")

        let noConsent = try await LinkmailRunner.run(
            fixture.arguments().filter { $0 != "--insecure-allow-plaintext" }, environment: password)
        #expect(noConsent.status == 2)
        #expect(noConsent.standardError.contains("--insecure-allow-plaintext"), "\(noConsent.standardError)")
        #expect(fixture.server.sessionCount == 0)
    }
}

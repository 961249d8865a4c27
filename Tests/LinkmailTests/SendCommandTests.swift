import Foundation
import MailTesting
import TestbedSupport
import Testing

/// `linkmail send` offline, against ``FakeSMTPServer`` on a loopback socket with a test CA:
/// the built executable talks real TCP and TLS to a server that records what it received.
@Suite("linkmail send against the fake SMTP server", .serialized)
struct SendCommandTests {
    /// A fake server on loopback (STARTTLS, or implicit TLS) with alice's account, and the
    /// files the command line needs; `close()` when done.
    final class Fixture: Sendable {
        let authority: TestCertificateAuthority
        let listener: LoopbackListener
        let server: FakeSMTPServer
        let serving: Task<Void, Never>
        let passwordFile: String
        let implicitTLS: Bool

        init(implicitTLS: Bool = false, faults: [FakeSMTPServer.Fault] = [], password: String = "alice-secret") throws {
            authority = try TestCertificateAuthority()
            listener = try LoopbackListener(certificate: try authority.issue(), implicitTLS: implicitTLS)
            server = FakeSMTPServer(
                configuration: .init(
                    offersStartTLS: !implicitTLS,
                    accounts: SASLServerAccounts(passwords: ["alice@example.test": "alice-secret"]),
                    authenticationMechanisms: ["PLAIN", "LOGIN"], requiresAuthentication: true, faults: faults))
            let server = self.server
            let listener = self.listener
            serving = Task { await server.serve(listener) }
            passwordFile = authority.directory + "/password"
            self.implicitTLS = implicitTLS
            try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        }

        /// The connection flags that reach this server.
        var connection: [String] {
            [
                "--server", "127.0.0.1:\(listener.port)", "--security", implicitTLS ? "tls" : "starttls",
                "--ca", authority.caFile, "--user", "alice@example.test", "--password-file", passwordFile, "--timeout",
                LinkmailRunner.timeout,
            ]
        }

        func close() {
            listener.close()
            serving.cancel()
            authority.remove()
        }
    }

    /// Runs linkmail without blocking the cooperative pool (the fake server in this process needs it).
    private func linkmail(_ arguments: [String]) async throws -> ExecutableRunner.Result {
        try await LinkmailRunner.run(arguments)
    }

    private func text(_ message: FakeSMTPServer.ReceivedMessage) -> String {
        String(decoding: message.data, as: UTF8.self)
    }

    @Test("--count 3 sends three copies, each with its own Message-ID, in one STARTTLS session with AUTH")
    func countThree() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let result = try await linkmail(
            ["send"] + fixture.connection
                + ["--from", "alice@example.test", "--to", "bob@example.org", "--subject", "three", "--count", "3"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").last == "sent 3 messages")
        #expect(fixture.server.sessionCount == 1)
        let messages = fixture.server.receivedMessages
        #expect(messages.count == 3)
        #expect(messages.allSatisfy { $0.sender == "alice@example.test" && $0.recipients == ["bob@example.org"] })
        #expect(messages.allSatisfy { $0.authenticatedUser == "alice@example.test" && $0.wasSecure })
        let ids = Set(
            messages.compactMap { message in
                text(message).split(separator: "\r\n").first { $0.lowercased().hasPrefix("message-id:") }
            })
        #expect(ids.count == 3)
        #expect(fixture.server.violations.isEmpty)
        #expect(fixture.server.receivedCommands.contains("STARTTLS"))
        #expect(fixture.server.receivedCommands.last == "QUIT")
    }

    @Test("--json on implicit TLS prints sent and bytes, the bytes the server received")
    func json() async throws {
        let fixture = try Fixture(implicitTLS: true)
        defer { fixture.close() }
        let body = fixture.authority.directory + "/body.txt"
        try Data("first line\n.a line with a leading dot\n..and two\n".utf8).write(to: URL(fileURLWithPath: body))
        let result = try await linkmail(
            ["send"] + fixture.connection
                + [
                    "--from", "alice@example.test", "--to", "bob@example.org,carol@example.org", "--body-file", body,
                    "--count", "2", "--json",
                ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let messages = fixture.server.receivedMessages
        #expect(object["sent"] as? Int == 2)
        #expect(object["bytes"] as? Int == messages.reduce(0) { $0 + $1.data.count })
        #expect(messages.allSatisfy { $0.recipients == ["bob@example.org", "carol@example.org"] && $0.wasSecure })
        #expect(messages.allSatisfy { text($0).contains("\r\n.a line with a leading dot\r\n..and two\r\n") })
        #expect(!fixture.server.receivedCommands.contains("STARTTLS"))
    }

    @Test("--attach carries each file's bytes as a base64 attachment named after the file")
    func attach() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let file = fixture.authority.directory + "/report.bin"
        let bytes: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x2E, 0x0D, 0x0A, 0x80, 0x7F]
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let result = try await linkmail(
            ["send"] + fixture.connection + [
                "--from", "alice@example.test", "--to", "bob@example.org", "--attach", file,
            ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let message = try #require(fixture.server.receivedMessages.first)
        #expect(text(message).contains("filename=report.bin") || text(message).contains("filename=\"report.bin\""))
        #expect(text(message).contains(Data(bytes).base64EncodedString()))
    }

    @Test("a wrong password exits 1 with the server's 535 and what to try on stderr, never the password")
    func wrongPassword() async throws {
        let fixture = try Fixture(password: "not-the-secret")
        defer { fixture.close() }
        let result = try await linkmail(
            ["send"] + fixture.connection + ["--from", "alice@example.test", "--to", "bob@example.org"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("authentication failed"))
        #expect(result.standardError.contains("535"))
        #expect(result.standardError.contains("what to try"))
        #expect(!(result.standardOutput + result.standardError).contains("not-the-secret"))
        #expect(fixture.server.receivedMessages.isEmpty)
    }

    @Test("a refused recipient (the only one) exits 1 with the server's words")
    func refusedRecipient() async throws {
        let fixture = try Fixture(faults: [.refuseRecipient("bob@example.org", reply: "550 5.1.1 no such user here")])
        defer { fixture.close() }
        let result = try await linkmail(
            ["send"] + fixture.connection + ["--from", "alice@example.test", "--to", "bob@example.org"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("550"))
        #expect(result.standardError.contains("no such user here"))
        #expect(fixture.server.receivedMessages.isEmpty)
    }

    @Test("some recipients accepted and some refused: sent, but exit 1 naming each refused recipient")
    func partlyRefused() async throws {
        let fixture = try Fixture(faults: [.refuseRecipient("bob@example.org", reply: "550 5.1.1 no such user here")])
        defer { fixture.close() }
        let result = try await linkmail(
            ["send"] + fixture.connection + ["--from", "alice@example.test", "--to", "carol@example.org,bob@example.org"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("refused bob@example.org: 550"))
        #expect(result.lastLine == "sent 1 messages")
        #expect(fixture.server.receivedMessages.map(\.recipients) == [["carol@example.org"]])
        let json = try await linkmail(
            ["send"] + fixture.connection
                + ["--from", "alice@example.test", "--to", "carol@example.org,bob@example.org", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect((object?["refused"] as? [String: String])?["bob@example.org"]?.hasPrefix("550") == true)
    }

    @Test("a message refused after DATA exits 1 with the server's words")
    func refusedMessage() async throws {
        let fixture = try Fixture(faults: [.refuseMessage(reply: "554 5.7.1 message looks like spam")])
        defer { fixture.close() }
        let result = try await linkmail(
            ["send"] + fixture.connection + ["--from", "alice@example.test", "--to", "bob@example.org"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("554"))
        #expect(result.standardError.contains("looks like spam"))
    }

    @Test("--security starttls against a server without STARTTLS exits 1 and sends no password")
    func noStartTLS() async throws {
        let fixture = try Fixture(implicitTLS: false)
        defer { fixture.close() }
        // The same listener, but a server that does not offer STARTTLS.
        let plain = FakeSMTPServer(configuration: .init(offersStartTLS: false, requiresAuthentication: true))
        let listener = try LoopbackListener()
        defer { listener.close() }
        let serving = Task { await plain.serve(listener) }
        defer { serving.cancel() }
        let result = try await linkmail([
            "send", "--server", "127.0.0.1:\(listener.port)", "--security", "starttls", "--user", "alice@example.test",
            "--password-file", fixture.passwordFile, "--from", "alice@example.test", "--to", "bob@example.org",
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains("STARTTLS"))
        #expect(!plain.receivedCommands.contains { $0.hasPrefix("AUTH") })
    }
}

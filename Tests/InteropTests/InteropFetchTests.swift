import Foundation
import MailTesting
import POP3Protocol
import TestbedSupport
import Testing

/// `linkmail fetch` (the built binary) against the bench's real Dovecot: a first pass fetches
/// everything byte for byte, a second fetches nothing, `--delete` removes only what is stored,
/// `--json` parses, and failures exit 1 (with the diagnosis) or 2 (bad usage).
///
/// Uses the bench user `frank` only; serialized because every test empties frank's mailbox.
@Suite("Interop: linkmail fetch against Dovecot", .serialized, .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropFetchTests {
    private typealias Fixtures = InteropPOP3Fixtures
    private typealias Runner = InteropFetchRunner

    /// Empties frank's mailbox and drops a mix of messages; returns them as Dovecot serves them
    /// (CRLF), keyed by Message-ID.
    private func fill(_ bench: TestbedEnvironment, label: String) throws -> [String: [UInt8]] {
        let frank = try bench.claimUser("frank")
        try bench.removeAllMessages(of: frank)
        var expected: [String: [UInt8]] = [:]
        func drop(_ stored: [UInt8], _ id: String) throws {
            try bench.deliver(Data(stored), to: frank)
            expected[id] = Fixtures.normalizedToCRLF(stored)
        }
        for index in 1...8 {
            let id = Fixtures.messageID("\(label)-\(index)")
            try drop(Fixtures.text(id: id, subject: "\(label) \(index)", lines: ["body \(index)", ".dot", "end"]), id)
        }
        let dots = Fixtures.messageID("\(label)-dots")
        try drop(Fixtures.dotLines(id: dots), dots)
        let eightBit = Fixtures.messageID("\(label)-8bit")
        try drop(Fixtures.eightBit(id: eightBit), eightBit)
        let lf = Fixtures.messageID("\(label)-lf")
        try drop(Array("From: a@maillink.test\nSubject: LF\nMessage-ID: \(lf)\n\nbare LF\n.dot\n".utf8), lf)
        let large = Fixtures.messageID("\(label)-large")
        try drop(Fixtures.attachment(id: large, byteCount: 5 << 20), large)
        return expected
    }

    /// The Maildir's Inbox keyed by Message-ID; records duplicates as a failure.
    private func stored(_ maildir: InteropFetchMaildir) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for message in try maildir.inboxMessages() {
            let id = Fixtures.messageID(in: message) ?? "(no Message-ID)"
            #expect(result[id] == nil, "\(id) stored twice")
            result[id] = message
        }
        return result
    }

    @Test("the first run fetches every message byte-identical (CRLF as Dovecot serves it); the second fetches nothing")
    func fetchThenNothing() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        let expected = try fill(bench, label: "first")
        let maildir = InteropFetchMaildir(label: "fetch")
        defer { maildir.remove() }
        let environment = InteropFetchMaildir.environment(frank)

        let first = try await Runner.run(maildir.fetchArguments(bench, frank), environment: environment)
        #expect(first.status == 0, "\(first)")
        let bytes = expected.values.reduce(0) { $0 + $1.count }
        #expect(first.lastLine == "fetched \(expected.count) new messages (\(bytes) bytes)", "\(first)")
        let stored = try stored(maildir)
        #expect(Set(stored.keys) == Set(expected.keys))
        for (id, message) in expected { #expect(stored[id] == message, "\(id) differs from what Dovecot serves") }
        #expect(try bench.messageCount(of: frank) == expected.count, "copies are kept without --delete")

        let second = try await Runner.run(maildir.fetchArguments(bench, frank), environment: environment)
        #expect(second.status == 0, "\(second)")
        #expect(second.lastLine == "fetched 0 new messages (0 bytes)", "\(second)")
        #expect(try maildir.inboxMessages().count == expected.count)
    }

    @Test("--delete fetches everything, then the server is empty; a later message is fetched and deleted too")
    func deleteEmptiesServer() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        var expected = try fill(bench, label: "delete")
        let maildir = InteropFetchMaildir(label: "delete")
        defer { maildir.remove() }
        let environment = InteropFetchMaildir.environment(frank)

        let first = try await Runner.run(maildir.fetchArguments(bench, frank, ["--delete"]), environment: environment)
        #expect(first.status == 0, "\(first)")
        #expect(first.lastLine.hasPrefix("fetched \(expected.count) new messages"), "\(first)")
        #expect(try bench.messageCount(of: frank) == 0)
        #expect(try stored(maildir) == expected)

        let id = Fixtures.messageID("delete-later")
        let later = Fixtures.text(id: id, subject: "later", lines: ["arrived later"])
        try bench.deliver(Data(later), to: frank)
        expected[id] = later
        let second = try await Runner.run(maildir.fetchArguments(bench, frank, ["--delete"]), environment: environment)
        #expect(second.status == 0, "\(second)")
        #expect(second.lastLine == "fetched 1 new messages (\(later.count) bytes)", "\(second)")
        #expect(try bench.messageCount(of: frank) == 0)
        #expect(try stored(maildir) == expected)
    }

    @Test("a message over --max-size is skipped and stays on the server; --delete removes only what is stored")
    func oversizedMessageIsSkipped() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        try bench.removeAllMessages(of: frank)
        var dropped: [String: [UInt8]] = [:]
        // More small messages than one retrieval batch, and one large message among them.
        for index in 1...100 {
            let id = Fixtures.messageID("partial-\(index)")
            let message = Fixtures.text(id: id, subject: "partial \(index)", lines: ["small \(index)"])
            try bench.deliver(Data(message), to: frank)
            dropped[id] = message
        }
        let bigID = Fixtures.messageID("partial-big")
        let big = Fixtures.attachment(id: bigID, byteCount: 200_000)
        try bench.deliver(Data(big), to: frank)
        dropped[bigID] = big
        let maildir = InteropFetchMaildir(label: "partial")
        defer { maildir.remove() }
        let environment = InteropFetchMaildir.environment(frank)

        let run = try await Runner.run(
            maildir.fetchArguments(bench, frank, ["--delete", "--max-size", "100000"]), environment: environment)
        #expect(run.status == 0, "\(run)")
        #expect(run.standardError.contains("skipped 1 messages larger than 100000 bytes"), "\(run)")
        let smallBytes = dropped.filter { $0.key != bigID }.values.reduce(0) { $0 + $1.count }
        #expect(run.lastLine == "fetched 100 new messages (\(smallBytes) bytes)", "\(run)")

        // What the server still has, read directly with POP3Client: only the large message.
        let client = try await InteropPOP3Session.login(bench, as: frank)
        var onServer: [String: [UInt8]] = [:]
        for entry in try await client.listAll() {
            let message = try await client.retrieve(entry.number)
            onServer[Fixtures.messageID(in: message) ?? "?"] = message
        }
        _ = try await client.quit()
        #expect(Array(onServer.keys) == [bigID], "only the skipped message stays on the server")
        #expect(onServer[bigID] == big)
        let stored = try stored(maildir)
        #expect(stored[bigID] == nil)
        #expect(stored.count == 100)
        for (id, message) in stored { #expect(dropped[id] == message, "\(id) stored with different bytes") }

        // Without the limit the next pass takes the large one and empties the server, without duplicates.
        let rest = try await Runner.run(maildir.fetchArguments(bench, frank, ["--delete"]), environment: environment)
        #expect(rest.status == 0, "\(rest)")
        #expect(rest.lastLine == "fetched 1 new messages (\(big.count) bytes)", "\(rest)")
        #expect(try self.stored(maildir) == dropped)
        #expect(try bench.messageCount(of: frank) == 0)
    }

    @Test("--json prints one object that parses, with the same figures as the text")
    func json() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        let expected = try fill(bench, label: "json")
        let maildir = InteropFetchMaildir(label: "json")
        defer { maildir.remove() }
        let environment = InteropFetchMaildir.environment(frank)
        let run = try await Runner.run(maildir.fetchArguments(bench, frank, ["--json"]), environment: environment)
        #expect(run.status == 0, "\(run)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any], "\(run)")
        #expect(object["fetched"] as? Int == expected.count)
        #expect(object["listed"] as? Int == expected.count)
        #expect(object["bytes"] as? Int == expected.values.reduce(0) { $0 + $1.count })
        #expect(object["deleted"] as? Int == 0)

        let again = try await Runner.run(maildir.fetchArguments(bench, frank, ["--json"]), environment: environment)
        let second = try #require(
            try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any], "\(again)")
        #expect(second["fetched"] as? Int == 0)
        #expect(second["bytes"] as? Int == 0)
    }

    @Test("a wrong password exits 1 with the diagnosis and Dovecot's words on stderr, never the password")
    func wrongPassword() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        let maildir = InteropFetchMaildir(label: "wrongpw")
        defer { maildir.remove() }
        let wrong = "not-" + frank.password
        let run = try await Runner.run(maildir.fetchArguments(bench, frank), environment: ["LINKMAIL_PASSWORD": wrong])
        #expect(run.status == 1, "\(run)")
        #expect(run.standardError.lowercased().contains("authentication"), "\(run)")
        #expect(run.standardError.contains("Authentication failed"), "Dovecot's own words: \(run)")
        #expect(!run.standardError.contains(wrong) && !run.standardOutput.contains(wrong))
        #expect(!run.standardOutput.contains("fetched"))

        let json = try await Runner.run(
            maildir.fetchArguments(bench, frank, ["--json"]), environment: ["LINKMAIL_PASSWORD": wrong])
        #expect(json.status == 1, "\(json)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any], "\(json)")
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["stage"] as? String == "authentication", "\(error)")
    }

    @Test("an untrusted certificate (no --ca) exits 1 with the TLS diagnosis")
    func untrustedCertificate() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        let maildir = InteropFetchMaildir(label: "noca")
        defer { maildir.remove() }
        let arguments = maildir.fetchArguments(bench, frank).filter { $0 != "--ca" && $0 != bench.caFile }
        let run = try await Runner.run(arguments, environment: InteropFetchMaildir.environment(frank))
        #expect(run.status == 1, "\(run)")
        #expect(run.standardError.lowercased().contains("certificate"), "\(run)")
    }

    @Test(
        "bad usage exits 2 without touching the server",
        arguments: [
            ["--maildir"], ["--security", "ssl"], ["--bogus-flag"], ["extra-positional"], ["--max-size", "0"],
            ["--pin", "not-a-fingerprint"], ["--timeout", "0"],
        ])
    func badUsage(extra: [String]) async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        let maildir = InteropFetchMaildir(label: "usage")
        defer { maildir.remove() }
        var arguments = maildir.fetchArguments(bench, frank)
        if extra == ["--maildir"], let index = arguments.firstIndex(of: "--maildir") {
            arguments.removeSubrange(index...index + 1)
        } else {
            arguments += extra
        }
        let run = try await Runner.run(arguments, environment: InteropFetchMaildir.environment(frank))
        #expect(run.status == 2, "\(extra): \(run)")
        #expect(run.standardError.contains("linkmail"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: maildir.path), "nothing was created")
    }

    @Test("--security starttls on the plain port and --pin instead of --ca both fetch")
    func starttlsAndPin() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        try bench.removeAllMessages(of: frank)
        let id = Fixtures.messageID("stls")
        let message = Fixtures.text(id: id, subject: "stls", lines: ["over STLS"])
        try bench.deliver(Data(message), to: frank)
        let environment = InteropFetchMaildir.environment(frank)

        let stlsMaildir = InteropFetchMaildir(label: "stls")
        defer { stlsMaildir.remove() }
        let stls = try await Runner.run(
            [
                "fetch", "--server", "\(bench.host):\(bench.pop3Port)", "--security", "starttls", "--ca", bench.caFile,
                "--user", frank.address, "--maildir", stlsMaildir.path,
            ], environment: environment)
        #expect(stls.status == 0, "\(stls)")
        #expect(stls.lastLine == "fetched 1 new messages (\(message.count) bytes)", "\(stls)")
        #expect(try stlsMaildir.inboxMessages() == [message])

        let pinMaildir = InteropFetchMaildir(label: "pin")
        defer { pinMaildir.remove() }
        let pinned = try await Runner.run(
            [
                "fetch", "--server", "\(bench.host):\(bench.pop3sPort)", "--pin", bench.serverCertificateSHA256,
                "--user", frank.address, "--maildir", pinMaildir.path,
            ], environment: environment)
        #expect(pinned.status == 0, "\(pinned)")
        #expect(try pinMaildir.inboxMessages() == [message])
    }

    @Test("plaintext to the strict host, allowed, still keeps the password off the wire: Dovecot logs CRAM-MD5")
    func strictHostPlaintext() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        try bench.removeAllMessages(of: frank)
        let maildir = InteropFetchMaildir(label: "strict")
        defer { maildir.remove() }
        // Dovecot offers only CRAM-MD5 before TLS there; its log says which method logged in.
        let log = try #require(bench.values["MAILLINK_DOVECOT_LOG"])
        func logins() -> [Substring] {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").filter {
                $0.contains("Login: user=<\(frank.address)>") && $0.contains("lip=\(bench.pop3StrictHost)")
            }
        }
        let before = logins().count
        let run = try await Runner.run(
            [
                "fetch", "--server", "\(bench.pop3StrictHost):\(bench.pop3Port)", "--security", "plain",
                "--insecure-allow-plaintext", "--user", frank.address, "--maildir", maildir.path,
            ],
            environment: InteropFetchMaildir.environment(frank))
        #expect(run.status == 0, "\(run)")
        #expect(run.lastLine == "fetched 0 new messages (0 bytes)", "\(run)")
        var after = logins()
        for _ in 0..<20 where after.count <= before {
            try await Task.sleep(for: .milliseconds(100))
            after = logins()
        }
        let line = try #require(after.count > before ? after.last : nil, "this run's login is not in \(log)")
        #expect(line.contains("method=CRAM-MD5"), "\(line)")
    }

    @Test("no password (neither --password-file nor LINKMAIL_PASSWORD) is bad usage, exit 2")
    func missingPassword() async throws {
        let bench = try TestbedEnvironment.required()
        let frank = try bench.claimUser("frank")
        let maildir = InteropFetchMaildir(label: "nopw")
        defer { maildir.remove() }
        let run = try await Runner.run(maildir.fetchArguments(bench, frank))
        #expect(run.status == 2, "\(run)")
        #expect(run.standardError.contains("password"), "\(run)")
    }
}

import Foundation
import MailTesting
import TestbedSupport
import Testing

/// The `linkmail` account commands against real servers: Postfix submission is the primary's
/// outgoing server (alice) and the linked address's own (carol), Dovecot holds carol's mailbox.
@Suite(
    "Interop: linkmail init, add, confirm, sync, accounts, identities, compose, update, resend, unlink",
    .enabled(if: TestbedEnvironment.shouldRunInteropTests), .serialized)
struct InteropLinkmailAccountTests {
    static func run(_ arguments: [String]) async throws -> ExecutableRunner.Result {
        try await ExecutableRunner.run("linkmail", arguments, unset: ["LINKMAIL_PASSWORD"])
    }

    static func waitForMessage(in user: TestbedUser, containing text: String) async throws -> String {
        for _ in 0..<150 {
            for sub in ["new", "cur"] {
                let directory = user.maildir + "/" + sub
                for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                    if let data = FileManager.default.contents(atPath: directory + "/" + name) {
                        let message = String(decoding: data, as: UTF8.self)
                        if message.contains(text) { return message }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw InteropError("no message containing \(text) reached \(user.address)")
    }

    struct InteropError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("the lifecycle through Dovecot and Postfix, confirmed by the code from the real confirmation e-mail")
    func lifecycle() async throws {
        let bench = try TestbedEnvironment.required()
        let primary = try bench.claimUser("alice")
        let linked = try bench.claimUser("carol")
        try bench.removeAllMessages(of: linked)
        let marker = UUID().uuidString
        for number in 1...2 {
            try bench.deliver(
                Data("From: x@example.org\r\nSubject: waiting \(number) \(marker)\r\n\r\nbody \(number)\r\n".utf8), to: linked)
        }
        let work = NSTemporaryDirectory() + "linkmail-interop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let home = work + "/home"
        try Data((primary.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/primary"))
        try Data((linked.password + "\r\n").utf8).write(to: URL(fileURLWithPath: work + "/linked"))
        let submission = "\(bench.host):\(bench.submissionPort)"

        let initialized = try await Self.run([
            "init", "--home", home, "--primary", primary.address, "--server", submission, "--security", "starttls",
            "--ca", bench.caFile, "--password-file", work + "/primary", "--verify-base-url", "https://mail.example.test/confirm",
        ])
        #expect(initialized.status == 0, "\(initialized.standardError)")
        let added = try await Self.run([
            "add", linked.address, "--home", home, "--server", "\(bench.host):\(bench.pop3sPort)", "--security", "tls",
            "--smtp", submission, "--smtp-security", "starttls", "--ca", bench.caFile, "--password-file", work + "/linked",
            "--folder", "Linked/Carol", "--marker", "purple",
        ])
        #expect(added.status == 0, "\(added.standardOutput)\n\(added.standardError)")
        #expect(added.standardOutput.contains("connected: 2 messages on the server"))

        let confirmation = try await Self.waitForMessage(in: linked, containing: "https://mail.example.test/confirm?token=")
        #expect(confirmation.contains("From: MailLink <\(primary.address)>"))
        let lines = confirmation.split(whereSeparator: \.isNewline).map(String.init)
        let code = try #require(lines.first { $0.hasPrefix("    ") && $0.count == 13 }).trimmingCharacters(in: .whitespaces)
        let confirmed = try await Self.run(["confirm", code, "--home", home])
        #expect(confirmed.status == 0, "\(confirmed.standardError)")
        // The two waiting messages and the confirmation e-mail itself.
        #expect(confirmed.standardOutput.contains("fetched 3 new messages"), "\(confirmed.standardOutput)")
        let folder = home + "/Maildir/.Linked.Carol/cur"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).count == 3)
        #expect(try bench.messageCount(of: linked) == 3, "copies stay on the server")

        let accounts = try await Self.run(["accounts", "--home", home])
        #expect(accounts.standardOutput.contains("folder Linked/Carol  marker purple  copies kept  confirmed"))
        let identities = try await Self.run(["identities", "--home", home, "--default", linked.address])
        #expect(identities.standardOutput.contains("* \(linked.address)"))

        let subject = "sent-as-\(marker)"
        let composed = try await Self.run(["compose", "--home", home, "--to", linked.address, "--subject", subject])
        #expect(composed.status == 0, "\(composed.standardError)")
        let sent = try await Self.waitForMessage(in: linked, containing: subject)
        #expect(sent.contains("From: \(linked.address)"))

        let synced = try await Self.run(["sync", "--home", home, "--once"])
        #expect(synced.status == 0, "\(synced.standardError)")
        #expect(synced.standardOutput.contains("\(linked.address): fetched 1 new messages"))

        let updated = try await Self.run(["update", linked.address, "--home", home, "--marker", "teal"])
        #expect(updated.standardOutput.contains("marker teal"))
        let resent = try await Self.run(["resend", linked.address, "--home", home])
        #expect(resent.status == 1)
        let unlinked = try await Self.run(["unlink", linked.address, "--home", home, "--delete-mail"])
        #expect(unlinked.status == 0, "\(unlinked.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test("settings found only in DNS are printed with their source and no password is sent without --accept-discovered")
    func discoveredNeedsApproval() async throws {
        let bench = try TestbedEnvironment.required()
        let primary = try bench.claimUser("alice")
        let linked = try bench.claimUser("carol")
        let work = NSTemporaryDirectory() + "linkmail-interop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Data((primary.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/primary"))
        try Data((linked.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/linked"))
        _ = try await Self.run([
            "init", "--home", work + "/home", "--primary", primary.address, "--server",
            "\(bench.host):\(bench.submissionPort)", "--security", "starttls", "--ca", bench.caFile, "--password-file",
            work + "/primary",
        ])
        let logBefore = (try? String(contentsOfFile: bench.values["MAILLINK_DOVECOT_LOG"] ?? "", encoding: .utf8))?.count ?? 0
        let added = try await Self.run([
            "add", "carol@direct.test", "--home", work + "/home", "--password-file", work + "/linked", "--dns",
            "\(bench.dns.host):\(bench.dns.port)", "--ca", bench.caFile, "--timeout", "10",
        ])
        #expect(added.status == 1, "\(added.standardOutput)\n\(added.standardError)")
        #expect(added.standardError.contains("need your approval"), "\(added.standardError)")
        #expect(added.standardError.contains("DNS") || added.standardError.contains("SRV"), "\(added.standardError)")
        let log = (try? String(contentsOfFile: bench.values["MAILLINK_DOVECOT_LOG"] ?? "", encoding: .utf8)) ?? ""
        #expect(!log.dropFirst(logBefore).contains("carol@direct.test"), "no sign-in was attempted")
    }
}

import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import Synchronization
import TestbedSupport
import Testing

/// An IMAP account linked end to end against the bench: the sign-in tested over IMAPS with
/// Dovecot, the account stored as IMAP, confirmed, INBOX synced with PEEK, and then a message
/// submitted to Postfix arriving by itself through the scheduler's IDLE push.
///
/// Uses the bench user `leo` only (the confirmation is captured in memory, not sent).
@Suite(
    "Interop: linking an IMAP account against Dovecot and Postfix",
    .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropIMAPLinkTests {
    /// Keeps the confirmation e-mail instead of sending it.
    final class CapturingSender: MailSending, Sendable {
        private let messages = Mutex<[[UInt8]]>([])
        var last: String? { messages.withLock { $0.last.map { String(decoding: $0, as: UTF8.self) } } }
        func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
            messages.withLock { $0.append(message) }
            return SMTPSendResult(recipients: [], finalReply: SMTPReply(code: 250, lines: ["OK"]))
        }
    }

    @Test(
        "link over IMAPS, confirm, sync INBOX once with \\Seen untouched; then IDLE push brings a message sent through Postfix"
    )
    func linkSyncAndPush() async throws {
        let bench = try TestbedEnvironment.required()
        let leo = try bench.claimUser("leo")
        let port = try #require(bench.imapsPort)
        try bench.removeAllMessages(of: leo)
        defer { try? bench.removeAllMessages(of: leo) }
        for index in 1...3 {
            let id = InteropPOP3Fixtures.messageID("imap-link-\(index)")
            _ = try bench.deliver(
                Data(InteropPOP3Fixtures.text(id: id, subject: "waiting \(index)", lines: ["body \(index)"])), to: leo)
        }
        let directory = NSTemporaryDirectory() + "maillink-imap-link-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await MaildirStore.open(at: directory + "/Maildir")
        let policy = TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile])
        let sender = CapturingSender()
        var configuration = try AccountLinker.Configuration.files(
            directory: directory + "/home", primaryAddress: try EmailAddress("primary@example.org"),
            confirmationSender: sender, confirmationBaseURL: "https://mail.example.test/confirm", store: store)
        configuration.tlsPolicy = policy
        configuration.timeouts = .all(.seconds(30))
        let linker = AccountLinker(configuration: configuration)

        var options = AccountLinker.LinkOptions(
            incoming: ServerSettings(host: bench.host, port: port, security: .tls, user: leo.address),
            destination: .folder(try Folder(["Linked", "Leo"])))
        options.incomingProtocol = .imap
        var steps: [LinkStep] = []
        for await step in await linker.link(
            address: try EmailAddress(leo.address), secret: .password(leo.password), options: options)
        {
            steps.append(step)
        }
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("linking did not finish: \(steps)")
            return
        }
        let accounts = try String(contentsOfFile: directory + "/home/accounts.json", encoding: .utf8)
        #expect(accounts.contains("\"incomingProtocol\" : \"imap\""))
        let text = try #require(sender.last).replacingOccurrences(of: "=\r\n", with: "")
        let link = try #require(
            text.split(whereSeparator: \.isWhitespace).first {
                $0.hasPrefix("https://mail.example.test/confirm?token=")
            })
        let account = try await linker.confirm(String(link))
        await linker.waitForPendingSyncs()
        #expect(try await store.messages(in: account.folder).count == 3)
        // PEEK: Dovecot still has them unseen (new/ in its Maildir, no S flag).
        let newOnServer = (try? FileManager.default.contentsOfDirectory(atPath: leo.maildir + "/new")) ?? []
        let curOnServer = (try? FileManager.default.contentsOfDirectory(atPath: leo.maildir + "/cur")) ?? []
        let seen = curOnServer.filter { $0.components(separatedBy: ":2,").dropFirst().first?.contains("S") ?? false }
        #expect(newOnServer.count + curOnServer.count == 3 && seen.isEmpty)

        let scheduler = try await linker.startScheduler(policy: SyncPolicy.fixed(.seconds(3600)), jitter: { 0 })
        let events = await linker.syncEvents()
        let pushed = Task {
            for await event in events { if case .finished(let report) = event.kind, report.fetched > 0 { return true } }
            return false
        }
        try await Task.sleep(for: .seconds(2))  // the first check and the watcher's IDLE
        let submission = SMTPMailSender(
            endpoint: Endpoint(host: bench.host, port: bench.submissionPort, security: .startTLS),
            credentials: Credentials(user: leo.address, secret: .password(leo.password)), tlsPolicy: policy)
        let id = InteropPOP3Fixtures.messageID("imap-push")
        _ = try await submission.send(
            envelope: try SMTPEnvelope(from: leo.address, to: [leo.address]),
            message: InteropPOP3Fixtures.text(id: id, subject: "pushed", lines: ["pushed"]))
        let arrived = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await pushed.value }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            pushed.cancel()
            return first
        }
        #expect(arrived, "the message sent through Postfix was not synced within 60 s with checks an hour apart")
        #expect(try await store.messages(in: account.folder).count == 4)
        await scheduler.stop()
        await store.close()
    }
}

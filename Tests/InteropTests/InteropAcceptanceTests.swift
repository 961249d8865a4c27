import AccountLinking
import FolderRouting
import MailAuth
import Foundation
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import TestbedSupport
import Testing

/// The four acceptance criteria against real servers: Dovecot holds the linked mailbox (bob),
/// Postfix is the primary's outgoing server (alice submits), and MailLink links, confirms,
/// syncs and sends as bob.
@Suite("Interop: acceptance criteria against Dovecot and Postfix", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropAcceptanceTests {
    private func waitForMessage(in user: TestbedUser, containing text: String, bench: TestbedEnvironment) async throws -> [UInt8] {
        for _ in 0..<100 {
            for sub in ["new", "cur"] {
                let directory = user.maildir + "/" + sub
                for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                    if let data = FileManager.default.contents(atPath: directory + "/" + name),
                        String(decoding: data, as: UTF8.self).contains(text)
                    {
                        return Array(data)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no message containing \(text) reached \(user.address)")
        return []
    }

    @Test("linked mail lands in the chosen folder; the confirmation arrives and confirms; send as works; copies stay")
    func acceptance() async throws {
        let bench = try TestbedEnvironment.required()
        let primary = try bench.claimUser("alice")
        let linked = try bench.claimUser("bob")
        try bench.removeAllMessages(of: linked)
        let originals = (1...3).map { index in
            Array("From: someone@example.org\r\nTo: \(linked.address)\r\nSubject: waiting \(index)\r\nMessage-ID: <waiting-\(index)-\(UUID().uuidString)@example.org>\r\n\r\n.line with a dot\r\nbody \(index)\r\n".utf8)
        }
        for message in originals { _ = try bench.deliver(Data(message), to: linked) }

        let directory = NSTemporaryDirectory() + "maillink-acceptance-\(UUID().uuidString)"
        let store = try await MaildirStore.open(at: directory + "/Maildir")
        let policy = TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile])
        let opener = SessionOpener(tlsPolicy: policy, timeouts: .all(.seconds(20)))
        let submission = ServerSettings(host: bench.host, port: bench.submissionPort, security: .startTLS, user: primary.address)
        var configuration = try AccountLinker.Configuration.files(
            directory: directory, primaryAddress: try EmailAddress(primary.address),
            confirmationSender: opener.smtpSender(submission, secret: .password(primary.password)),
            confirmationBaseURL: "https://mail.example.test/confirm", store: store)
        configuration.tlsPolicy = policy
        configuration.timeouts = .all(.seconds(20))
        let linker = AccountLinker(configuration: configuration)

        let folder = try Folder(["Linked", "Bob"])
        var steps: [LinkStep] = []
        for await step in await linker.link(
            address: try EmailAddress(linked.address), secret: .password(linked.password),
            options: .init(
                incoming: ServerSettings(host: bench.host, port: bench.pop3sPort, security: .tls, user: linked.address),
                outgoing: ServerSettings(host: bench.host, port: bench.submissionPort, security: .startTLS, user: linked.address),
                destination: .folder(folder), marker: .green, copies: .keep))
        {
            steps.append(step)
        }
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("linking did not finish: \(steps)")
            return
        }

        // 2. The confirmation e-mail arrives in the linked mailbox, and its link confirms.
        let confirmation = try await waitForMessage(in: linked, containing: "https://mail.example.test/confirm?token=", bench: bench)
        let text = String(decoding: confirmation, as: UTF8.self)
        #expect(text.contains("From: MailLink <\(primary.address)>"))
        let link = try #require(text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://mail.example.test/confirm?token=") })
        let account = try await linker.confirm(String(link))
        #expect(account.status == .confirmed)
        await linker.waitForPendingSyncs()

        // 1. Mail from the linked account is in the chosen folder, byte for byte, with its marker.
        let stored = try await store.messages(in: folder)
        #expect(stored.count == 4)
        #expect(stored.allSatisfy { $0.marker == .green })
        var contents: Set<[UInt8]> = []
        for message in stored { contents.insert(try await store.read(message.id)) }
        for original in originals { #expect(contents.contains(original)) }

        // 4. Copies stay on the source server.
        #expect(try bench.messageCount(of: linked) == 4)

        // 3. Mail can be sent from the linked address (here back to itself, through its own
        // outgoing server: Postfix submission as the linked user).
        var message = try await linker.newMessage(from: try EmailAddress(linked.address))
        message.to = [try Mailbox(linked.address)]
        let marker = "sent-as-\(UUID().uuidString)"
        message.subject = marker
        message.textBody = "sent as the linked address"
        try await linker.send(message)
        let sent = String(decoding: try await waitForMessage(in: linked, containing: marker, bench: bench), as: UTF8.self)
        #expect(sent.contains("From: \(linked.address)"))
        await store.close()
    }
}

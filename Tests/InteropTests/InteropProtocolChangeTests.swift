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

/// An account linked over POP3 against the bench's Dovecot, then moved to IMAP and back with
/// ``AccountLinker/update(_:_:)``: Dovecot serves the same bytes over both protocols, so the mail
/// the old protocol imported is recognised by content and nothing comes in twice, even when too
/// few messages are left on the server for the ids to look like a wholesale change.
///
/// Uses the bench user `uma` only (the confirmation is captured in memory, not sent).
@Suite(
    "Interop: changing an account's incoming protocol against Dovecot",
    .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropProtocolChangeTests {
    @Test("POP3 to IMAP and back against Dovecot: only new mail is imported, every time")
    func pop3ToIMAPAndBack() async throws {
        let bench = try TestbedEnvironment.required()
        let uma = try bench.claimUser("uma")
        let imapsPort = try #require(bench.imapsPort)
        try bench.removeAllMessages(of: uma)
        defer { try? bench.removeAllMessages(of: uma) }
        func drop(_ label: String) throws -> String {
            let id = InteropPOP3Fixtures.messageID("protocol-change-\(label)")
            return try bench.deliver(
                Data(InteropPOP3Fixtures.text(id: id, subject: "mail \(label)", lines: ["body \(label)"])), to: uma)
        }
        var paths: [String] = []
        for index in 1...5 { paths.append(try drop("\(index)")) }

        let directory = NSTemporaryDirectory() + "maillink-protocol-change-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await MaildirStore.open(at: directory + "/Maildir")
        defer { Task { await store.close() } }
        let sender = InteropIMAPLinkTests.CapturingSender()
        var configuration = try AccountLinker.Configuration.files(
            directory: directory + "/home", primaryAddress: try EmailAddress("primary@example.org"),
            confirmationSender: sender, confirmationBaseURL: "https://mail.example.test/confirm", store: store)
        configuration.tlsPolicy = TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile])
        configuration.timeouts = .all(.seconds(30))
        let linker = AccountLinker(configuration: configuration)
        let address = try EmailAddress(uma.address)
        let pop3 = ServerSettings(host: bench.host, port: bench.pop3sPort, security: .tls, user: uma.address)
        let imap = ServerSettings(host: bench.host, port: imapsPort, security: .tls, user: uma.address)

        var steps: [LinkStep] = []
        for await step in await linker.link(
            address: address, secret: .password(uma.password), options: .init(incoming: pop3))
        {
            steps.append(step)
        }
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("linking did not finish: \(steps)")
            return
        }
        let text = try #require(sender.last).replacingOccurrences(of: "=\r\n", with: "")
        let link = try #require(
            text.split(whereSeparator: \.isWhitespace).first {
                $0.hasPrefix("https://mail.example.test/confirm?token=")
            })
        let account = try await linker.confirm(String(link))
        await linker.waitForPendingSyncs()
        #expect(try await store.messages(in: account.folder).count == 5)

        // Four of the five leave the server (read and deleted elsewhere); one new arrives.
        for path in paths.dropLast() { try FileManager.default.removeItem(atPath: Self.current(path)) }
        _ = try drop("6")
        try await linker.update(address, .init(incoming: imap, incomingProtocol: .imap))
        let overIMAP = try await linker.sync(address).get()
        #expect(overIMAP.fetched == 1 && overIMAP.recognisedByContent == 1, "\(overIMAP)")
        #expect(try await store.messages(in: account.folder).count == 6)

        _ = try drop("7")
        try await linker.update(address, .init(incoming: pop3, incomingProtocol: .pop3))
        let back = try await linker.sync(address).get()
        #expect(back.fetched == 1, "\(back)")
        #expect(back.recovered + back.recognisedByContent == 2, "\(back)")
        #expect(try await store.messages(in: account.folder).count == 7)
    }

    /// Where a message dropped into `new/` is now: Dovecot moves what a session saw into `cur/`
    /// and may add flags to the name.
    static func current(_ path: String) throws -> String {
        if FileManager.default.fileExists(atPath: path) { return path }
        let name = (path as NSString).lastPathComponent
        let maildir = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let cur = maildir + "/cur"
        guard let moved = try FileManager.default.contentsOfDirectory(atPath: cur).first(where: { $0.hasPrefix(name) })
        else { throw InteropProtocolChangeError("\(name) is neither in new/ nor in cur/") }
        return cur + "/" + moved
    }
}

struct InteropProtocolChangeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

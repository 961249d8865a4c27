import AccountLinking
import Foundation
import IMAPProtocol
import MailAuth
import MailTesting
import MailTransport
import POP3Protocol
import Testing

/// The whole-message retrieval (used for messages matched by content) that POP3 and IMAP build
/// on their chunked one: every message whole, in the order asked.
@Suite("Whole-message retrieval of POP3Mailbox and IMAPSyncMailbox")
struct WholeMessageRetrievalTests {
    static let contents: [[UInt8]] = [
        Array("Subject: one\r\n\r\nfirst\r\n".utf8),
        Array(("Subject: two\r\n\r\n" + String(repeating: "second line\r\n", count: 4000)).utf8),
        Array("Subject: three\r\n\r\nthird\r\n".utf8),
    ]

    @Test("POP3: messages 3, 1 and 2 come back whole in that order")
    func pop3() async throws {
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["ann": "pw"]))
        for (index, content) in Self.contents.enumerated() {
            server.deliver(FakePOP3Message(uid: "u\(index)", content: content), to: "ann")
        }
        let client = try await POP3Client.connect(
            to: Endpoint(host: "pop.example.net", port: 995, security: .tls), connector: server.connector)
        try await client.authenticate(Credentials(user: "ann", secret: .password("pw")))
        let mailbox = POP3Mailbox(client: client)
        _ = try await mailbox.listing()
        let messages = try await mailbox.retrieve([3, 1, 2], maximumSize: 1 << 20)
        #expect(messages == [Self.contents[2], Self.contents[0], Self.contents[1]])
        try await mailbox.finish()
    }

    @Test("IMAP: messages 3, 1 and 2 come back whole in that order")
    func imap() async throws {
        let server = FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["ann": "pw"]))
        for content in Self.contents { server.deliver(FakeIMAPMessage(content: content), to: "ann") }
        let client = try await IMAPClient.connect(
            to: Endpoint(host: "imap.example.net", port: 993, security: .tls),
            credentials: Credentials(user: "ann", secret: .password("pw")), connector: server.connector)
        let mailbox = IMAPSyncMailbox(
            client: client, selection: .inbox,
            recordPath: NSTemporaryDirectory() + "maillink-whole-\(UUID().uuidString).json")
        let listed = try await mailbox.listing()
        let byContent = Dictionary(uniqueKeysWithValues: listed.map { ($0.size, $0.number) })
        let order = [2, 0, 1].map { byContent[Self.contents[$0].count]! }
        let messages = try await mailbox.retrieve(order, maximumSize: 1 << 20)
        #expect(messages == [Self.contents[2], Self.contents[0], Self.contents[1]])
        try await mailbox.finish()
    }
}

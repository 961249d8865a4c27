import AccountLinking
import MailAuth
import MailTesting
import MailTransport
import SMTPSender
import Testing

@Suite("SessionOpener")
struct SessionOpenerTests {
    private static let user = "ann@example.net"
    private static let settings = ServerSettings(host: "smtp.example.net", port: 465, security: .tls, user: user)

    private func server(password: String = "right") -> FakeSMTPServer {
        FakeSMTPServer(configuration: .init(accounts: SASLServerAccounts(passwords: [Self.user: password])))
    }

    @Test("openSMTP signs in with the secret: the message it then sends is the account's")
    func signsIn() async throws {
        let smtp = server()
        let client = try await SessionOpener(connector: smtp.connector).openSMTP(Self.settings, secret: .password("right"))
        _ = try await client.send(
            envelope: try SMTPEnvelope(from: Self.user, to: ["bob@example.org"]),
            message: Array("Subject: hi\r\n\r\nhello\r\n".utf8))
        try await client.quit()
        #expect(smtp.receivedMessages.map(\.authenticatedUser) == [Self.user])
    }

    @Test("openSMTP with a refused secret throws the server's refusal")
    func refused() async throws {
        let smtp = server(password: "other")
        await #expect(throws: SMTPError.self) {
            _ = try await SessionOpener(connector: smtp.connector).openSMTP(Self.settings, secret: .password("right"))
        }
        #expect(smtp.receivedCommands.contains { $0.uppercased().hasPrefix("AUTH") })
    }

    @Test("openSMTP without a secret never sends AUTH")
    func noSecret() async throws {
        let smtp = server()
        let client = try await SessionOpener(connector: smtp.connector).openSMTP(Self.settings, secret: nil)
        try await client.quit()
        #expect(smtp.sessionCount == 1)
        #expect(!smtp.receivedCommands.contains { $0.uppercased().hasPrefix("AUTH") })
    }
}

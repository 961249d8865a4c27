import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

@Suite("SMTPMailSender")
struct SMTPMailSenderTests {
    static let accounts = SASLServerAccounts(passwords: ["tim": "tanstaaf"])
    let timeouts = Timeouts.all(.seconds(10))

    static func envelope(_ to: [String] = ["bob@example.org"]) -> SMTPEnvelope {
        do { return try SMTPEnvelope(from: "tim@example.com", to: to) } catch { preconditionFailure("\(error)") }
    }

    @Test("SMTPMailSender opens one session per message, with STARTTLS and AUTH")
    func mailSender() async throws {
        let server = FakeSMTPServer(configuration: .init(accounts: Self.accounts, requiresAuthentication: true))
        let sender: any MailSending = SMTPMailSender(
            endpoint: Endpoint(host: "fake", port: 587, security: .startTLS),
            credentials: Credentials(user: "tim", secret: .password("tanstaaf")), timeouts: timeouts,
            connector: server.connector)
        _ = try await sender.send(envelope: Self.envelope(), message: Array("1\r\n".utf8))
        _ = try await sender.send(envelope: Self.envelope(), message: Array("2\r\n".utf8))
        #expect(server.sessionCount == 2)
        #expect(server.receivedMessages.map(\.authenticatedUser) == ["tim", "tim"])
        #expect(server.receivedMessages.allSatisfy { $0.wasSecure })
    }
}

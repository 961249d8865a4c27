import MailAuth
import MailTesting
import MailTransport
import POP3Protocol
import SMTPSender
import Testing

@Suite("FakeNetwork")
struct FakeNetworkTests {
    private let accounts = SASLServerAccounts(passwords: ["ann@example.net": "pw"])

    @Test("each host name reaches its own fake, whatever its case; the SMTP fake takes accounts like the others")
    func routesByHost() async throws {
        let pop3 = FakePOP3Server(accounts: accounts)
        let smtp = FakeSMTPServer(accounts: accounts)
        let network = FakeNetwork(["pop.example.net": pop3.connector, "SMTP.example.net": smtp.connector()])
        let client = try await POP3Client.connect(
            to: Endpoint(host: "POP.Example.NET", port: 995, security: .tls), connector: network)
        try await client.authenticate(Credentials(user: "ann@example.net", secret: .password("pw")))
        try await client.quit()
        let sender = try await SMTPClient.connect(
            to: Endpoint(host: "smtp.example.net", port: 465, security: .tls),
            credentials: Credentials(user: "ann@example.net", secret: .password("pw")), connector: network)
        try await sender.quit()
        #expect(pop3.sessionCount == 1)
        #expect(smtp.sessionCount == 1)
        #expect(smtp.receivedCommands.contains { $0.hasPrefix("AUTH") })
    }

    @Test("an unknown host fails as DNS would; a refused port as a closed port would")
    func failures() async throws {
        let pop3 = FakePOP3Server(accounts: accounts)
        let network = FakeNetwork(["pop.example.net": pop3.connector]).refusing([110], on: "pop.example.net")
        let unknown = await #expect(throws: TransportError.self) {
            _ = try await network.connect(
                to: Endpoint(host: "pop.example.org", port: 995, security: .tls), tls: .default, timeouts: .default)
        }
        #expect(unknown?.code == .nameNotFound)
        let refused = await #expect(throws: TransportError.self) {
            _ = try await network.connect(
                to: Endpoint(host: "pop.example.net", port: 110, security: .startTLS), tls: .default, timeouts: .default)
        }
        #expect(refused?.code == .connectionRefused)
        #expect(pop3.sessionCount == 0)
    }
}

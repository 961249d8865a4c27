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
        let network = FakeNetwork(["pop.example.net": pop3.connector, "SMTP.example.net": smtp.connector])
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

    @Test("every fake has the same connector shape: `connector`, and `connector(tls:)` to make its TLS fail")
    func sameConnectorShape() async throws {
        let expired = InMemoryConnection.SimulatedTLS.fails(TransportError(.certificateExpired, "expired"))
        let connectors: [(String, any MailConnector, any MailConnector)] = [
            ("POP3", FakePOP3Server(accounts: accounts).connector, FakePOP3Server(accounts: accounts).connector(tls: expired)),
            ("IMAP", FakeIMAPServer(accounts: accounts).connector, FakeIMAPServer(accounts: accounts).connector(tls: expired)),
            ("SMTP", FakeSMTPServer(accounts: accounts).connector, FakeSMTPServer(accounts: accounts).connector(tls: expired)),
        ]
        let endpoint = Endpoint(host: "mail.example.net", port: 993, security: .tls)
        for (name, working, failing) in connectors {
            let connection = try await working.connect(to: endpoint, tls: .default, timeouts: .default)
            #expect(connection.isSecure, "\(name)")
            connection.close()
            let error = await #expect(throws: TransportError.self, "\(name)") {
                try await failing.connect(to: endpoint, tls: .default, timeouts: .default)
            }
            #expect(error?.code == .certificateExpired, "\(name)")
        }
        let lmtp = try await FakeLMTPServer().connector.connect(
            to: Endpoint(host: "lmtp.example.net", port: 24, security: .insecurePlaintext), tls: .default, timeouts: .default)
        lmtp.close()
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

import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

/// The client over real sockets and real TLS on loopback, against the fake server.
@Suite("SMTPClient over loopback TLS")
struct SMTPClientLoopbackTests {
    static let authority: TestCertificateAuthority = {
        do { return try TestCertificateAuthority() } catch { preconditionFailure("cannot create a test CA: \(error)") }
    }()
    let timeouts = Timeouts.all(.seconds(10))
    var policy: TLSPolicy { TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [Self.authority.caFile]) }

    private func roundTrip(implicitTLS: Bool) async throws {
        let server = FakeSMTPServer(
            configuration: .init(accounts: SASLServerAccounts(passwords: ["tim": "pw"]), requiresAuthentication: true))
        let listener = try LoopbackListener(certificate: try Self.authority.issue(), implicitTLS: implicitTLS)
        defer { listener.close() }
        let serving = Task { await server.serve(listener) }
        defer { serving.cancel() }
        let client = try await SMTPClient.connect(
            to: listener.endpoint(security: implicitTLS ? .tls : .startTLS),
            credentials: Credentials(user: "tim", secret: .password("pw")), tlsPolicy: policy, timeouts: timeouts)
        #expect(await client.isSecure)
        let message = Array(("Subject: big\r\n\r\n" + String(repeating: ".line of text\n", count: 20_000)).utf8)
        let result = try await client.send(
            envelope: try SMTPEnvelope(from: "tim@example.com", to: ["bob@example.org"]), message: message)
        #expect(result.acceptedRecipients.count == 1)
        try await client.quit()
        let received = try #require(server.receivedMessages.first)
        #expect(received.wasSecure)
        #expect(received.authenticatedUser == "tim")
        #expect(
            received.data
                == Array(("Subject: big\r\n\r\n" + String(repeating: ".line of text\r\n", count: 20_000)).utf8))
        #expect(server.violations.isEmpty)
    }

    @Test("implicit TLS (port 465 style) with AUTH and a 300 kB message")
    func implicitTLS() async throws { try await roundTrip(implicitTLS: true) }

    @Test("STARTTLS (port 587 style) with AUTH and a 300 kB message")
    func startTLS() async throws { try await roundTrip(implicitTLS: false) }

    @Test("an untrusted certificate after STARTTLS fails the connection; nothing secret is sent")
    func untrusted() async throws {
        let server = FakeSMTPServer(configuration: .init(accounts: SASLServerAccounts(passwords: ["tim": "pw"])))
        let listener = try server.listen(certificate: try Self.authority.issue())
        defer { listener.close() }
        let error = await #expect(throws: TransportError.self) {
            _ = try await SMTPClient.connect(
                to: listener.endpoint(security: .startTLS),
                credentials: Credentials(user: "tim", secret: .password("pw")),
                tlsPolicy: TLSPolicy(trustsSystemRoots: true), timeouts: timeouts)
        }
        #expect(error?.code == .certificateUntrusted)
        #expect(!server.receivedCommands.contains { $0.hasPrefix("AUTH") })
    }
}

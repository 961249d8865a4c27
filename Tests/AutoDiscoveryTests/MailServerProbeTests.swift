import MailTesting
import MailTransport
import Testing

@testable import AutoDiscovery

/// Fake POP3 and SMTP servers with their own few lines of parsing, on loopback with real TLS.
enum FakeMailServer {
    static func pop3(
        _ connection: any ServerSideConnection, offersSTLS: Bool = true, greeting: String = "+OK fake POP3 ready"
    ) async {
        defer { connection.close() }
        let reader = BufferedReader(connection: connection)
        do {
            try await connection.send(Array("\(greeting)\r\n".utf8))
            while true {
                let command = String(decoding: try await reader.readLine(), as: UTF8.self).uppercased()
                switch command {
                case "CAPA":
                    var lines = ["+OK capabilities", "USER", "UIDL"]
                    if connection.isSecure {
                        lines.append("SASL PLAIN CRAM-MD5")
                    } else if offersSTLS {
                        lines.append("STLS")
                    }
                    try await connection.send(Array((lines + ["."]).map { $0 + "\r\n" }.joined().utf8))
                case "STLS":
                    try await connection.send(Array("+OK begin TLS\r\n".utf8))
                    try await connection.acceptTLS()
                case "QUIT":
                    try await connection.send(Array("+OK bye\r\n".utf8))
                    return
                default:
                    try await connection.send(Array("-ERR unknown\r\n".utf8))
                }
            }
        } catch {}
    }

    static func smtp(_ connection: any ServerSideConnection) async {
        defer { connection.close() }
        let reader = BufferedReader(connection: connection)
        do {
            try await connection.send(Array("220 fake.example.test ESMTP\r\n".utf8))
            while true {
                let command = String(decoding: try await reader.readLine(), as: UTF8.self).uppercased()
                if command.hasPrefix("EHLO") {
                    let last = connection.isSecure ? "250 AUTH PLAIN LOGIN" : "250 STARTTLS"
                    try await connection.send(Array("250-fake.example.test\r\n250-PIPELINING\r\n\(last)\r\n".utf8))
                } else if command == "STARTTLS" {
                    try await connection.send(Array("220 go ahead\r\n".utf8))
                    try await connection.acceptTLS()
                } else if command == "QUIT" {
                    try await connection.send(Array("221 bye\r\n".utf8))
                    return
                } else {
                    try await connection.send(Array("502 unknown\r\n".utf8))
                }
            }
        } catch {}
    }
}

@Suite("Server probe over loopback TLS")
struct MailServerProbeTests {
    let authority: TestCertificateAuthority
    let certificate: TestCertificateAuthority.ServerCertificate
    let probe: MailServerProbe

    init() throws {
        authority = try TestCertificateAuthority()
        certificate = try authority.issue(names: ["mail.example.test"])
        probe = MailServerProbe(
            tlsPolicy: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]),
            timeouts: .all(.seconds(20)))  // generous: the answers are immediate, the machine may be loaded
    }

    func serve(
        implicitTLS: Bool, certificate: TestCertificateAuthority.ServerCertificate? = nil,
        _ handler: @escaping @Sendable (any ServerSideConnection) async -> Void
    ) throws -> (LoopbackListener, Task<Void, Never>) {
        let listener = try LoopbackListener(certificate: certificate ?? self.certificate, implicitTLS: implicitTLS)
        return (listener, Task { await listener.serve(handler) })
    }

    func candidate(
        _ listener: LoopbackListener, _ mailProtocol: DiscoveredServer.MailProtocol, _ security: Endpoint.Security
    ) -> ProbeCandidate {
        ProbeCandidate(
            mailProtocol: mailProtocol, host: "mail.example.test", addresses: ["127.0.0.1"], port: listener.port,
            security: security)
    }

    @Test("POP3 with implicit TLS: verified handshake, greeting, capabilities")
    func pop3TLS() async throws {
        let (listener, server) = try serve(implicitTLS: true) { await FakeMailServer.pop3($0) }
        defer { listener.close(); server.cancel() }
        let outcome = await probe.probe(candidate(listener, .pop3, .tls))
        #expect(outcome == .success(capabilities: ["SASL PLAIN CRAM-MD5", "UIDL", "USER"]))
    }

    @Test("POP3 with STLS: the upgrade is performed and CAPA is read again after TLS")
    func pop3STLS() async throws {
        let (listener, server) = try serve(implicitTLS: false) { await FakeMailServer.pop3($0) }
        defer { listener.close(); server.cancel() }
        guard case .success(let capabilities) = await probe.probe(candidate(listener, .pop3, .startTLS)) else {
            Issue.record("probe failed")
            return
        }
        #expect(capabilities.contains("SASL PLAIN CRAM-MD5"))
        #expect(ProbeOutcome.authentication(from: capabilities) == [.passwordEncrypted, .passwordCleartext])
    }

    @Test("IMAP with implicit TLS and with STARTTLS: greeting, CAPABILITY read after TLS, AUTH= as mechanisms")
    func imap() async throws {
        var configuration = FakeIMAPConfiguration()
        configuration.offersStartTLS = true
        configuration.saslMechanisms = ["PLAIN", "SCRAM-SHA-256"]
        let server = FakeIMAPServer(configuration: configuration, accounts: SASLServerAccounts(passwords: [:]))
        let implicit = try server.listen(certificate: certificate, implicitTLS: true)
        defer { implicit.close() }
        guard case .success(let capabilities) = await probe.probe(candidate(implicit, .imap, .tls)) else {
            Issue.record("IMAPS probe failed")
            return
        }
        #expect(capabilities.contains("PLAIN") && capabilities.contains("IMAP4REV1"), "\(capabilities)")
        #expect(ProbeOutcome.authentication(from: capabilities) == [.passwordEncrypted, .passwordCleartext])
        let upgraded = try server.listen(certificate: certificate, implicitTLS: false)
        defer { upgraded.close() }
        guard case .success(let afterTLS) = await probe.probe(candidate(upgraded, .imap, .startTLS)) else {
            Issue.record("STARTTLS probe failed")
            return
        }
        #expect(!afterTLS.contains("STARTTLS") && afterTLS.contains("PLAIN"), "\(afterTLS)")
        #expect(server.receivedCommands.contains { $0.uppercased().hasSuffix("STARTTLS") })
    }

    @Test("a server without STLS fails a STARTTLS candidate instead of staying in plaintext")
    func pop3WithoutSTLS() async throws {
        let (listener, server) = try serve(implicitTLS: false) { await FakeMailServer.pop3($0, offersSTLS: false) }
        defer { listener.close(); server.cancel() }
        guard case .failure(let error) = await probe.probe(candidate(listener, .pop3, .startTLS)) else {
            Issue.record("accepted a server without STLS")
            return
        }
        #expect(error.detail.contains("STLS"))
    }

    @Test("a certificate for another host fails the probe and says so")
    func wrongCertificate() async throws {
        let other = try authority.issue(names: ["other.example.test"])
        let (listener, server) = try serve(implicitTLS: true, certificate: other) { await FakeMailServer.pop3($0) }
        defer { listener.close(); server.cancel() }
        guard case .failure(let error) = await probe.probe(candidate(listener, .pop3, .tls)) else {
            Issue.record("accepted a wrong certificate")
            return
        }
        #expect(error.code == .certificateRejected)
        #expect(
            error.detail.contains(other.fingerprint.description),
            "the fingerprint lets a UI offer an explicit exception")
    }

    @Test("a greeting that is not +OK fails the probe")
    func badGreeting() async throws {
        let (listener, server) = try serve(implicitTLS: true) {
            await FakeMailServer.pop3($0, greeting: "* OK IMAP ready")
        }
        defer { listener.close(); server.cancel() }
        guard case .failure = await probe.probe(candidate(listener, .pop3, .tls)) else {
            Issue.record("accepted an IMAP greeting")
            return
        }
    }

    @Test("SMTP with STARTTLS: EHLO, upgrade, EHLO again with AUTH")
    func smtpSTARTTLS() async throws {
        let (listener, server) = try serve(implicitTLS: false) { await FakeMailServer.smtp($0) }
        defer { listener.close(); server.cancel() }
        guard case .success(let keywords) = await probe.probe(candidate(listener, .smtp, .startTLS)) else {
            Issue.record("probe failed")
            return
        }
        #expect(keywords.contains("AUTH PLAIN LOGIN"))
    }

    @Test("nothing listening is a network failure")
    func refused() async throws {
        let refusing = RefusingPort()
        let port = refusing.port
        let outcome = await probe.probe(
            ProbeCandidate(
                mailProtocol: .pop3, host: "mail.example.test", addresses: ["127.0.0.1"], port: port, security: .tls))
        guard case .failure(let error) = outcome else {
            Issue.record("connected to a closed port")
            return
        }
        #expect(error.code == .network)
        withExtendedLifetime(refusing) {}
    }
}

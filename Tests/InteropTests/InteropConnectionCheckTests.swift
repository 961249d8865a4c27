import Foundation
import AccountLinking
import MailAuth
import MailTesting
import MailTransport
import TestbedSupport
import Testing

/// The troubleshooting checklist against the bench's real servers: every step passing against
/// Dovecot and Postfix, then each way a real server fails (a certificate for another host, an
/// expired or self-signed one, a refused and a black-holed port, no STLS, a wrong password) with
/// Dovecot's own words.
@Suite("Interop: the connection checklist against Dovecot and Postfix", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropConnectionCheckTests {
    private static let timeouts = Timeouts(connect: .seconds(1), read: .seconds(20), write: .seconds(20))

    private func check(
        _ bench: TestbedEnvironment, host: String, port: Int, security: Endpoint.Security, user: String,
        protocol incoming: IncomingProtocol = .pop3, outgoing: ServerSettings? = nil
    ) -> ConnectionCheck {
        var check = ConnectionCheck(
            incoming: ServerSettings(host: host, port: port, security: security, user: user), outgoing: outgoing,
            tlsPolicy: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile]), timeouts: Self.timeouts)
        check.incomingProtocol = incoming
        return check
    }

    private func run(_ check: ConnectionCheck, password: String) async -> (steps: [String], diagnosis: LinkDiagnosis?) {
        let (steps, diagnosis) = await check.run(secret: .password(password))
        return (steps.map(\.description), diagnosis)
    }

    @Test("every step passes against Dovecot (POP3S, IMAPS) and Postfix (submission), and the TLS step shows the bench certificate")
    func passes() async throws {
        let bench = try TestbedEnvironment.required()
        let quinn = try bench.claimUser("quinn")
        let outgoing = ServerSettings(host: bench.host, port: bench.submissionPort, security: .startTLS, user: quinn.address)
        let pop3 = await run(
            check(bench, host: bench.host, port: bench.pop3sPort, security: .tls, user: quinn.address, outgoing: outgoing),
            password: quinn.password)
        #expect(pop3.diagnosis == nil, "\(pop3.steps)")
        #expect(pop3.steps.allSatisfy { $0.hasPrefix("PASS") }, "\(pop3.steps)")
        let tls = try #require(pop3.steps.first { $0.hasPrefix("PASS POP3 TLS") })
        #expect(tls.contains("SHA-256 \(bench.serverCertificateSHA256)"), "\(tls)")
        #expect(tls.contains("issued by"))
        for name in bench.tlsNames.prefix(2) { #expect(tls.contains(name), "\(name) missing from \(tls)") }
        #expect(pop3.steps.contains { $0.hasPrefix("PASS SMTP send as: the server would take mail from \(quinn.address)") })

        let imapsPort = try #require(bench.imapsPort)
        let imap = await run(
            check(bench, host: bench.host, port: imapsPort, security: .tls, user: quinn.address, protocol: .imap),
            password: quinn.password)
        #expect(imap.diagnosis == nil, "\(imap.steps)")
        #expect(imap.steps.contains { $0.hasPrefix("PASS IMAP mailbox: INBOX has") }, "\(imap.steps)")
    }

    @Test("a certificate for another host, an expired and a self-signed one fail the TLS step saying exactly what is wrong")
    func badCertificates() async throws {
        let bench = try TestbedEnvironment.required()
        let user = try bench.claimUser("quinn")
        let wrong = await run(
            check(bench, host: bench.wrongHost.host, port: bench.wrongHost.port, security: .tls, user: user.address),
            password: user.password)
        #expect(wrong.diagnosis?.stage == .tls)
        #expect(
            wrong.steps.last?.hasPrefix(
                "FAIL POP3 TLS and greeting: the certificate was issued for \(bench.wrongHostName), not for \(bench.wrongHost.host)")
                == true, "\(wrong.steps)")

        let expired = await run(
            check(bench, host: bench.expired.host, port: bench.expired.port, security: .tls, user: user.address),
            password: user.password)
        #expect(expired.diagnosis?.stage == .tls)
        #expect(expired.steps.last?.hasPrefix("FAIL POP3 TLS and greeting: the certificate expired on ") == true, "\(expired.steps)")
        #expect(expired.steps.last?.contains("2021 GMT") == true)

        let selfSigned = await run(
            check(bench, host: bench.selfSigned.host, port: bench.selfSigned.port, security: .tls, user: user.address),
            password: user.password)
        #expect(selfSigned.steps.last?.contains("the certificate is self-signed") == true, "\(selfSigned.steps)")
        #expect(selfSigned.steps.last?.contains("SHA-256 \(bench.selfSignedSHA256)") == true)
        for result in [wrong, expired, selfSigned] {
            #expect(!result.steps.contains { $0.contains("login") }, "no password after a failed TLS step: \(result.steps)")
        }
    }

    @Test("a refused port and a black-holed port fail the TCP step, told apart in words")
    func refusedAndBlackholed() async throws {
        let bench = try TestbedEnvironment.required()
        let user = try bench.claimUser("quinn")
        let refused = await run(
            check(bench, host: bench.refused.host, port: bench.refused.port, security: .tls, user: user.address),
            password: user.password)
        #expect(refused.diagnosis?.stage == .connection)
        #expect(refused.steps.contains { $0.hasPrefix("FAIL POP3 TCP connect: refused: the host answers, but nothing listens on port \(bench.refused.port)") }, "\(refused.steps)")

        let silent = await run(
            check(bench, host: bench.blackhole.host, port: bench.blackhole.port, security: .tls, user: user.address),
            password: user.password)
        #expect(silent.diagnosis?.stage == .timeout)
        #expect(silent.steps.contains { $0.hasPrefix("FAIL POP3 TCP connect: no answer within 1 s") && $0.contains("firewall") }, "\(silent.steps)")
    }

    @Test("a server without STLS or STARTTLS fails that step and no password is sent (Dovecot logs no login)")
    func noSTLS() async throws {
        let bench = try TestbedEnvironment.required()
        let user = try bench.claimUser("quinn")
        let host = try #require(bench.noTLSHost)
        let pop3 = await run(check(bench, host: host, port: bench.pop3Port, security: .startTLS, user: user.address), password: user.password)
        #expect(pop3.diagnosis?.stage == .startTLS, "\(pop3.steps)")
        #expect(pop3.diagnosis?.suggestion.contains("995") == true)
        let imapPort = try #require(bench.imapPort)
        let imap = await run(
            check(bench, host: host, port: imapPort, security: .startTLS, user: user.address, protocol: .imap), password: user.password)
        #expect(imap.diagnosis?.stage == .startTLS, "\(imap.steps)")
        let log = (try? String(contentsOfFile: bench.values["MAILLINK_DOVECOT_LOG"] ?? "", encoding: .utf8)) ?? ""
        #expect(!log.split(separator: "\n").contains { $0.contains(user.address) && $0.contains(host) }, "no sign-in reached Dovecot on \(host)")
    }

    @Test("a wrong password fails the login step with Dovecot's own words, for POP3 and IMAP")
    func wrongPassword() async throws {
        let bench = try TestbedEnvironment.required()
        let user = try bench.claimUser("quinn")
        let pop3 = await run(check(bench, host: bench.host, port: bench.pop3sPort, security: .tls, user: user.address), password: "wrong")
        #expect(pop3.diagnosis?.stage == .authentication)
        #expect(pop3.diagnosis?.serverText == "Authentication failed.", "\(String(describing: pop3.diagnosis))")
        #expect(pop3.steps.last?.hasPrefix("FAIL POP3 login") == true, "\(pop3.steps)")
        #expect(pop3.diagnosis?.isTransient == false)

        let imapsPort = try #require(bench.imapsPort)
        let imap = await run(
            check(bench, host: bench.host, port: imapsPort, security: .tls, user: user.address, protocol: .imap), password: "wrong")
        #expect(imap.diagnosis?.stage == .authentication)
        #expect(imap.diagnosis?.serverText?.contains("Authentication failed") == true, "\(String(describing: imap.diagnosis))")
        #expect(imap.steps.last?.hasPrefix("FAIL IMAP login") == true, "\(imap.steps)")
    }
}

@testable import AccountLinking
import MailAuth
import MailTesting
import MailTransport
import Testing

/// Every step of the checklist failing on its own, against the fakes: the step that fails, its
/// words, and the stage of the diagnosis.
@Suite("ConnectionCheck: each step's failure")
struct ConnectionCheckStepTests {
    private static let user = "ann@example.net"
    private static let authority: TestCertificateAuthority = {
        do { return try TestCertificateAuthority() } catch { preconditionFailure("cannot create a test CA: \(error)") }
    }()

    private func pop3(_ change: (inout FakePOP3Configuration) -> Void = { _ in }) -> FakePOP3Server {
        var configuration = FakePOP3Configuration()
        change(&configuration)
        return FakePOP3Server(configuration: configuration, accounts: SASLServerAccounts(passwords: [Self.user: "pw"]))
    }

    private func check(
        _ server: FakePOP3Server, port: Int = 995, security: Endpoint.Security = .tls, secret: String? = "pw"
    ) async -> (steps: [String], diagnosis: LinkDiagnosis?) {
        let check = ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: port, security: security, user: Self.user),
            connector: server.connector)
        let (steps, diagnosis) = await check.run(secret: secret.map { .password($0) })
        return (steps.map(\.description), diagnosis)
    }

    /// The check of a fake POP3 server over real loopback TLS with `certificate`.
    private func checkOverTLS(
        _ certificate: TestCertificateAuthority.ServerCertificate, host: String = "127.0.0.1"
    ) async throws -> (steps: [String], diagnosis: LinkDiagnosis?) {
        let server = pop3()
        let listener = try server.listen(certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let check = ConnectionCheck(
            incoming: ServerSettings(host: host, port: listener.port, security: .tls, user: Self.user),
            tlsPolicy: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [Self.authority.caFile]),
            timeouts: .all(.seconds(30)))
        let (steps, diagnosis) = await check.run(secret: .password("pw"))
        return (steps.map(\.description), diagnosis)
    }

    @Test("a verified TLS step lists the certificate: its names, issuer, dates and fingerprint")
    func tlsPassShowsCertificate() async throws {
        let certificate = try Self.authority.issue(names: ["localhost", "127.0.0.1"])
        let (steps, diagnosis) = try await checkOverTLS(certificate)
        #expect(diagnosis == nil, "\(steps)")
        let tls = try #require(steps.first { $0.hasPrefix("PASS POP3 TLS") })
        for fact in ["(names localhost, 127.0.0.1)", "issued by CN=MailLink Test CA", "valid from", "until", "\(certificate.fingerprint)"] {
            #expect(tls.contains(fact), "\(fact) missing from \(tls)")
        }
        #expect(steps.map { String($0.prefix(4)) } == ["PASS", "PASS", "PASS", "PASS", "PASS", "PASS"], "\(steps)")
    }

    @Test("an expired certificate fails the TLS step with the date it expired, and the certificate")
    func expiredCertificate() async throws {
        let certificate = try Self.authority.issue(validity: -86400 * 30 ..< -86400)
        let (steps, diagnosis) = try await checkOverTLS(certificate)
        #expect(diagnosis?.stage == .tls)
        let failed = try #require(steps.last)
        #expect(failed.hasPrefix("FAIL POP3 TLS and greeting: the certificate expired on "), "\(steps)")
        #expect(failed.contains("SHA-256 \(certificate.fingerprint)"))
        #expect(diagnosis?.suggestion.contains("renew") == true)
        #expect(!steps.contains { $0.contains("login") }, "no sign-in after a failed TLS step")
    }

    @Test("a certificate for other names fails the TLS step naming both the names and the host")
    func wrongNames() async throws {
        let (steps, diagnosis) = try await checkOverTLS(try Self.authority.issue(names: ["mail.other.example"]), host: "localhost")
        #expect(diagnosis?.stage == .tls)
        #expect(steps.last?.hasPrefix("FAIL POP3 TLS and greeting: the certificate was issued for mail.other.example, not for localhost") == true, "\(steps)")
    }

    @Test("a server that leaves out its intermediate certificate is named as such")
    func missingIntermediate() async throws {
        let (steps, diagnosis) = try await checkOverTLS(try Self.authority.issue(chain: .intermediateLeftOut))
        #expect(diagnosis?.stage == .tls)
        #expect(steps.last?.contains("without the intermediate certificate") == true, "\(steps)")
        #expect(diagnosis?.suggestion.contains("full certificate chain") == true)
    }

    @Test("a greeting that refuses service fails the greeting step with the server's words")
    func greetingRefused() async {
        let (steps, diagnosis) = await check(pop3 { $0.faults = [.refuse(verb: "GREETING", response: "-ERR [SYS/TEMP] too many connections")] })
        #expect(diagnosis?.stage == .greeting, "\(steps)")
        #expect(diagnosis?.serverText?.contains("too many connections") == true)
        #expect(steps.last?.hasPrefix("FAIL POP3 TLS and greeting") == true)
    }

    @Test("a server without STLS on port 110 fails the STLS step; nothing is sent in the clear")
    func stlsMissing() async {
        let server = pop3 { $0.offersSTLS = false }
        let (steps, diagnosis) = await check(server, port: 110, security: .startTLS)
        #expect(diagnosis?.stage == .startTLS, "\(steps)")
        #expect(!server.receivedCommands.contains { $0.hasPrefix("USER") || $0.hasPrefix("PASS") || $0.hasPrefix("AUTH") })
    }

    @Test("a wrong password fails the login step with the server's words; the mailbox step does not run")
    func wrongPassword() async {
        let (steps, diagnosis) = await check(pop3(), secret: "wrong")
        #expect(diagnosis?.stage == .authentication)
        #expect(steps.last?.hasPrefix("FAIL POP3 login") == true, "\(steps)")
        #expect(!steps.contains { $0.contains("POP3 mailbox") })
        #expect(diagnosis?.suggestion.contains("app password") == true)
    }

    @Test("provider texts are typed: POP switched off, web sign-in, app password")
    func providerTexts() async {
        let disabled = await check(pop3 { $0.faults = [.refuse(verb: "PASS", response: "-ERR Your account is not enabled for POP access.")] })
        #expect(disabled.diagnosis?.stage == .popDisabled)
        #expect(disabled.diagnosis?.serverText == "Your account is not enabled for POP access.")
        #expect(disabled.diagnosis?.suggestion.contains("enable POP") == true)

        let web = await check(pop3 { $0.faults = [.refuse(verb: "PASS", response: "-ERR [AUTH] Web login required: https://support.example/web")] })
        #expect(web.diagnosis?.stage == .authentication)
        #expect(web.diagnosis?.suggestion.contains("web site") == true)

        let app = await check(pop3 { $0.faults = [.refuse(verb: "PASS", response: "-ERR [AUTH] Application-specific password required")] })
        #expect(app.diagnosis?.stage == .authentication)
        #expect(app.diagnosis?.suggestion.contains("create an app password") == true)
    }

    @Test("throttling answers are 'wait and retry', never 'wrong password'")
    func throttling() async {
        for response in ["-ERR [LOGIN-DELAY] logged in too recently", "-ERR [IN-USE] mailbox locked by another session"] {
            let (steps, diagnosis) = await check(pop3 { $0.faults = [.refuse(verb: "PASS", response: response)] })
            #expect(diagnosis?.stage == .mailboxLocked, "\(steps)")
            #expect(diagnosis?.isTransient == true)
            #expect(diagnosis?.suggestion.contains("password") == false, "\(diagnosis?.suggestion ?? "")")
        }
    }

    @Test("a refused STAT fails the mailbox step after a passed login")
    func mailboxRefused() async {
        let (steps, diagnosis) = await check(pop3 { $0.faults = [.refuse(verb: "STAT", response: "-ERR [SYS/TEMP] maildrop busy")] })
        #expect(steps.contains { $0.hasPrefix("PASS POP3 login") }, "\(steps)")
        #expect(steps.last?.hasPrefix("FAIL POP3 mailbox") == true)
        #expect(diagnosis?.serverText == "maildrop busy")
        #expect(diagnosis?.isTransient == true)
    }

    @Test("the IMAP checklist: STARTTLS missing, a refused login with its response code, a refused STATUS")
    func imapSteps() async {
        func imap(_ change: (inout FakeIMAPConfiguration) -> Void) -> FakeIMAPServer {
            var configuration = FakeIMAPConfiguration()
            change(&configuration)
            return FakeIMAPServer(configuration: configuration, accounts: SASLServerAccounts(passwords: [Self.user: "pw"]))
        }
        func run(_ server: FakeIMAPServer, port: Int = 993, security: Endpoint.Security = .tls, secret: String = "pw") async
            -> (steps: [String], diagnosis: LinkDiagnosis?)
        {
            var check = ConnectionCheck(
                incoming: ServerSettings(host: "imap.example.net", port: port, security: security, user: Self.user),
                connector: server.connector)
            check.incomingProtocol = .imap
            let (steps, diagnosis) = await check.run(secret: .password(secret))
            return (steps.map(\.description), diagnosis)
        }
        let noStartTLS = await run(imap { $0.offersStartTLS = false }, port: 143, security: .startTLS)
        #expect(noStartTLS.diagnosis?.stage == .startTLS, "\(noStartTLS.steps)")

        let wrong = await run(imap { _ in }, secret: "wrong")
        #expect(wrong.diagnosis?.stage == .authentication)
        #expect(wrong.steps.last?.hasPrefix("FAIL IMAP login") == true, "\(wrong.steps)")
        #expect(wrong.diagnosis.map { !$0.summary.contains("IMAPError") } == true, "no Swift type names: \(wrong.diagnosis?.summary ?? "")")

        let disabled = await run(imap { $0.faults = [.refuse(command: "AUTHENTICATE", response: "NO [ALERT] IMAP access is disabled for your domain")] })
        #expect(disabled.diagnosis?.stage == .popDisabled, "\(disabled.steps)")
        #expect(disabled.diagnosis?.suggestion.contains("enable IMAP") == true)

        let status = await run(imap { $0.faults = [.refuse(command: "STATUS", response: "NO [UNAVAILABLE] backend down")] })
        #expect(status.steps.last?.hasPrefix("FAIL IMAP mailbox") == true, "\(status.steps)")
        #expect(status.diagnosis?.isTransient == true)
    }
}

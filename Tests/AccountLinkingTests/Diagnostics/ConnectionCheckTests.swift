@testable import AccountLinking
import MailAuth
import MailTesting
import MailTransport
import Synchronization
import Testing

@Suite("ConnectionCheck")
struct ConnectionCheckTests {
    /// A check of the fixture's POP3 fake over plaintext, allowed for the test.
    private func plaintextCheck(_ fixture: LinkerFixture) -> ConnectionCheck {
        ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: 110, security: .insecurePlaintext, user: LinkerFixture.linked),
            connector: fixture.server.connector, allowInsecureAuthentication: true)
    }

    @Test("an unencrypted connection fails the check even when sign-in and the mailbox pass")
    func plaintextFailsTheCheck() async throws {
        let fixture = try LinkerFixture()
        let check = plaintextCheck(fixture)
        let diagnosis = await check.run(secret: .password(LinkerFixture.password)) { _ in }
        #expect(diagnosis?.stage == .tls)
    }

    @Test("a wrong password is reported at the sign-in step")
    func wrongPasswordFailsSignIn() async throws {
        let fixture = try LinkerFixture()
        let check = plaintextCheck(fixture)
        let diagnosis = await check.run(secret: .password("wrong")) { _ in }
        #expect(diagnosis?.stage == .authentication)
    }

    @Test("without a secret the sign-in is skipped, never attempted, and the steps before it still run")
    func noSecretSkipsSignIn() async throws {
        let fixture = try LinkerFixture()
        let check = plaintextCheck(fixture)
        let steps = Mutex<[ConnectionCheck.Step]>([])
        _ = await check.run(secret: nil) { step in steps.withLock { $0.append(step) } }
        let names = steps.withLock { $0 }.map(\.description)
        #expect(names.contains { $0.hasPrefix("PASS POP3 greeting") })
        #expect(names.contains { $0.hasPrefix("SKIP POP3 login") })
        #expect(!names.contains { $0.hasPrefix("PASS POP3 mailbox") })
        let signIns = fixture.server.receivedCommands.filter { ["USER", "PASS", "AUTH", "APOP"].contains($0.split(separator: " ").first.map { $0.uppercased() }) }
        #expect(signIns.isEmpty)
    }

    /// A check of both servers: the fixture's POP3 fake over TLS and an SMTP fake that knows the
    /// same account, each reached the way the linker reaches them.
    private func bothServers(_ fixture: LinkerFixture, smtp: FakeSMTPServer) -> ConnectionCheck {
        ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: LinkerFixture.linked),
            outgoing: ServerSettings(host: "smtp.example.net", port: 465, security: .tls, user: LinkerFixture.linked),
            connector: RoutingConnector(pop3: fixture.server.connector, smtp: smtp.connector))
    }

    @Test("the outgoing server is checked through the same opener: greeting, then sign-in with the server's words")
    func outgoingServer() async throws {
        let fixture = try LinkerFixture()
        let smtp = FakeSMTPServer(configuration: .init(accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password])))
        let steps = Mutex<[String]>([])
        let passed = await bothServers(fixture, smtp: smtp).run(secret: .password(LinkerFixture.password)) { step in
            steps.withLock { $0.append(step.description) }
        }
        #expect(passed == nil, "\(steps.withLock { $0 })")
        #expect(steps.withLock { $0 }.contains { $0.hasPrefix("PASS SMTP login") })
        #expect(steps.withLock { $0 }.contains { $0.hasPrefix("PASS SMTP send as: the server would take mail from \(LinkerFixture.linked)") })
        #expect(smtp.receivedMessages.isEmpty, "the dry run sent nothing")
        #expect(smtp.receivedCommands.contains("RSET"))

        let strict = FakeSMTPServer(configuration: .init(
            accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]),
            faults: [.refuseSender(LinkerFixture.linked, reply: "553 5.7.1 Sender address rejected: not owned by user")]))
        let refusedSender = await bothServers(fixture, smtp: strict).run(secret: .password(LinkerFixture.password))
        #expect(refusedSender.diagnosis?.summary.contains("sender refused") == true, "\(String(describing: refusedSender.diagnosis))")
        #expect(refusedSender.diagnosis?.serverText?.contains("not owned by user") == true)
        #expect(refusedSender.steps.last?.description.hasPrefix("FAIL SMTP send as") == true)

        let wrongSMTP = FakeSMTPServer(configuration: .init(accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: "other"])))
        let failed = await bothServers(fixture, smtp: wrongSMTP).run(secret: .password(LinkerFixture.password)) { _ in }
        #expect(failed?.stage == .authentication)

        let untouched = FakeSMTPServer(configuration: .init(accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: "x"])))
        let skipped = Mutex<[String]>([])
        _ = await bothServers(fixture, smtp: untouched).run(secret: nil) { step in skipped.withLock { $0.append(step.description) } }
        #expect(skipped.withLock { $0 }.contains { $0.hasPrefix("SKIP SMTP login") })
        #expect(untouched.sessionCount == 1)
        #expect(!untouched.receivedCommands.contains { $0.uppercased().hasPrefix("AUTH") })
    }
}

@Suite("ConnectionCheck: the other standard port, and what a failed connect means")
struct ConnectionCheckPortTests {
    private static let user = "ann@example.net"

    @Test("a refused port 995: port 110 with STLS is tried without credentials, and the diagnosis says to use it")
    func otherPortWorks() async throws {
        var configuration = FakePOP3Configuration()
        configuration.offersSTLS = true
        let pop3 = FakePOP3Server(configuration: configuration, accounts: SASLServerAccounts(passwords: [Self.user: "pw"]))
        let network = FakeNetwork(["pop.example.net": pop3.connector]).refusing([995], on: "pop.example.net")
        let check = ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: Self.user), connector: network)
        let (steps, diagnosis) = await check.run(secret: .password("pw"))
        #expect(diagnosis?.stage == .connection)
        #expect(steps.last?.description.hasPrefix("PASS POP3 port 110 with STLS") == true, "\(steps)")
        #expect(diagnosis?.suggestion.hasPrefix("pop.example.net works on port 110 with STLS") == true)
        #expect(!pop3.receivedCommands.contains { $0.hasPrefix("USER") || $0.hasPrefix("PASS") || $0.hasPrefix("AUTH") })
    }

    @Test("both standard ports failing: the other port's step fails too and the diagnosis is the first port's")
    func otherPortFails() async throws {
        let pop3 = FakePOP3Server(accounts: SASLServerAccounts(passwords: [Self.user: "pw"]))
        let network = FakeNetwork(["pop.example.net": pop3.connector]).refusing([995, 110], on: "pop.example.net")
        let check = ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: Self.user), connector: network)
        let (steps, diagnosis) = await check.run(secret: .password("pw"))
        #expect(steps.last?.description.hasPrefix("FAIL POP3 port 110 with STLS: does not work either") == true, "\(steps)")
        #expect(diagnosis?.suggestion.contains("works on") == false)
    }

    @Test("a refusal, silence and a reset are told apart in words")
    func connectFailures() {
        let refused = ConnectionCheck.connectFailure(TransportError(.connectionRefused), port: 995, within: .seconds(15))
        let silent = ConnectionCheck.connectFailure(TransportError(.timedOut), port: 995, within: .seconds(15))
        let reset = ConnectionCheck.connectFailure(TransportError(.closedByPeer), port: 995, within: .seconds(15))
        #expect(refused?.contains("nothing listens on port 995") == true)
        #expect(silent?.contains("firewall") == true)
        #expect(reset?.contains("cuts connections") == true)
        #expect(ConnectionCheck.otherStandardPort(
            of: ServerSettings(host: "h", port: 587, security: .startTLS, user: "u"), label: "SMTP")?.port == 465)
        #expect(ConnectionCheck.otherStandardPort(
            of: ServerSettings(host: "h", port: 21995, security: .tls, user: "u"), label: "POP3") == nil)
    }
}

import AccountLinking
import MailAuth
import MailTesting
import MailTransport
import Synchronization
import Testing

@Suite("ConnectionCheck")
struct ConnectionCheckTests {
    @Test("an unencrypted connection fails the check even when sign-in and the mailbox pass")
    func plaintextFailsTheCheck() async throws {
        let fixture = try LinkerFixture()
        let check = ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: 110, security: .insecurePlaintext, user: LinkerFixture.linked),
            connector: fixture.server.connector, allowInsecureAuthentication: true)
        let diagnosis = await check.run(secret: .password(LinkerFixture.password)) { _ in }
        #expect(diagnosis?.stage == .tls)
    }

    @Test("a wrong password is reported at the sign-in step")
    func wrongPasswordFailsSignIn() async throws {
        let fixture = try LinkerFixture()
        let check = ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: 110, security: .insecurePlaintext, user: LinkerFixture.linked),
            connector: fixture.server.connector, allowInsecureAuthentication: true)
        let diagnosis = await check.run(secret: .password("wrong")) { _ in }
        #expect(diagnosis?.stage == .authentication)
    }

    @Test("without a secret the sign-in is skipped, never attempted, and the steps before it still run")
    func noSecretSkipsSignIn() async throws {
        let fixture = try LinkerFixture()
        let check = ConnectionCheck(
            incoming: ServerSettings(host: "pop.example.net", port: 110, security: .insecurePlaintext, user: LinkerFixture.linked),
            connector: fixture.server.connector, allowInsecureAuthentication: true)
        let steps = Mutex<[ConnectionCheck.Step]>([])
        _ = await check.run(secret: nil) { step in steps.withLock { $0.append(step) } }
        let names = steps.withLock { $0 }.map(\.description)
        #expect(names.contains { $0.hasPrefix("PASS POP3 greeting") })
        #expect(names.contains { $0.hasPrefix("SKIP POP3 login") })
        #expect(!names.contains { $0.hasPrefix("PASS POP3 mailbox") })
        let signIns = fixture.server.receivedCommands.filter { ["USER", "PASS", "AUTH", "APOP"].contains($0.split(separator: " ").first.map { $0.uppercased() }) }
        #expect(signIns.isEmpty)
    }
}

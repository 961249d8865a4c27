import AccountLinking
import MailAuth
import MailTesting
import MailTransport
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
}

import MailAuth
import Testing

@Suite("Credentials")
struct CredentialsTests {
    struct ProviderFailure: Error {}

    @Test("never shows the password or token in description, debugDescription or dump")
    func redaction() {
        let password = Credentials(user: "someone@example.com", secret: .password("hunter2-secret"))
        let token = Credentials(user: "someone@example.com", secret: .oauth2(.fixed("ya29.secret-token")))
        for credentials in [password, token] {
            var dumped = ""
            dump(credentials, to: &dumped)
            for text in [
                credentials.description, credentials.debugDescription, "\(credentials)",
                String(reflecting: credentials), dumped,
            ] {
                #expect(!text.contains("hunter2") && !text.contains("ya29"), "leaked in: \(text)")
                #expect(text.contains("someone@example.com"))
            }
        }
        #expect(password.description == "Credentials(user: someone@example.com, secret: password(<redacted>))")
        #expect(SASLSecret.accessToken("ya29.secret").description == "accessToken(<redacted>)")
    }

    @Test("asks the token provider again with refresh = true")
    func refresh() async throws {
        let provider = OAuth2TokenProvider { refresh in refresh ? "fresh-token" : "stale-token" }
        let credentials = Credentials(user: "u@example.com", secret: .oauth2(provider))
        var first = try await credentials.makeMechanism(.xoauth2)
        #expect(try first.start() == utf8("user=u@example.com\u{01}auth=Bearer stale-token\u{01}\u{01}"))
        var second = try await credentials.makeMechanism(.xoauth2, refreshingToken: true)
        #expect(try second.start() == utf8("user=u@example.com\u{01}auth=Bearer fresh-token\u{01}\u{01}"))
    }

    @Test("wraps a failing token provider as a transient tokenUnavailable error")
    func providerFails() async {
        let credentials = Credentials(user: "u", secret: .oauth2(OAuth2TokenProvider { _ in throw ProviderFailure() }))
        let error = await #expect(throws: MailAuthError.self) { _ = try await credentials.makeMechanism(.oauthBearer) }
        #expect(error?.code == .tokenUnavailable)
        #expect(error?.isTransient == true)
        #expect(error?.underlyingError is ProviderFailure)
    }

    @Test("refuses to build a password mechanism from a token provider")
    func mismatch() async {
        let credentials = Credentials(user: "u", secret: .oauth2(.fixed("t")))
        let error = await #expect(throws: MailAuthError.self) { _ = try await credentials.makeMechanism(.plain) }
        #expect(error?.code == .credentialMismatch)
    }
}

@Suite("Mechanism redaction")
struct MechanismRedactionTests {
    @Test("no mechanism, session or HMAC prints its secret")
    func mechanismsRedact() {
        let values: [Any] = [
            PlainMechanism(user: "tim", password: "hunter2"),
            LoginMechanism(user: "tim", password: "hunter2"),
            CRAMMD5Mechanism(user: "tim", password: "hunter2"),
            SCRAMMechanism(variant: .sha256, user: "tim", password: "hunter2"),
            XOAUTH2Mechanism(user: "tim", accessToken: "hunter2"),
            OAuthBearerMechanism(user: "tim", accessToken: "hunter2"),
            SASLClientSession(mechanism: PlainMechanism(user: "tim", password: "hunter2")),
            HMAC<SHA256>(key: Array("hunter2".utf8)),
        ]
        for value in values {
            var dumped = ""
            dump(value, to: &dumped)
            for text in ["\(value)", String(reflecting: value), dumped] {
                #expect(!text.contains("hunter2") && !text.contains("104, 117, 110"), "leaked in: \(text)")
            }
        }
        #expect("\(PlainMechanism(user: "tim", password: "hunter2"))" == "PlainMechanism(PLAIN, <redacted>)")
    }
}

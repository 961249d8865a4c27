import MailAuth
import Testing

@Suite("SASL mechanism selection")
struct SASLMechanismSelectorTests {
    let secure = SASLMechanismSelector(isConnectionSecure: true)
    let insecure = SASLMechanismSelector(isConnectionSecure: false)

    @Test(
        "prefers SCRAM-SHA-256 > SCRAM-SHA-1 > CRAM-MD5 > PLAIN > LOGIN for passwords, case-insensitively",
        arguments: [
            (["PLAIN", "LOGIN", "SCRAM-SHA-1", "scram-sha-256", "CRAM-MD5"], SASLMechanismKind.scramSHA256),
            (["PLAIN", "LOGIN", "SCRAM-SHA-1", "CRAM-MD5"], .scramSHA1),
            (["PLAIN", "LOGIN", "cram-md5"], .cramMD5),
            (["LOGIN", "PLAIN", "XOAUTH2"], .plain),
            (["LOGIN", "GSSAPI"], .login),
        ])
    func passwordOrder(offered: [String], expected: SASLMechanismKind) throws {
        #expect(try secure.choose(from: offered, for: .password) == expected)
    }

    @Test("prefers OAUTHBEARER over XOAUTH2 for tokens")
    func tokenOrder() throws {
        #expect(try secure.choose(from: ["XOAUTH2", "OAUTHBEARER", "PLAIN"], for: .oauth2) == .oauthBearer)
        #expect(try secure.choose(from: ["XOAUTH2", "PLAIN"], for: .oauth2) == .xoauth2)
    }

    @Test("never picks a cleartext mechanism on an unencrypted connection")
    func insecureConnection() throws {
        expectError(.cleartextOnInsecureConnection) {
            _ = try insecure.choose(from: ["PLAIN", "LOGIN"], for: .password)
        }
        expectError(.cleartextOnInsecureConnection) { _ = try insecure.choose(from: ["XOAUTH2"], for: .oauth2) }
        #expect(try insecure.choose(from: ["PLAIN", "CRAM-MD5"], for: .password) == .cramMD5)
    }

    @Test("uses a cleartext mechanism on an unencrypted connection only when explicitly allowed")
    func explicitlyAllowed() throws {
        let allowing = SASLMechanismSelector(isConnectionSecure: false, allowInsecureCleartext: true)
        #expect(allowing.permitsCleartext && secure.permitsCleartext && !insecure.permitsCleartext)
        #expect(try allowing.choose(from: ["PLAIN", "LOGIN"], for: .password) == .plain)
    }

    @Test("says why nothing fits: a token but no OAuth mechanism, or nothing known offered")
    func noneFits() {
        let error = #expect(throws: MailAuthError.self) {
            _ = try secure.choose(from: ["PLAIN", "LOGIN"], for: .oauth2)
        }
        #expect(error?.code == .noSuitableMechanism)
        #expect(error?.detail.contains("PLAIN LOGIN") == true)
        expectError(.noSuitableMechanism) { _ = try secure.choose(from: [], for: .password) }
        expectError(.noSuitableMechanism) { _ = try secure.choose(from: ["GSSAPI", "NTLM"], for: .password) }
    }

    @Test("builds the chosen mechanism, refusing the wrong kind of secret")
    func factory() throws {
        #expect(
            try SASLMechanismKind.scramSHA256.makeMechanism(user: "u", secret: .password("p")).name == "SCRAM-SHA-256")
        #expect(try SASLMechanismKind.xoauth2.makeMechanism(user: "u", secret: .accessToken("t")).name == "XOAUTH2")
        for kind in SASLMechanismKind.allCases {
            let secret: SASLSecret = kind.credentialKind == .password ? .password("p") : .accessToken("t")
            #expect(try kind.makeMechanism(user: "u", secret: secret).name == kind.rawValue)
        }
        expectError(.credentialMismatch) {
            _ = try SASLMechanismKind.plain.makeMechanism(user: "u", secret: .accessToken("t"))
        }
        expectError(.credentialMismatch) {
            _ = try SASLMechanismKind.oauthBearer.makeMechanism(user: "u", secret: .password("p"))
        }
    }
}

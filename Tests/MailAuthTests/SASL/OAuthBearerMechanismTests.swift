import MailAuth
import Testing

@Suite("OAUTHBEARER mechanism")
struct OAuthBearerMechanismTests {
    @Test("reproduces the RFC 7628 §4.1 initial response")
    func rfc7628() throws {
        var mechanism = OAuthBearerMechanism(
            user: "user@example.com", accessToken: "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==",
            host: "server.example.com", port: 143)
        let response = try #require(try mechanism.start())
        #expect(
            SASLCodec.encode(response)
                == "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2c9PQEB"
        )
    }

    @Test("answers the RFC 7628 §4.3 error challenge with %x01")
    func errorChallenge() throws {
        var mechanism = OAuthBearerMechanism(user: "user@example.com", accessToken: "token")
        _ = try mechanism.start()
        let challenge = try SASLCodec.decode(
            "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="
        )
        guard case .acknowledgeError(let response, let error) = try mechanism.respond(to: challenge) else {
            Issue.record("expected an acknowledged error")
            return
        }
        #expect(response == [0x01])
        #expect(error.status == "invalid_token")
        #expect(error.openIDConfiguration == "https://example.com/.well-known/openid-configuration")
        #expect(!error.isInsufficientScope)
    }

    @Test("escapes ',' and '=' in the authorization identity and refuses \\u{01}")
    func injection() throws {
        var escaped = OAuthBearerMechanism(user: "a,b=c", accessToken: "t")
        #expect(try escaped.start() == utf8("n,a=a=2Cb=3Dc,\u{01}auth=Bearer t\u{01}\u{01}"))
        var forged = OAuthBearerMechanism(user: "u", accessToken: "t\u{01}host=evil")
        expectError(.invalidCredentialCharacters) { _ = try forged.start() }
    }
}

import MailAuth
import Testing

@Suite("XOAUTH2 mechanism")
struct XOAUTH2MechanismTests {
    static let googleExample =
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="

    func mechanism() -> XOAUTH2Mechanism {
        XOAUTH2Mechanism(user: "someuser@example.com", accessToken: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
    }

    @Test("sends Google's documented initial response")
    func googleForm() throws {
        var mechanism = mechanism()
        let response = try #require(try mechanism.start())
        #expect(SASLCodec.encode(response) == Self.googleExample)
    }

    @Test("sends the same message after an empty '+' challenge in Microsoft's POP3 form")
    func microsoftForm() throws {
        var mechanism = mechanism()
        #expect(try mechanism.start(initialResponseAllowed: false) == nil)
        #expect(try mechanism.respond(to: []) == .respond(try SASLCodec.decode(Self.googleExample)))
    }

    @Test("acknowledges the JSON error challenge with an empty response and reports its status")
    func errorChallenge() throws {
        var mechanism = mechanism()
        _ = try mechanism.start()
        let challenge = try SASLCodec.decode(
            "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==")
        let step = try mechanism.respond(to: challenge)
        let expected = OAuth2ErrorChallenge(status: "401", scope: "https://mail.google.com/", schemes: "bearer")
        #expect(step == .acknowledgeError(response: [], error: expected))
        expectError(.unexpectedChallenge) { _ = try mechanism.respond(to: []) }
    }

    @Test("still acknowledges an error challenge that is not JSON")
    func nonJSONError() throws {
        var mechanism = mechanism()
        _ = try mechanism.start()
        #expect(
            try mechanism.respond(to: [0xff, 0x00])
                == .acknowledgeError(response: [], error: OAuth2ErrorChallenge(status: nil)))
    }

    @Test("refuses a \\u{01} in the user name or token, which would forge fields")
    func injection() {
        var mechanism = XOAUTH2Mechanism(user: "a@b.c\u{01}auth=Bearer x", accessToken: "t")
        expectError(.invalidCredentialCharacters) { _ = try mechanism.start() }
    }
}

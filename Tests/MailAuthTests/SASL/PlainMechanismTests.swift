import MailAuth
import Testing

@Suite("PLAIN mechanism")
struct PlainMechanismTests {
    @Test("sends NUL user NUL password as the initial response (RFC 4616 §2)")
    func initialResponse() throws {
        var mechanism = PlainMechanism(user: "tim", password: "tanstaaftanstaaf")
        let response = try #require(try mechanism.start())
        #expect(SASLCodec.encode(response) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
    }

    @Test("carries an authorization identity before the first NUL")
    func authorizationIdentity() throws {
        var mechanism = PlainMechanism(user: "admin", password: "pw", authorizationIdentity: "someone")
        #expect(try mechanism.start() == utf8("someone\0admin\0pw"))
    }

    @Test("answers an empty challenge when the initial response could not be sent")
    func afterEmptyChallenge() throws {
        var mechanism = PlainMechanism(user: "tim", password: "pw")
        #expect(try mechanism.start(initialResponseAllowed: false) == nil)
        #expect(try mechanism.respond(to: []) == .respond(utf8("\0tim\0pw")))
        expectError(.unexpectedChallenge) { _ = try mechanism.respond(to: []) }
    }

    @Test("refuses a NUL inside the user name or password instead of shifting the fields")
    func refusesNUL() {
        var mechanism = PlainMechanism(user: "tim\0admin", password: "pw")
        expectError(.invalidCredentialCharacters) { _ = try mechanism.start() }
        var other = PlainMechanism(user: "tim", password: "p\0w")
        expectError(.invalidCredentialCharacters) { _ = try other.start() }
    }

    @Test("treats any challenge after the initial response as an error")
    func unexpectedChallenge() throws {
        var mechanism = PlainMechanism(user: "tim", password: "pw")
        _ = try mechanism.start()
        expectError(.unexpectedChallenge) { _ = try mechanism.respond(to: utf8("more?")) }
    }
}

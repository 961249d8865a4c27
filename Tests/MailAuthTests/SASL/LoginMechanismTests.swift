import MailAuth
import Testing

@Suite("LOGIN mechanism")
struct LoginMechanismTests {
    @Test("answers the user-name prompt then the password prompt, whatever their wording")
    func prompts() throws {
        var mechanism = LoginMechanism(user: "tim", password: "tanstaaf")
        #expect(mechanism.hasInitialResponse == false)
        #expect(try mechanism.start() == nil)
        #expect(try mechanism.respond(to: try SASLCodec.decode("VXNlcm5hbWU6")).responseText == "tim")
        #expect(try mechanism.respond(to: utf8("Password")).responseText == "tanstaaf")
    }

    @Test("rejects a third prompt")
    func thirdPrompt() throws {
        var mechanism = LoginMechanism(user: "tim", password: "pw")
        _ = try mechanism.respond(to: utf8("Username:"))
        _ = try mechanism.respond(to: utf8("Password:"))
        expectError(.unexpectedChallenge) { _ = try mechanism.respond(to: utf8("Again:")) }
    }
}

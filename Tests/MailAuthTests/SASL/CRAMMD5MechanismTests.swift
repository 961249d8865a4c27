import MailAuth
import Testing

@Suite("CRAM-MD5 mechanism")
struct CRAMMD5MechanismTests {
    @Test("reproduces the RFC 2195 §2 example")
    func rfc2195() throws {
        var mechanism = CRAMMD5Mechanism(user: "tim", password: "tanstaaftanstaaf")
        #expect(try mechanism.start() == nil)
        let challenge = try SASLCodec.decode("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")
        let step = try mechanism.respond(to: challenge)
        #expect(step.responseText == "tim b913a602c7eda7a495b4e6e7334d3890")
        #expect(step == .respond(try SASLCodec.decode("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")))
    }

    @Test("rejects an empty challenge and a second challenge")
    func malformed() throws {
        var mechanism = CRAMMD5Mechanism(user: "tim", password: "pw")
        expectError(.malformedServerMessage) { _ = try mechanism.respond(to: []) }
        _ = try mechanism.respond(to: utf8("<1.2@host>"))
        expectError(.unexpectedChallenge) { _ = try mechanism.respond(to: utf8("<3.4@host>")) }
    }
}

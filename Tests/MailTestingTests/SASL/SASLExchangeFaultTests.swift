import MailAuth
import MailTesting
import Testing

@Suite("SASL exchange faults")
struct SASLExchangeFaultTests {
    @Test("a challenge that is not base64 is an error before the mechanism sees it")
    func notBase64() {
        let error = #expect(throws: MailAuthError.self) { _ = try SASLCodec.decode("+OK this is not base64") }
        #expect(error?.code == .invalidBase64)
    }

    @Test("a SCRAM server-first message that is not UTF-8 fails the client")
    func notUTF8() {
        var client = SCRAMMechanism(variant: .sha256, user: "user", password: "pencil")
        var server = SASLScriptedServer(challenge: [0xc3, 0x28, 0x2c])
        var exchange = SASLExchange()
        let error = #expect(throws: MailAuthError.self) { _ = try exchange.run(client: &client, server: &server) }
        #expect(error?.code == .invalidUTF8)
    }

    @Test("a server that keeps challenging PLAIN fails the client instead of looping")
    func endlessChallenges() {
        var client = PlainMechanism(user: "tim", password: "pw")
        var server = SASLScriptedServer(challenge: Array("again".utf8))
        var exchange = SASLExchange()
        let error = #expect(throws: MailAuthError.self) { _ = try exchange.run(client: &client, server: &server) }
        #expect(error?.code == .unexpectedChallenge)
    }
}

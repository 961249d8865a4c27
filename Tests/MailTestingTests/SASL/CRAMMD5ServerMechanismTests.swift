import MailAuth
import MailTesting
import Testing

@Suite("CRAM-MD5 server mechanism")
struct CRAMMD5ServerMechanismTests {
    static let rfcChallenge = "<1896.697170952@postoffice.reston.mci.net>"

    func server() -> CRAMMD5ServerMechanism {
        CRAMMD5ServerMechanism(challenge: Self.rfcChallenge) { $0 == "tim" ? "tanstaaftanstaaf" : nil }
    }

    @Test("reproduces the RFC 2195 §2 exchange from the server side")
    func rfc2195() {
        var server = server()
        #expect(server.start(initialResponse: nil) == .challenge(Array(Self.rfcChallenge.utf8)))
        #expect(server.respond(Array("tim b913a602c7eda7a495b4e6e7334d3890".utf8)) == .success(user: "tim"))
    }

    @Test("accepts MailAuth's client with a random challenge")
    func client() throws {
        var client = CRAMMD5Mechanism(user: "tim", password: "tanstaaftanstaaf")
        var server = try #require(
            SASLServerAccounts(passwords: ["tim": "tanstaaftanstaaf"]).makeMechanism(named: "CRAM-MD5"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &server) == .success(user: "tim"))
    }

    @Test("refuses a wrong password, an unknown user and malformed responses")
    func failures() throws {
        var client = CRAMMD5Mechanism(user: "tim", password: "wrong")
        var wrongServer = server()
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &wrongServer) == .failure(.invalidCredentials))
        for response in ["tom b913a602c7eda7a495b4e6e7334d3890", "timb913a602c7eda7a495b4e6e7334d3890", "tim b913", ""]
        {
            var fresh = server()
            _ = fresh.start(initialResponse: nil)
            #expect(fresh.respond(Array(response.utf8)) != .success(user: "tim"))
        }
        var inline = server()
        #expect(inline.start(initialResponse: [0x41]) == .failure(.malformedResponse))
    }
}

import MailAuth
import MailTesting
import Testing

@Suite("PLAIN server mechanism")
struct PlainServerMechanismTests {
    let accounts = SASLServerAccounts(passwords: ["tim": "tanstaaftanstaaf"])

    func server() throws -> any SASLServerMechanism { try #require(accounts.makeMechanism(named: "plain")) }

    @Test("accepts the client's initial response, and the same after an empty challenge")
    func success() throws {
        for inline in [true, false] {
            var client = PlainMechanism(user: "tim", password: "tanstaaftanstaaf")
            var server = try server()
            var exchange = SASLExchange()
            #expect(
                try exchange.run(client: &client, server: &server, initialResponseAllowed: inline)
                    == .success(user: "tim"))
            #expect(exchange.clientLines.last == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
        }
    }

    @Test("refuses a wrong password and an unknown user")
    func wrongCredentials() throws {
        for (user, password) in [("tim", "wrong"), ("nobody", "tanstaaftanstaaf")] {
            var client = PlainMechanism(user: user, password: password)
            var server = try server()
            var exchange = SASLExchange()
            #expect(try exchange.run(client: &client, server: &server) == .failure(.invalidCredentials))
        }
    }

    @Test("refuses malformed messages and proxy authorization")
    func malformed() throws {
        var server = try server()
        #expect(server.start(initialResponse: Array("tim\0tanstaaftanstaaf".utf8)) == .failure(.malformedResponse))
        server = try self.server()
        #expect(server.start(initialResponse: Array("admin\0tim\0tanstaaftanstaaf".utf8)) == .failure(.unsupported))
        server = try self.server()
        #expect(server.start(initialResponse: [0, 0xff, 0, 0x41]) == .failure(.malformedResponse))
    }
}

import MailAuth
import MailTesting
import Testing

@Suite("LOGIN server mechanism")
struct LoginServerMechanismTests {
    let accounts = SASLServerAccounts(passwords: ["tim": "tanstaaf"])

    @Test("prompts for user name and password and accepts the right ones")
    func success() throws {
        var client = LoginMechanism(user: "tim", password: "tanstaaf")
        var server = try #require(accounts.makeMechanism(named: "LOGIN"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &server) == .success(user: "tim"))
        #expect(exchange.serverLines == ["VXNlcm5hbWU6", "UGFzc3dvcmQ6"])
        #expect(exchange.clientLines == ["dGlt", "dGFuc3RhYWY="])
    }

    @Test("refuses a wrong password")
    func wrongPassword() throws {
        var client = LoginMechanism(user: "tim", password: "nope")
        var server = try #require(accounts.makeMechanism(named: "LOGIN"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &server) == .failure(.invalidCredentials))
    }

    @Test("takes a user name sent as an initial response")
    func userInline() throws {
        var server = try #require(accounts.makeMechanism(named: "LOGIN"))
        #expect(server.start(initialResponse: Array("tim".utf8)) == .challenge(Array("Password:".utf8)))
        #expect(server.respond(Array("tanstaaf".utf8)) == .success(user: "tim"))
    }
}

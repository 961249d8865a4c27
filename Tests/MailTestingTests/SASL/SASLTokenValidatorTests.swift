import MailAuth
import MailTesting
import Testing

@Suite("Token validation hook of the fake servers' OAuth mechanisms")
struct SASLTokenValidatorTests {
    /// Accepts "issued" for alice only.
    let accounts = SASLServerAccounts(
        tokens: ["bob@example.com": "table-token"],
        tokenValidator: { user, token in
            token == "issued" && (user ?? "alice@example.com") == "alice@example.com" ? "alice@example.com" : nil
        })

    @Test("XOAUTH2 asks the validator, one-step and two-step, after the token table")
    func xoauth2() throws {
        for (user, token, inline) in [
            ("alice@example.com", "issued", true), ("alice@example.com", "issued", false),
            ("bob@example.com", "table-token", false),
        ] {
            var client = XOAUTH2Mechanism(user: user, accessToken: token)
            var server = try #require(accounts.makeMechanism(named: "XOAUTH2"))
            var exchange = SASLExchange()
            #expect(
                try exchange.run(client: &client, server: &server, initialResponseAllowed: inline)
                    == .success(user: user))
        }
        var wrongUser = XOAUTH2Mechanism(user: "bob@example.com", accessToken: "issued")
        var server = try #require(accounts.makeMechanism(named: "XOAUTH2"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &wrongUser, server: &server) == .failure(.invalidCredentials))
    }

    @Test("OAUTHBEARER without a user name takes the validator's user")
    func oauthBearer() throws {
        var server = try #require(accounts.makeMechanism(named: "OAUTHBEARER"))
        let message = Array("n,,\u{01}auth=Bearer issued\u{01}\u{01}".utf8)
        #expect(server.start(initialResponse: message) == .success(user: "alice@example.com"))
    }
}

import MailAuth
import MailTesting
import Testing

@Suite("OAUTHBEARER server mechanism")
struct OAuthBearerServerMechanismTests {
    let accounts = SASLServerAccounts(tokens: ["someone@example.com": "good-token", "a,b=c@example.com": "other"])

    @Test("accepts the right token, with the initial response or after an empty challenge")
    func success() throws {
        for inline in [true, false] {
            var client = OAuthBearerMechanism(
                user: "someone@example.com", accessToken: "good-token", host: "mail.example", port: 995)
            var server = try #require(accounts.makeMechanism(named: "oauthbearer"))
            var exchange = SASLExchange()
            #expect(
                try exchange.run(client: &client, server: &server, initialResponseAllowed: inline)
                    == .success(user: "someone@example.com"))
        }
    }

    @Test("unescapes the authorization identity")
    func escapedUser() throws {
        var client = OAuthBearerMechanism(user: "a,b=c@example.com", accessToken: "other")
        var server = try #require(accounts.makeMechanism(named: "OAUTHBEARER"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &server) == .success(user: "a,b=c@example.com"))
    }

    @Test("answers a wrong token with the JSON error, which the client acknowledges with %x01")
    func rejected() throws {
        var client = OAuthBearerMechanism(user: "someone@example.com", accessToken: "expired")
        var server = try #require(accounts.makeMechanism(named: "OAUTHBEARER"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &server) == .failure(.invalidCredentials))
        #expect(exchange.clientLines.last == "AQ==")
        #expect(exchange.acknowledgedError?.status == "invalid_token")
    }

    @Test("refuses malformed messages")
    func malformed() {
        for message in [
            "n,a=someone@example.com,\u{01}auth=Bearer good-token\u{01}", "x,,\u{01}auth=Bearer good-token\u{01}\u{01}",
            "n,,\u{01}auth=Basic Zm9v\u{01}\u{01}", "n,,\u{01}\u{01}",
        ] {
            var server = OAuthBearerServerMechanism(tokens: ["someone@example.com": "good-token"])
            #expect(server.start(initialResponse: Array(message.utf8)) == .failure(.malformedResponse), "\(message)")
        }
    }
}

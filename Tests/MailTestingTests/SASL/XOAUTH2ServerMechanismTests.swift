import MailAuth
import MailTesting
import Testing

@Suite("XOAUTH2 server mechanism")
struct XOAUTH2ServerMechanismTests {
    let accounts = SASLServerAccounts(tokens: ["someone@example.com": "ya29.good"])

    @Test("accepts the right token in Google's form and in Microsoft's two-step POP3 form")
    func success() throws {
        for inline in [true, false] {
            var client = XOAUTH2Mechanism(user: "someone@example.com", accessToken: "ya29.good")
            var server = try #require(accounts.makeMechanism(named: "XOAUTH2"))
            var exchange = SASLExchange()
            #expect(
                try exchange.run(client: &client, server: &server, initialResponseAllowed: inline)
                    == .success(user: "someone@example.com"))
            #expect(exchange.serverLines == (inline ? [] : [""]))
        }
    }

    @Test("answers a wrong token with the JSON error, which the client acknowledges with an empty line")
    func rejected() throws {
        var client = XOAUTH2Mechanism(user: "someone@example.com", accessToken: "ya29.expired")
        var server = try #require(accounts.makeMechanism(named: "XOAUTH2"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &server) == .failure(.invalidCredentials))
        #expect(exchange.clientLines.last == "")
        #expect(exchange.acknowledgedError?.status == "401")
        #expect(exchange.acknowledgedError?.scope == "https://mail.google.com/")
    }

    @Test("refuses malformed messages")
    func malformed() {
        for message in [
            "user=someone@example.com\u{01}auth=Bearer ya29.good\u{01}", "auth=Bearer ya29.good\u{01}\u{01}",
            "nonsense",
        ] {
            var server = XOAUTH2ServerMechanism { _ in "ya29.good" }
            #expect(server.start(initialResponse: Array(message.utf8)) == .failure(.malformedResponse), "\(message)")
        }
    }
}

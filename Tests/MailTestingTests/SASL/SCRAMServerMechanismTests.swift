import Foundation
import MailAuth
import MailTesting
import Testing

@Suite("SCRAM server mechanism")
struct SCRAMServerMechanismTests {
    let accounts = SASLServerAccounts(passwords: ["user": "pencil", "a,b=c": "pässwörd"])

    @Test(
        "authenticates MailAuth's client both ways, with and without an initial response",
        arguments: [(SCRAMMechanism.Variant.sha1, true), (.sha1, false), (.sha256, true), (.sha256, false)])
    func success(variant: SCRAMMechanism.Variant, inline: Bool) throws {
        var client = SCRAMMechanism(variant: variant, user: "user", password: "pencil")
        var server = try #require(accounts.makeMechanism(named: client.name))
        var exchange = SASLExchange()
        #expect(
            try exchange.run(client: &client, server: &server, initialResponseAllowed: inline) == .success(user: "user")
        )
        #expect(exchange.clientLines.last == "")  // the empty acknowledgement of v=
    }

    @Test("reproduces the RFC 7677 server messages given its salt and nonce")
    func rfc7677() throws {
        var server = SCRAMServerMechanism(
            variant: .sha256, salt: Array(try #require(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ=="))),
            serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        ) { $0 == "user" ? "pencil" : nil }
        #expect(
            server.start(initialResponse: Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
                == .challenge(
                    Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)
                ))
        let final =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        #expect(
            server.respond(Array(final.utf8))
                == .challenge(Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)))
        #expect(server.respond([]) == .success(user: "user"))
    }

    @Test("round-trips a user name with ',' and '=' and a non-ASCII password")
    func escaping() throws {
        var client = SCRAMMechanism(variant: .sha256, user: "a,b=c", password: "pässwörd")
        var server = try #require(accounts.makeMechanism(named: "SCRAM-SHA-256"))
        var exchange = SASLExchange()
        #expect(try exchange.run(client: &client, server: &server) == .success(user: "a,b=c"))
    }

    @Test("refuses a wrong password and an unknown user at the proof")
    func wrongCredentials() throws {
        for (user, password) in [("user", "pen"), ("nobody", "pencil")] {
            var client = SCRAMMechanism(variant: .sha1, user: user, password: password)
            var server = try #require(accounts.makeMechanism(named: "SCRAM-SHA-1"))
            var exchange = SASLExchange()
            #expect(try exchange.run(client: &client, server: &server) == .failure(.invalidCredentials))
        }
    }

    @Test("a server that forges its signature is caught by the client")
    func forgedSignature() throws {
        var client = SCRAMMechanism(variant: .sha256, user: "user", password: "pencil")
        var server = SCRAMServerMechanism(variant: .sha256) { _ in "pencil" }
        server.forgesServerSignature = true
        var exchange = SASLExchange()
        let error = #expect(throws: MailAuthError.self) { _ = try exchange.run(client: &client, server: &server) }
        #expect(error?.code == .serverSignatureMismatch)
    }

    @Test(
        "refuses malformed client-first messages and channel binding",
        arguments: [
            ("n,,r=abc", SASLServerFailure.malformedResponse),
            ("n,,n=user", .malformedResponse),
            ("n,,n=us=41er,r=abc", .malformedResponse),
            ("x,,n=user,r=abc", .malformedResponse),
            ("p=tls-unique,,n=user,r=abc", .unsupported),
            ("n,a=admin,n=user,r=abc", .unsupported),
            ("garbage", .malformedResponse),
        ])
    func malformedClientFirst(message: String, failure: SASLServerFailure) {
        var server = SCRAMServerMechanism(variant: .sha1) { _ in "pencil" }
        #expect(server.start(initialResponse: Array(message.utf8)) == .failure(failure))
    }

    @Test("refuses a client-final message with a wrong nonce or channel-binding value")
    func malformedClientFinal() {
        for final in [
            "c=biws,r=abcXYZ-wrong,p=AAAA", "c=eSws,r=abcSERVER,p=AAAA", "c=biws,r=abcSERVER",
            "c=biws,r=abcSERVER,p=!!",
        ] {
            var server = SCRAMServerMechanism(variant: .sha1, serverNonce: "SERVER") { _ in "pencil" }
            _ = server.start(initialResponse: Array("n,,n=user,r=abc".utf8))
            #expect(server.respond(Array(final.utf8)) == .failure(.malformedResponse), "\(final)")
        }
    }
}

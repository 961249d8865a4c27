import MailAuth
import Testing

@Suite("SASL client session")
struct SASLClientSessionTests {
    func sent(_ action: SASLClientSession.Action) -> String? {
        if case .send(let line) = action { return line }
        return nil
    }

    func cancelled(_ action: SASLClientSession.Action) -> MailAuthError.Code? {
        if case .cancel(let error) = action { return error.code }
        return nil
    }

    @Test("puts a short initial response on the AUTH line")
    func inline() throws {
        var session = SASLClientSession(mechanism: PlainMechanism(user: "tim", password: "tanstaaftanstaaf"))
        #expect(session.mechanismName == "PLAIN")
        #expect(try session.start(maximumInitialResponseLength: 200) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
        try session.finish(additionalData: nil)
    }

    @Test("withholds an initial response that does not fit and sends it after the empty challenge")
    func withheld() throws {
        let token = String(repeating: "x", count: 300)
        var session = SASLClientSession(mechanism: XOAUTH2Mechanism(user: "u@example.com", accessToken: token))
        #expect(try session.start(maximumInitialResponseLength: 240) == nil)
        let line = try #require(sent(session.respond(toChallenge: "")))
        #expect(try SASLCodec.decode(line) == Array("user=u@example.com\u{01}auth=Bearer \(token)\u{01}\u{01}".utf8))
        try session.finish(additionalData: nil)
    }

    @Test("fails a success reply that arrives before the withheld initial response was sent")
    func successTooEarly() throws {
        var session = SASLClientSession(mechanism: PlainMechanism(user: "tim", password: "pw"))
        #expect(try session.start(maximumInitialResponseLength: 4) == nil)
        let error = #expect(throws: MailAuthError.self) { try session.finish(additionalData: nil) }
        #expect(error?.code == .incompleteExchange)
    }

    @Test("runs the RFC 7677 SCRAM-SHA-256 exchange as base64 lines")
    func scramTranscript() throws {
        var session = SASLClientSession(
            mechanism: SCRAMMechanism(
                variant: .sha256, user: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO"))
        #expect(try session.start() == "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=")
        let serverFirst =
            "cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY="
        let final = try #require(sent(session.respond(toChallenge: serverFirst)))
        #expect(
            String(decoding: try SASLCodec.decode(final), as: UTF8.self)
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )
        #expect(
            sent(session.respond(toChallenge: "dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==")) == ""
        )
        try session.finish(additionalData: nil)
    }

    @Test("cancels when a challenge is not base64 or the mechanism rejects it")
    func cancels() throws {
        var session = SASLClientSession(mechanism: CRAMMD5Mechanism(user: "tim", password: "pw"))
        _ = try session.start()
        #expect(cancelled(session.respond(toChallenge: "not base64!")) == .invalidBase64)
        #expect(cancelled(session.respond(toChallenge: "")) == .malformedServerMessage)
    }

    @Test("remembers the OAuth error the server reported and answers it")
    func oauthError() throws {
        var session = SASLClientSession(mechanism: OAuthBearerMechanism(user: "u", accessToken: "t"))
        _ = try session.start()
        let challenge = SASLCodec.encode(Array(#"{"status":"invalid_token"}"#.utf8))
        #expect(sent(session.respond(toChallenge: challenge)) == "AQ==")
        #expect(session.oauthError?.status == "invalid_token")
    }
}

import MailAuth
import Testing

@Suite("SCRAM mechanisms")
struct SCRAMMechanismTests {
    static let sha256ServerFirst =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    static let sha1ServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"

    func sha256Mechanism() -> SCRAMMechanism {
        SCRAMMechanism(variant: .sha256, user: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
    }

    @Test("reproduces the RFC 7677 §3 SCRAM-SHA-256 exchange byte for byte")
    func rfc7677() throws {
        var mechanism = sha256Mechanism()
        #expect(mechanism.name == "SCRAM-SHA-256")
        #expect(try mechanism.start() == utf8("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
        #expect(
            try mechanism.respond(to: utf8(Self.sha256ServerFirst)).responseText
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )
        #expect(try mechanism.respond(to: utf8("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == .respond([]))
        try mechanism.finish(additionalData: nil)
    }

    @Test("reproduces the RFC 5802 §5 SCRAM-SHA-1 exchange byte for byte")
    func rfc5802() throws {
        var mechanism = SCRAMMechanism(
            variant: .sha1, user: "user", password: "pencil", clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(mechanism.name == "SCRAM-SHA-1")
        #expect(try mechanism.start() == utf8("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))
        #expect(
            try mechanism.respond(to: utf8(Self.sha1ServerFirst)).responseText
                == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        #expect(try mechanism.respond(to: utf8("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")) == .respond([]))
        try mechanism.finish(additionalData: nil)
    }

    @Test("accepts the server-final message as success data (RFC 4422 §3.6)")
    func successData() throws {
        var mechanism = sha256Mechanism()
        _ = try mechanism.start()
        _ = try mechanism.respond(to: utf8(Self.sha256ServerFirst))
        try mechanism.finish(additionalData: utf8("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
    }

    @Test("fails when the server signature is wrong")
    func wrongSignature() throws {
        var mechanism = sha256Mechanism()
        _ = try mechanism.start()
        _ = try mechanism.respond(to: utf8(Self.sha256ServerFirst))
        expectError(.serverSignatureMismatch) {
            _ = try mechanism.respond(to: utf8("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        }
        expectError(.incompleteExchange) { try mechanism.finish(additionalData: nil) }
    }

    @Test("fails when the server reports success without proving itself")
    func successWithoutSignature() throws {
        var mechanism = sha256Mechanism()
        _ = try mechanism.start()
        _ = try mechanism.respond(to: utf8(Self.sha256ServerFirst))
        expectError(.incompleteExchange) { try mechanism.finish(additionalData: nil) }
    }

    @Test("reports the server's e= error with its words")
    func serverError() throws {
        var mechanism = sha256Mechanism()
        _ = try mechanism.start()
        _ = try mechanism.respond(to: utf8(Self.sha256ServerFirst))
        let error = #expect(throws: MailAuthError.self) { _ = try mechanism.respond(to: utf8("e=invalid-proof")) }
        #expect(error?.code == .serverRejected)
        #expect(error?.serverMessage == "invalid-proof")
    }

    @Test(
        "rejects malformed server-first messages",
        arguments: [
            ("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", MailAuthError.Code.nonceMismatch),
            ("r=someoneElsesNonce123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .nonceMismatch),
            ("m=ext,r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .malformedServerMessage),
            ("r=rOprNGfwEbeRWgbNEkqOabc,i=4096", .malformedServerMessage),
            ("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many", .malformedServerMessage),
            ("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", .iterationCountOutOfRange),
            ("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000000000", .iterationCountOutOfRange),
            ("r=rOprNGfwEbeRWgbNEkqOabc,s=not base64!,i=4096", .invalidBase64),
            ("r=rOprNGfwEbeRWgbNEkqOabc,s=,i=4096", .malformedServerMessage),
            ("garbage", .malformedServerMessage),
            ("", .malformedServerMessage),
        ])
    func malformedServerFirst(message: String, code: MailAuthError.Code) throws {
        var mechanism = sha256Mechanism()
        _ = try mechanism.start()
        expectError(code) { _ = try mechanism.respond(to: utf8(message)) }
    }

    @Test("rejects a server-first message that is not UTF-8")
    func notUTF8() throws {
        var mechanism = sha256Mechanism()
        _ = try mechanism.start()
        expectError(.invalidUTF8) { _ = try mechanism.respond(to: [0x72, 0x3d, 0xff, 0xfe]) }
    }

    @Test("sends the client-first message after an empty challenge when it could not go inline")
    func noInitialResponse() throws {
        var mechanism = sha256Mechanism()
        #expect(try mechanism.start(initialResponseAllowed: false) == nil)
        #expect(try mechanism.respond(to: []).responseText == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        #expect(try mechanism.respond(to: utf8(Self.sha256ServerFirst)).responseText?.hasPrefix("c=biws,") == true)
    }

    @Test("escapes '=' and ',' in the user name so it cannot inject attributes")
    func escapesUser() throws {
        var mechanism = SCRAMMechanism(variant: .sha1, user: "a=b,r=x", password: "p", clientNonce: "abc")
        #expect(try mechanism.start() == utf8("n,,n=a=3Db=2Cr=3Dx,r=abc"))
    }

    @Test("draws a 24-character nonce from the random source")
    func randomNonce() throws {
        var mechanism = SCRAMMechanism(
            variant: .sha256, user: "user", password: "pencil",
            random: RandomBytesSource { [UInt8](repeating: 0xfb, count: $0) })
        #expect(try mechanism.start() == utf8("n,,n=user,r=+/v7+/v7+/v7+/v7+/v7+/v7"))
    }

    @Test("refuses a password with characters SASLprep prohibits")
    func prohibitedPassword() throws {
        var mechanism = SCRAMMechanism(variant: .sha256, user: "user", password: "pen\u{7}cil", clientNonce: "abc")
        _ = try mechanism.start()
        expectError(.invalidCredentialCharacters) {
            _ = try mechanism.respond(to: utf8("r=abcdef,s=QSXCR+Q6sek8bf92,i=1"))
        }
    }
}

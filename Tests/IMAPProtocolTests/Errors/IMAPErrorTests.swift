import Testing

@testable import IMAPProtocol

@Suite("IMAPError")
struct IMAPErrorTests {
    static func refusal(_ code: String?, verb: String = "SELECT", status: IMAPStatus = .no) -> IMAPError {
        IMAPError(
            refusal: status, text: IMAPResponseText(code: code.map { IMAPResponseCode(name: $0) }, text: "words"),
            verb: verb)
    }

    @Test(
        "response codes map to error codes",
        arguments: [
            ("AUTHENTICATIONFAILED", IMAPError.Code.authenticationFailed), ("UNAVAILABLE", .unavailable),
            ("LIMIT", .limit),
            ("INUSE", .inUse), ("OVERQUOTA", .overQuota), ("PRIVACYREQUIRED", .privacyRequired), ("EXPIRED", .expired),
            ("NONEXISTENT", .nonexistent), ("TRYCREATE", .nonexistent), ("NOPERM", .noPermission),
            ("CONTACTADMIN", .contactAdmin), ("AUTHORIZATIONFAILED", .authorizationFailed),
        ])
    func codes(name: String, code: IMAPError.Code) {
        #expect(Self.refusal(name).code == code)
    }

    @Test("without a code, the command decides")
    func byCommand() {
        #expect(Self.refusal(nil, verb: "LOGIN").code == .authenticationFailed)
        #expect(Self.refusal(nil, verb: "AUTHENTICATE").code == .authenticationFailed)
        #expect(Self.refusal(nil, verb: "UID FETCH").code == .commandFailed)
        #expect(Self.refusal(nil, verb: "UID FETCH", status: .bad).code == .commandRejected)
    }

    @Test("the server's words and code are kept")
    func keepsWords() {
        let error = Self.refusal("UNAVAILABLE")
        #expect(error.serverText == "words")
        #expect(error.responseCode?.name == "UNAVAILABLE")
        #expect(error.description.contains("[UNAVAILABLE]"))
        #expect(error.description.contains("words"))
    }

    @Test("transient codes are the ones worth retrying")
    func transient() {
        #expect(Self.refusal("UNAVAILABLE").isTransient)
        #expect(Self.refusal("LIMIT").isTransient)
        #expect(Self.refusal("INUSE").isTransient)
        #expect(!Self.refusal("AUTHENTICATIONFAILED").isTransient)
        #expect(!IMAPError(.malformedResponse).isTransient)
    }

    @Test("recovery suggestions speak of the provider's words when they say why")
    func suggestions() {
        let web = IMAPError(.authenticationFailed, serverText: "Please log in via your web browser")
        #expect(web.recoverySuggestion.contains("web site"))
        #expect(IMAPError(.uidValidityChanged).recoverySuggestion.contains("content"))
    }
}

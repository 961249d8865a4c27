import Testing

@testable import POP3Protocol

@Suite("POP3Error")
struct POP3ErrorTests {
    private func refusal(_ code: POP3ResponseCode?, _ command: POP3Command = .pass("x")) -> POP3Error {
        POP3Error(refusal: POP3Response(status: .error, code: code, text: "server words"), to: command)
    }

    @Test("extended response codes become typed errors that keep the server's text")
    func codes() {
        #expect(refusal(.inUse).code == .inUse)
        #expect(refusal(.loginDelay).code == .loginDelay)
        #expect(refusal(.systemTemporary).code == .temporaryFailure)
        #expect(refusal(POP3ResponseCode("SYS/TEMP/DISK")).code == .temporaryFailure)
        #expect(refusal(.systemPermanent).code == .permanentFailure)
        #expect(refusal(.authentication, .stat).code == .authenticationFailed)
        #expect(refusal(.inUse).serverText == "server words")
        #expect(refusal(.inUse).responseCode == .inUse)
    }

    @Test("without a code, the command decides")
    func byCommand() {
        #expect(refusal(nil, .pass("x")).code == .authenticationFailed)
        #expect(refusal(nil, .apop(name: "a", digest: "b")).code == .authenticationFailed)
        #expect(refusal(nil, .retr(9)).code == .commandFailed)
        #expect(refusal(nil, .quit).code == .updateFailed)
        #expect(refusal(nil, .stls).code == .stlsNotOffered)
    }

    @Test("only in-use, login-delay and temporary failures are transient")
    func transient() {
        #expect(refusal(.inUse).isTransient)
        #expect(refusal(.systemTemporary).isTransient)
        #expect(!refusal(.systemPermanent).isTransient)
        #expect(!refusal(nil).isTransient)
    }

    @Test("provider texts lead to the right suggestion")
    func providerTexts() {
        let web = POP3Error(refusal: POP3Response(status: .error, text: "[AUTH] Web login required: https://support.google.com/mail/answer/78754"), to: .pass("x"))
        #expect(web.recoverySuggestion.contains("web site"))
        #expect(web.description.contains("Web login required"))
        let disabled = POP3Error(refusal: POP3Response(status: .error, text: "Your account is not enabled for POP access."), to: .pass("x"))
        #expect(disabled.recoverySuggestion.contains("enable POP"))
    }

    @Test("the description never holds the password sent")
    func noSecret() {
        let error = POP3Error(refusal: POP3Response(status: .error, text: "bad"), to: .pass("hunter2"))
        #expect(!error.description.contains("hunter2"))
    }
}

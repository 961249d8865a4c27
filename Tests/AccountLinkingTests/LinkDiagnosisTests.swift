import AccountLinking
import MailTransport
import POP3Protocol
import Testing

@Suite("LinkDiagnosis")
struct LinkDiagnosisTests {
    @Test("transport failures name the step and keep the suggestion")
    func transport() {
        #expect(LinkDiagnosis(TransportError(.nameNotFound, "x")).stage == .nameResolution)
        #expect(LinkDiagnosis(TransportError(.connectionRefused)).stage == .connection)
        #expect(LinkDiagnosis(TransportError(.timedOut)).stage == .timeout)
        #expect(LinkDiagnosis(TransportError(.timedOut)).isTransient)
        let certificate = LinkDiagnosis(TransportError(.certificateExpired, "expired"))
        #expect(certificate.stage == .tls)
        #expect(certificate.suggestion.contains("fingerprint"))
    }

    @Test("POP3 refusals keep the server's words and recognise provider texts")
    func pop3() {
        let wrongPassword = LinkDiagnosis(POP3Error(.authenticationFailed, serverText: "Authentication failed."))
        #expect(wrongPassword.stage == .authentication)
        #expect(wrongPassword.serverText == "Authentication failed.")
        #expect(wrongPassword.description.contains("server said: Authentication failed."))
        let disabled = LinkDiagnosis(POP3Error(.authenticationFailed, serverText: "Your account is not enabled for POP access."))
        #expect(disabled.stage == .popDisabled)
        #expect(disabled.suggestion.contains("enable POP"))
        #expect(LinkDiagnosis(POP3Error(.inUse, serverText: "[IN-USE] locked")).stage == .mailboxLocked)
    }

    @Test("a response over a limit or a reset mid-session is not reported as a failed connect")
    func laterFailures() {
        #expect(LinkDiagnosis(TransportError(.responseTooLarge, "over the limit")).stage == .serverResponse)
        #expect(LinkDiagnosis(TransportError(.lineTooLong)).stage == .serverResponse)
        #expect(LinkDiagnosis(TransportError(.closedByPeer)).stage == .connection)
        #expect(LinkDiagnosis(POP3Error(.malformedResponse)).stage == .serverResponse)
    }
}

@testable import AccountLinking
import MailAuth
import MailTransport
import POP3Protocol
import SMTPSender
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

    @Test("summaries are words for people: no Swift type names from the errors' debug descriptions")
    func noTypeNames() {
        let summaries = [
            LinkDiagnosis(POP3Error(.authenticationFailed, detail: "PASS was refused", serverText: "invalid user name or password")),
            LinkDiagnosis(SMTPError(.authenticationFailed, detail: "AUTH PLAIN was refused")),
            LinkDiagnosis(SMTPError(.recipientRefused, address: "x@example.test")),
            LinkDiagnosis(TransportError(.connectionRefused, "127.0.0.1:995")),
            LinkDiagnosis(MailAuthError(.serverRejected, mechanism: "SCRAM-SHA-256", detail: "the server's proof was wrong")),
        ].map(\.summary)
        #expect(summaries == [
            "authentication failed: PASS was refused",
            "authentication failed: AUTH PLAIN was refused",
            "recipient refused <x@example.test>",
            "connection refused: 127.0.0.1:995",
            "server rejected: the server's proof was wrong",
        ])
        #expect(["startTLSNotOffered", "smtpUTF8NotSupported", "serviceUnavailable"].map(LinkDiagnosis.words) == [
            "start TLS not offered", "smtp UTF8 not supported", "service unavailable",
        ])
        let refused = LinkDiagnosis(SMTPError(
            .authenticationFailed, reply: SMTPReply(code: 535, enhancedStatus: EnhancedStatusCode(5, 7, 8), lines: ["Error: authentication failed"]),
            detail: "authentication failed: the server rejected the credentials"))
        #expect(refused.serverText == "535 5.7.8 Error: authentication failed", "the server's words as the wire read, enhanced code included")
        #expect(refused.description.hasPrefix("authentication failed: the server rejected the credentials\n"), "\(refused.description)")
        for summary in summaries {
            #expect(!summary.contains("Error"), "\(summary)")
        }
    }
}

import MailAuth
import Testing

@Suite("MailAuthError")
struct MailAuthErrorTests {
    @Test("describes code, mechanism, detail and the server's words")
    func description() {
        let error = MailAuthError(
            .serverRejected, mechanism: "SCRAM-SHA-256", detail: "rejected", serverMessage: "invalid-proof")
        #expect(error.description == "MailAuthError.serverRejected [SCRAM-SHA-256]: rejected (server: invalid-proof)")
        #expect(!error.isTransient)
        #expect(!error.recoverySuggestion.isEmpty)
    }

    @Test("suggests TLS when cleartext was refused")
    func suggestion() {
        let error = MailAuthError(.cleartextOnInsecureConnection, detail: "x")
        #expect(error.recoverySuggestion.contains("TLS"))
    }
}

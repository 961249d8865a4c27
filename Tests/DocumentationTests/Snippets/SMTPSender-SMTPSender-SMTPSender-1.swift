// Generated from Sources/SMTPSender/SMTPSender.docc/SMTPSender.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailAuth
import MailTransport
import SMTPSender

enum Snippet_SMTPSender_SMTPSender_SMTPSender_1 {
    static func run() async throws {

        let messageBytes = Array("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nhello\r\n".utf8)
        let client = try await SMTPClient.connect(
            to: Endpoint(host: "smtp.example.com", port: 587, security: .startTLS),
            credentials: Credentials(user: "alice@example.com", secret: .password("app-password")))
        let result = try await client.send(
            envelope: try SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]),
            message: messageBytes)
        print(result.finalReply)
        try await client.quit()
    }
}

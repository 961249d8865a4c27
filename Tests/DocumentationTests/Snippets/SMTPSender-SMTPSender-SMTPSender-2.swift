// Generated from Sources/SMTPSender/SMTPSender.docc/SMTPSender.md, example 2, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailTransport
import SMTPSender

enum Snippet_SMTPSender_SMTPSender_SMTPSender_2 {
    static func run() async throws {

        func sendAll(_ messages: [[UInt8]], with client: SMTPClient) async throws {
            let envelope = try SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])
            let results = try await client.send(messages.map { SMTPSubmission(envelope: envelope, message: $0) })
            for case .failure(let error) in results { print(error) }
        }
    }
}

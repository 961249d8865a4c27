// Generated from Sources/POP3Protocol/POP3Protocol.docc/POP3Protocol.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailTransport
import POP3Protocol

enum Snippet_POP3Protocol_POP3Protocol_POP3Protocol_1 {
    static func run() async throws {

        let keepCopies = true
        let client = try await POP3Client.connect(to: Endpoint(host: "pop.example.com", port: 995, security: .tls))
        try await client.authenticate(username: "alice@example.com", password: "app-password")
        let uids = try await client.uidlAll()
        try await client.retrieveMany(uids.map { $0.number }, deleteAfterHandling: !keepCopies) { number, message in
            print("message \(number): \(message.count) bytes")   // store it durably here, before the DELE is queued
        }
        try await client.quit()                    // marked messages are removed now (UPDATE state)
    }
}

// Generated from Sources/IMAPProtocol/IMAPProtocol.docc/IMAPProtocol.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import IMAPProtocol
import MailAuth
import MailTransport

enum Snippet_IMAPProtocol_IMAPProtocol_IMAPProtocol_1 {
    static func run() async throws {

        let deleteFromServer = CommandLine.arguments.contains("--delete")  // the account's setting
        let recordedUIDValidity: UInt32 = 1, recordedUIDNext: UInt32 = 1   // what the last sync stored
        let client = try await IMAPClient.connect(
            to: Endpoint(host: "imap.example.com", port: 993, security: .tls),
            credentials: Credentials(user: "alice@example.com", secret: .password("app-password")))
        let inbox = try await client.select(.inbox, readOnly: !deleteFromServer)
        if inbox.uidValidity != recordedUIDValidity { /* UIDs are void: match by content */ }
        let new = try await client.messageSummaries(.starting(at: recordedUIDNext))  // UID, size, flags
        try await client.fetchMessages(new.map { $0.uid }) { message in             // BODY.PEEK[], pipelined
            print(message.content.count)                                           // deliver durably here
        }
        if deleteFromServer {
            try await client.markDeleted(new.map { $0.uid })
            _ = try await client.expunge(new.map { $0.uid })                        // UID EXPUNGE only these
        }
        if case .changed = try await client.idle(timeout: .seconds(25 * 60)) { /* fetch again */ }
        try await client.logout()
    }
}

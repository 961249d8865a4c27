// Generated from Sources/AccountLinking/AccountLinking.docc/RunningSyncWorkers.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import FolderRouting
import MailAuth
import MailMessage
import MailTransport

enum Snippet_AccountLinking_AccountLinking_RunningSyncWorkers_1 {
    static func run() async throws {

        let home = "/srv/linkmail"
        let store = try LMTPMailStore(configuration: .init(
            endpoint: Endpoint(host: "127.0.0.1", port: 24, security: .insecurePlaintext),
            recipient: try LMTPRecipientTemplate("judy+{folder}@example.test"),
            recordDirectory: home + "/delivered"))
        let configuration = try AccountLinker.Configuration.files(
            directory: home, primaryAddress: try EmailAddress("judy@example.test"),
            confirmationSender: SessionOpener().smtpSender(
                ServerSettings(host: "smtp.example.test", port: 465, security: .tls, user: "judy@example.test"),
                secret: .password("primary password")),
            confirmationBaseURL: "https://mail.example.test/confirm", store: store)
        let linker = AccountLinker(configuration: configuration)
        let scheduler = try await linker.startScheduler(
            policy: SyncPolicy(maximumConcurrentSessions: 16), shard: SyncShard(parsing: "0/4"))
        // … until the orchestrator asks the worker to stop (SIGTERM):
        await scheduler.stop(within: .seconds(10))
        await store.close()
    }
}

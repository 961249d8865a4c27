// Generated from README.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import FolderRouting
import MailAuth
import MailMessage
import MailTransport

enum Snippet_README_1 {
    static func run() async throws {

        let home = "/var/lib/mymail"                        // where MailLink keeps its files (created if missing)
        let primaryPassword = "the primary's password"      // from your own secure storage
        let sessions = SessionOpener()
        let linker = AccountLinker(configuration: try .files(
            directory: home, primaryAddress: try EmailAddress("me@example.com"),
            confirmationSender: sessions.smtpSender(
                ServerSettings(host: "smtp.example.com", port: 465, security: .tls, user: "me@example.com"),
                secret: .password(primaryPassword)),
            confirmationBaseURL: "https://mail.example.com/confirm",
            store: try await MaildirStore.open(at: home + "/Maildir")))

        for await step in await linker.link(
            address: try EmailAddress("old@provider.example"), secret: .password("app-password"),
            options: .init(
                incoming: ServerSettings(host: "pop.provider.example", port: 995, security: .tls, user: "old@provider.example"),
                destination: .newFolder, marker: .blue, copies: .keep))
        {
            print(step)   // connecting…, signing in, connected: 12 messages, confirmation sent to …
        }
        // Later, when the owner follows the link in the confirmation e-mail (or types its code):
        let account = try await linker.confirm("https://mail.example.com/confirm?token=…")  // the first sync starts by itself
        // Keep every confirmed account synced, by itself, until stopped (adaptive intervals, back-off):
        let scheduler = try await linker.startScheduler()
        var message = try await linker.newMessage(from: account.address)
        message.to = [try Mailbox("friend@example.org")]
        message.subject = "Hello from my old address"
        try await linker.send(message)
        await scheduler.stop()
    }
}

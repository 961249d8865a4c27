// Generated from Sources/AccountLinking/AccountLinking.docc/LinkingAnAccount.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import FolderRouting
import MailAuth
import MailMessage
import MailTransport

enum Snippet_AccountLinking_AccountLinking_LinkingAnAccount_1 {
    static func run() async throws {

        let configuration = AccountLinker.Configuration.inMemory(
            primaryAddress: try EmailAddress("me@example.com"),
            confirmationSender: SessionOpener().smtpSender(
                ServerSettings(host: "smtp.example.com", port: 465, security: .tls, user: "me@example.com"),
                secret: .password("primary password")),
            confirmationBaseURL: "https://mail.example.com/confirm")
        let linker = AccountLinker(configuration: configuration)
        let options = AccountLinker.LinkOptions(
            incoming: ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: "someone@example.net"),
            destination: .folder(try Folder(["Linked", "Old mailbox"])), marker: .green, copies: .deleteAfter(days: 30),
            approve: { settings in
                print("use \(settings.incoming) from \(settings.origin)?")
                return false  // ask your user here
            })
        for await step in await linker.link(address: try EmailAddress("someone@example.net"),
                                            secret: .password("app password"), options: options) {
            switch step {
            case .needsManualSettings(let diagnosis): print(diagnosis.description)  // what failed, the server's words, what to try
            default: print(step)
            }
        }
    }
}

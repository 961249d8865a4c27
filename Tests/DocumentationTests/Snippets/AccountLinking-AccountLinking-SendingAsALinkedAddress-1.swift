// Generated from Sources/AccountLinking/AccountLinking.docc/SendingAsALinkedAddress.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import FolderRouting
import MailMessage
import SMTPSender

enum Snippet_AccountLinking_AccountLinking_SendingAsALinkedAddress_1 {
    static func run() async throws {

        func reply(to stored: StoredMessage, with linker: AccountLinker) async throws {
            let identity = try await linker.replyIdentity(for: stored)
            var message = try await linker.newMessage(from: identity.address)
            message.to = [try Mailbox("friend@example.org")]
            message.subject = "Re: your message"
            message.textBody = "Thank you!"
            let result = try await linker.send(message)
            print(result.finalReply)
        }
        _ = reply
    }
}

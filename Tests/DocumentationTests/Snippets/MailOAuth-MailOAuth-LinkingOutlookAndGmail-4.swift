// Generated from Sources/MailOAuth/MailOAuth.docc/LinkingOutlookAndGmail.md, example 4, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailAuth
import MailOAuth

enum Snippet_MailOAuth_MailOAuth_LinkingOutlookAndGmail_4 {
    static func run() async throws {

        func sharedMailbox(address: String, delegate session: OAuthTokenSession) -> Credentials {
            Credentials(user: address, session: session)
        }
    }
}

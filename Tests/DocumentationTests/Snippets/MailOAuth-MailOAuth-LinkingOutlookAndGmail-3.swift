// Generated from Sources/MailOAuth/MailOAuth.docc/LinkingOutlookAndGmail.md, example 3, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import MailMessage
import MailOAuth

enum Snippet_MailOAuth_MailOAuth_LinkingOutlookAndGmail_3 {
    static func run() async throws {

        func link(_ linker: AccountLinker, gmailAddress: String, clientID: String, clientSecret: String) async throws {
            let signIn = AccountLinker.OAuthSignIn(
                method: .browser, registration: OAuthClientRegistration(clientID: clientID, clientSecret: clientSecret))
            for await step in await linker.link(address: try EmailAddress(gmailAddress), oauth: signIn) {
                print(step)  // "open https://accounts.google.com/… in your browser to sign in", then the usual steps
            }
        }
    }
}

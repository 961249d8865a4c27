// Generated from Sources/AccountLinking/AccountLinking.docc/LinkingWithOAuth.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import MailMessage
import MailOAuth

enum Snippet_AccountLinking_AccountLinking_LinkingWithOAuth_1 {
    static func run() async throws {

        func linkOutlookAccount(_ linker: AccountLinker, address: String, clientID: String) async throws {
            let signIn = AccountLinker.OAuthSignIn(method: .device, registration: OAuthClientRegistration(clientID: clientID))
            for await step in await linker.link(address: try EmailAddress(address), oauth: signIn) {
                switch step {
                case .authorize(.enterCode(let code, let page, _)): print("Go to \(page) and enter \(code)")
                case .authorize(.openBrowser(let url)): print("Open \(url)")  // or hand it to the system browser
                default: print(step)
                }
            }
        }
    }
}

// Generated from Sources/MailOAuth/MailOAuth.docc/LinkingOutlookAndGmail.md, example 2, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailAuth
import MailOAuth

enum Snippet_MailOAuth_MailOAuth_LinkingOutlookAndGmail_2 {
    static func run() async throws {

        func credentials(address: String, refreshToken: String, client: OAuthClient,
                         store: @escaping @Sendable (String) async -> Void) -> Credentials {
            let session = OAuthTokenSession(
                client: client, refreshToken: refreshToken, scopes: OAuthProvider.microsoftMailScopes, rotated: store)
            return Credentials(user: address, session: session)
        }
    }
}

// Generated from Sources/AccountLinking/AccountLinking.docc/LinkingWithOAuth.md, example 2, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import MailOAuth

enum Snippet_AccountLinking_AccountLinking_LinkingWithOAuth_2 {
    static func run() async throws {

        func credentials(directory: String, clientID: String, clientSecret: String) throws -> OAuthCredentialStore {
            OAuthCredentialStore(
                grants: try FileCredentialStore(path: directory + "/secrets.json"),
                registrations: [OAuthClientRegistration(clientID: clientID, clientSecret: clientSecret)])
        }
    }
}

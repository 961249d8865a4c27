// Generated from Sources/MailOAuth/MailOAuth.docc/LinkingOutlookAndGmail.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailAuth
import MailOAuth

enum Snippet_MailOAuth_MailOAuth_LinkingOutlookAndGmail_1 {
    static func run() async throws {

        func signInWithBrowser(clientID: String, address: String) async throws -> OAuthTokens {
            let client = try OAuthClient(provider: .microsoftConsumers, registration: OAuthClientRegistration(clientID: clientID))
            let signIn = try await client.startBrowserSignIn(scopes: OAuthProvider.microsoftMailScopes, loginHint: address)
            print("Open \(signIn.authorizationURL)")  // or hand it to the system browser
            return try await signIn.complete(timeout: .seconds(300))
        }

        func signInWithCode(clientID: String) async throws -> OAuthTokens {
            let client = try OAuthClient(provider: .microsoftConsumers, registration: OAuthClientRegistration(clientID: clientID))
            let device = try await client.startDeviceAuthorization(scopes: OAuthProvider.microsoftMailScopes)
            print("Go to \(device.verificationURI) and enter \(device.userCode)")
            return try await client.waitForDeviceAuthorization(device)
        }
    }
}

import MailAuth
import Testing

@testable import MailOAuth

/// The article's code, compiled here so that it cannot drift from the API (the bodies run
/// only as far as no network is needed).
@Suite("The Linking Outlook.com and Gmail article's examples")
struct DocumentationExampleTests {
    func signInWithBrowser(clientID: String, address: String) async throws -> OAuthTokens {
        let client = try OAuthClient(
            provider: .microsoftConsumers, registration: OAuthClientRegistration(clientID: clientID))
        let signIn = try await client.startBrowserSignIn(scopes: OAuthProvider.microsoftMailScopes, loginHint: address)
        _ = "Open \(signIn.authorizationURL)"
        return try await signIn.complete(timeout: .seconds(300))
    }

    func signInWithCode(clientID: String) async throws -> OAuthTokens {
        let client = try OAuthClient(
            provider: .microsoftConsumers, registration: OAuthClientRegistration(clientID: clientID))
        let device = try await client.startDeviceAuthorization(scopes: OAuthProvider.microsoftMailScopes)
        _ = "Go to \(device.verificationURI) and enter \(device.userCode)"
        return try await client.waitForDeviceAuthorization(device)
    }

    func credentials(
        address: String, refreshToken: String, client: OAuthClient, store: @escaping @Sendable (String) async -> Void
    ) -> Credentials {
        let session = OAuthTokenSession(
            client: client, refreshToken: refreshToken, scopes: OAuthProvider.microsoftMailScopes, rotated: store)
        return Credentials(user: address, session: session)
    }

    func sharedMailbox(address: String, delegate session: OAuthTokenSession) -> Credentials {
        Credentials(user: address, session: session)
    }

    @Test("without a client id, the examples stop at the missing-registration error")
    func missingClientID() async {
        let browser = await #expect(throws: OAuthError.self) {
            _ = try await signInWithBrowser(clientID: "", address: "a@b")
        }
        let device = await #expect(throws: OAuthError.self) { _ = try await signInWithCode(clientID: "") }
        #expect(browser?.code == .missingClientID && device?.code == .missingClientID)
    }

    @Test("credentials built from a stored refresh token carry a token provider, not the token")
    func storedRefreshToken() throws {
        let client = try OAuthClient(provider: .google, registration: OAuthClientRegistration(clientID: "example"))
        let built = credentials(address: "a@example.com", refreshToken: "stored-refresh", client: client) { _ in }
        #expect(built.kind == .oauth2 && !"\(built)".contains("stored-refresh"))
    }
}

import MailTesting
import Testing

@testable import MailOAuth

@Suite("Browser flow: PKCE and the loopback redirect (RFC 7636, RFC 8252 §7.3, RFC 9207)")
struct BrowserFlowTests {
    /// Starts a sign-in, lets the fake play the browser, and completes it.
    func signIn(_ server: FakeAuthorizationServer) async throws -> (OAuthTokens, Int) {
        let client = try makeClient(server, clock: SystemOAuthClock())
        let signIn = try await client.startBrowserSignIn(scopes: ["https://mail.example.test/"], loginHint: "alice")
        #expect(signIn.redirectURI.hasPrefix("http://127.0.0.1:") && signIn.redirectURI.hasSuffix("/callback"))
        let browser = Task { try await server.actAsBrowser(opening: signIn.authorizationURL) }
        let tokens = try await signIn.complete(timeout: .seconds(60))
        return (tokens, try await browser.value)
    }

    @Test("an approved sign-in returns tokens; the server verified PKCE and the browser saw a page")
    func approved() async throws {
        let server = try makeServer()
        defer { server.close() }
        let (tokens, browserStatus) = try await signIn(server)
        #expect(server.user(ofAccessToken: tokens.accessToken) == "alice@example.test")
        #expect(browserStatus == 200)
        #expect(server.counters.authorizations == 1 && server.counters.tokenRequests["authorization_code"] == 1)
    }

    @Test("a denied sign-in is accessDenied")
    func denied() async throws {
        let server = try makeServer { $0.approvesAuthorization = false }
        defer { server.close() }
        let error = await #expect(throws: OAuthError.self) { _ = try await signIn(server) }
        #expect(error?.code == .accessDenied)
        #expect(server.counters.tokenRequests.isEmpty)
    }

    @Test("a forged state or a foreign issuer is refused before any code exchange")
    func forged() async throws {
        let forgedState = try makeServer { $0.redirectStateOverride = "forged" }
        defer { forgedState.close() }
        let stateError = await #expect(throws: OAuthError.self) { _ = try await signIn(forgedState) }
        #expect(stateError?.code == .stateMismatch)
        let mixUp = try makeServer { $0.redirectIssuerOverride = "https://attacker.example" }
        defer { mixUp.close() }
        let issuerError = await #expect(throws: OAuthError.self) { _ = try await signIn(mixUp) }
        #expect(issuerError?.code == .issuerMismatch)
        #expect(forgedState.counters.tokenRequests.isEmpty && mixUp.counters.tokenRequests.isEmpty)
    }

    @Test("without a redirect the sign-in times out on the injected clock, and cancel() ends it")
    func timeoutAndCancel() async throws {
        let server = try makeServer()
        defer { server.close() }
        let timedOut = await #expect(throws: OAuthError.self) {
            _ = try await makeClient(server, clock: VirtualClock()).startBrowserSignIn(scopes: []).complete()
        }
        #expect(timedOut?.code == .timedOut)
        let signIn = try await makeClient(server, clock: WaitingClock()).startBrowserSignIn(scopes: [])
        let waiting = Task { try await signIn.complete() }
        signIn.cancel()
        let cancelled = await #expect(throws: OAuthError.self) { _ = try await waiting.value }
        #expect(cancelled?.code == .cancelled)
    }
}

import Foundation
import MailAuth
import MailTesting
import Synchronization
import Testing

@testable import MailOAuth

@Suite("Token session: refresh before expiry, rotation, one refresh at a time, sign in again")
struct OAuthTokenSessionTests {
    /// A server, a client on a virtual clock, and the tokens of a finished device sign-in.
    func signedIn(
        _ configure: (inout FakeAuthorizationServer.Configuration) -> Void = { _ in }
    ) async throws
        -> (FakeAuthorizationServer, OAuthClient, VirtualClock, OAuthTokens)
    {
        let server = try makeServer {
            $0.accessTokenLifetime = 600
            configure(&$0)
        }
        let (client, clock, tokens) = try await deviceSignIn(server)
        return (server, client, clock, tokens)
    }

    @Test("the current token is used until the margin before expiry, then refreshed with rotation")
    func refreshesBeforeExpiry() async throws {
        let (server, client, clock, tokens) = try await signedIn()
        defer { server.close() }
        let stored = Mutex<[String]>([])
        let session = try OAuthTokenSession(client: client, tokens: tokens) { new in stored.withLock { $0.append(new) }
        }
        #expect(try await session.accessToken() == tokens.accessToken)
        clock.advance(.seconds(530))  // 70 s left: more than the 60 s margin
        #expect(try await session.accessToken() == tokens.accessToken)
        clock.advance(.seconds(20))  // 50 s left: refresh
        let refreshed = try await session.accessToken()
        #expect(refreshed != tokens.accessToken && server.user(ofAccessToken: refreshed) == "alice@example.test")
        #expect(await session.refreshes == 1)
        #expect(stored.withLock { $0.count } == 1 && stored.withLock { $0 } != [tokens.refreshToken ?? ""])
        // The old refresh token was rotated out: using it again is invalid_grant, i.e. sign in again.
        let reused = await #expect(throws: OAuthError.self) { _ = try await client.refresh(tokens.refreshToken ?? "") }
        #expect(reused?.code == .signInRequired && reused?.requiresSignIn == true)
    }

    @Test("concurrent callers of a stale session share one refresh")
    func singleFlight() async throws {
        let (server, client, clock, tokens) = try await signedIn()
        defer { server.close() }
        let session = try OAuthTokenSession(client: client, tokens: tokens)
        clock.advance(.seconds(3600))
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await session.accessToken() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(results.count == 1)
        #expect(server.counters.tokenRequests["refresh_token"] == 1)
    }

    @Test("a forced refresh (the mail server refused the token) gets a new token through the provider")
    func forced() async throws {
        let (server, client, _, tokens) = try await signedIn()
        defer { server.close() }
        let session = try OAuthTokenSession(client: client, tokens: tokens)
        let provider = session.tokenProvider
        #expect(try await provider.accessToken(refresh: false) == tokens.accessToken)
        let fresh = try await provider.accessToken(refresh: true)
        #expect(fresh != tokens.accessToken && server.user(ofAccessToken: fresh) != nil)
    }

    @Test("a revoked grant is signInRequired, and the session stops asking the server")
    func revoked() async throws {
        let (server, client, _, tokens) = try await signedIn()
        defer { server.close() }
        let session = try OAuthTokenSession(client: client, tokens: tokens)
        server.revokeAll(user: "alice@example.test")
        for _ in 0..<3 {
            let error = await #expect(throws: OAuthError.self) { _ = try await session.accessToken(forceRefresh: true) }
            #expect(error?.code == .signInRequired)
            #expect(error?.recoverySuggestion.contains("sign in again") == true)
        }
        #expect(server.counters.tokenRequests["refresh_token"] == 1)
    }

    @Test("without rotation the refresh token stays and nothing is reported to store")
    func noRotation() async throws {
        let (server, client, clock, tokens) = try await signedIn { $0.rotatesRefreshTokens = false }
        defer { server.close() }
        let reported = Mutex(0)
        let session = try OAuthTokenSession(client: client, tokens: tokens) { _ in reported.withLock { $0 += 1 } }
        clock.advance(.seconds(3600))
        _ = try await session.accessToken()
        clock.advance(.seconds(3600))
        _ = try await session.accessToken()
        #expect(reported.withLock { $0 } == 0 && server.counters.tokenRequests["refresh_token"] == 2)
    }

    @Test("revoking the refresh token ends the grant at the server (RFC 7009)")
    func revocation() async throws {
        let (server, client, _, tokens) = try await signedIn()
        defer { server.close() }
        try await client.revoke(refreshToken: tokens.refreshToken ?? "")
        #expect(server.counters.revocations == 1)
        let error = await #expect(throws: OAuthError.self) { _ = try await client.refresh(tokens.refreshToken ?? "") }
        #expect(error?.code == .signInRequired)
        let withoutEndpoint = try OAuthClient(
            provider: .microsoftConsumers, registration: OAuthClientRegistration(clientID: "example"))
        try await withoutEndpoint.revoke(refreshToken: "unused")
        let required = await #expect(throws: OAuthError.self) {
            try await withoutEndpoint.revoke(refreshToken: "unused", requireEndpoint: true)
        }
        #expect(required?.code == .invalidMetadata)
    }

    @Test("a sign-in without a refresh token cannot make a session")
    func needsRefreshToken() throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        #expect(throws: OAuthError.self) {
            _ = try OAuthTokenSession(client: try makeClient(server), tokens: OAuthTokens(accessToken: "a"))
        }
    }
}

import MailAuth
import MailTesting
import MailTransport
import Synchronization
import Testing

@testable import MailOAuth

@Suite("No token, code, verifier or client secret in any description or error")
struct RedactionTests {
    @Test("registrations, requests and responses of a token exchange hide their secrets")
    func values() {
        let registration = OAuthClientRegistration(clientID: "app", clientSecret: "s3cret-value")
        #expect(!"\(registration)".contains("s3cret-value"))
        let request = HTTPRequest.form("https://x.example/token?a=b", fields: [("refresh_token", "rt-secret")])
        #expect(!"\(request)".contains("rt-secret") && !"\(request)".contains("a=b"))
        let response = HTTPResponse(
            status: 200, contentType: "application/json", body: Array("at-secret".utf8), url: "u")
        #expect(!"\(response)".contains("at-secret"))
        #expect(!"\(Credentials(user: "u", secret: .oauth2(.fixed("at-secret"))))".contains("at-secret"))
    }

    @Test("errors from every failing step carry none of the secrets sent or received")
    func errors() async throws {
        var configuration = FakeAuthorizationServer.Configuration()
        configuration.clientSecret = "client-secret-value"
        let server = try FakeAuthorizationServer(configuration: configuration)
        defer { server.close() }
        let clock = VirtualClock { _ in _ = server.pendingUserCodes.first.map { server.approve(userCode: $0) } }
        let metadata = OAuthServerMetadata(
            issuer: server.issuer, authorizationEndpoint: server.issuer + "/authorize",
            tokenEndpoint: server.issuer + "/token", deviceAuthorizationEndpoint: server.issuer + "/device")
        let client = try OAuthClient(
            metadata: metadata,
            registration: OAuthClientRegistration(clientID: "maillink-tests", clientSecret: "client-secret-value"),
            clock: clock)
        let device = try await client.startDeviceAuthorization(scopes: [])
        let tokens = try await client.waitForDeviceAuthorization(device)
        let refreshToken = try #require(tokens.refreshToken)
        server.revokeAll(user: "alice@example.test")
        var texts: [String] = ["\(device)", "\(tokens)", "\(client.registration)"]
        do { _ = try await client.refresh(refreshToken) } catch { texts += ["\(error)", error.recoverySuggestion] }
        do { _ = try await client.exchange(code: "code-secret", verifier: "verifier-secret", redirectURI: "x") } catch {
            texts.append("\(error)")
        }
        do { _ = try await client.waitForDeviceAuthorization(device) } catch { texts.append("\(error)") }
        let wrongSecret = try OAuthClient(
            metadata: metadata,
            registration: OAuthClientRegistration(clientID: "maillink-tests", clientSecret: "nope-secret"),
            clock: clock)
        do { _ = try await wrongSecret.refresh(refreshToken) } catch { texts.append("\(error)") }
        let session = try OAuthTokenSession(client: client, tokens: tokens)
        do { _ = try await session.accessToken(forceRefresh: true) } catch { texts.append("\(error)") }
        do { _ = try await Credentials(user: "alice", session: session).makeMechanism(.xoauth2) } catch {
            texts.append("\(error)")
        }
        #expect(texts.count == 10)
        for secret in [
            tokens.accessToken, refreshToken, device.deviceCode, "client-secret-value", "code-secret",
            "verifier-secret", "nope-secret",
        ] {
            for text in texts { #expect(!text.contains(secret), "\(text)") }
        }
    }
}

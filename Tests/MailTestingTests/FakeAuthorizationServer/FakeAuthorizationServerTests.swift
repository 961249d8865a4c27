import Foundation
import MailAuth
import MailTesting
import MailTransport
import Testing

/// The fake authorization server driven with raw HTTP (not MailOAuth), so its endpoints are
/// checked on their own.
@Suite("Fake authorization server endpoints (RFC 6749, 7636, 7662, 8414, 8628)")
struct FakeAuthorizationServerTests {
    let http = HTTPClient()

    func post(
        _ server: FakeAuthorizationServer, _ path: String, _ fields: [(String, String)]
    ) async throws
        -> (Int, [String: Any])
    {
        let response = try await http.send(
            .form(server.issuer + path, fields: fields.map { (name: $0.0, value: $0.1) }), timeout: .seconds(30))
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status, object)
    }

    func token(_ server: FakeAuthorizationServer, _ fields: [(String, String)]) async throws -> (Int, [String: Any]) {
        try await post(server, "/token", fields + [("client_id", server.configuration.clientID)])
    }

    /// base64url(SHA-256), as a client computes the PKCE challenge.
    func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(Array(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("metadata names the issuer and every endpoint, and promises iss")
    func metadata() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let response = try await http.send(
            .get(server.issuer + "/.well-known/oauth-authorization-server", accept: "application/json"),
            timeout: .seconds(30))
        let parsed = try JSONSerialization.jsonObject(with: Data(response.body))
        let object = try #require(parsed as? [String: Any])
        #expect(object["issuer"] as? String == server.issuer)
        #expect(object["token_endpoint"] as? String == server.issuer + "/token")
        #expect(object["authorization_response_iss_parameter_supported"] as? Bool == true)
    }

    @Test("the authorization endpoint redirects with code, state and iss; the code needs the right verifier")
    func authorizationCode() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let verifier = String(repeating: "v", count: 43)
        let query = HTTPForm.encode([
            ("response_type", "code"), ("client_id", "maillink-tests"), ("redirect_uri", "http://127.0.0.1:9/cb"),
            ("state", "s1"), ("code_challenge", challenge(verifier)), ("code_challenge_method", "S256"),
        ])
        let redirect = try await http.send(
            .get(server.issuer + "/authorize?" + query, accept: "*/*"), timeout: .seconds(30))
        #expect(redirect.status == 302)
        let location = try #require(redirect.headers.value(of: "location"))
        let fields = Dictionary(
            HTTPForm.decode(location.split(separator: "?")[1]).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        #expect(fields["state"] == "s1" && fields["iss"] == server.issuer)
        let code = try #require(fields["code"])
        let wrong = try await token(
            server,
            [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://127.0.0.1:9/cb"),
                ("code_verifier", String(repeating: "w", count: 43)),
            ])
        #expect(wrong.0 == 400 && wrong.1["error"] as? String == "invalid_grant")
        // The code was spent by the failed attempt too: a fresh one, then the right verifier.
        let again = try await http.send(
            .get(server.issuer + "/authorize?" + query, accept: "*/*"), timeout: .seconds(30))
        let secondLocation = try #require(again.headers.value(of: "location"))
        let secondCode = try #require(
            HTTPForm.decode(secondLocation.split(separator: "?")[1]).first { $0.name == "code" }?.value)
        let right = try await token(
            server,
            [
                ("grant_type", "authorization_code"), ("code", secondCode), ("redirect_uri", "http://127.0.0.1:9/cb"),
                ("code_verifier", verifier),
            ])
        #expect(right.0 == 200 && right.1["token_type"] as? String == "Bearer" && right.1["refresh_token"] is String)
    }

    @Test("device codes answer pending, slow_down, then tokens once approved; refresh rotates")
    func deviceAndRefresh() async throws {
        var configuration = FakeAuthorizationServer.Configuration()
        configuration.slowDownPolls = 1
        let server = try FakeAuthorizationServer(configuration: configuration)
        defer { server.close() }
        let (_, device) = try await post(server, "/device", [("client_id", "maillink-tests"), ("scope", "mail")])
        let deviceCode = try #require(device["device_code"] as? String)
        let poll: [(String, String)] = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode),
        ]
        #expect(try await token(server, poll).1["error"] as? String == "slow_down")
        #expect(try await token(server, poll).1["error"] as? String == "authorization_pending")
        #expect(server.approve(userCode: try #require(device["user_code"] as? String), as: "bob@example.test"))
        let (status, tokens) = try await token(server, poll)
        #expect(status == 200 && tokens["scope"] as? String == "mail")
        let access = try #require(tokens["access_token"] as? String)
        let refresh = try #require(tokens["refresh_token"] as? String)
        #expect(server.user(ofAccessToken: access) == "bob@example.test")
        let rotated = try await token(server, [("grant_type", "refresh_token"), ("refresh_token", refresh)])
        #expect(rotated.0 == 200 && rotated.1["refresh_token"] as? String != refresh)
        let reused = try await token(server, [("grant_type", "refresh_token"), ("refresh_token", refresh)])
        #expect(reused.1["error"] as? String == "invalid_grant")
        #expect(server.counters.tokenRequests == ["device_code": 3, "refresh_token": 2])
    }

    @Test("introspection reports active tokens with user and scope, inactive once revoked; the validator agrees")
    func introspection() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let (_, device) = try await post(server, "/device", [("client_id", "maillink-tests")])
        server.approve(userCode: try #require(device["user_code"] as? String))
        let (_, tokens) = try await token(
            server,
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", try #require(device["device_code"] as? String)),
            ])
        let access = try #require(tokens["access_token"] as? String)
        let active = try await post(server, "/introspect", [("token", access)]).1
        #expect(active["active"] as? Bool == true && active["username"] as? String == "alice@example.test")
        #expect(server.tokenValidator("alice@example.test", access) == "alice@example.test")
        #expect(server.tokenValidator("ALICE@example.test", access) == "ALICE@example.test")
        #expect(server.tokenValidator("bob@example.test", access) == nil)
        #expect(server.tokenValidator(nil, access) == "alice@example.test")
        _ = try await post(server, "/revoke", [("token", access)])
        #expect(try await post(server, "/introspect", [("token", access)]).1["active"] as? Bool == false)
        #expect(server.tokenValidator("alice@example.test", access) == nil)
        #expect(server.counters.introspections == 2 && server.counters.revocations == 1)
    }

    @Test("an unknown client is invalid_client with 401, an unknown grant unsupported_grant_type")
    func clientErrors() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let unknown = try await post(server, "/token", [("grant_type", "refresh_token"), ("client_id", "other")])
        #expect(unknown.0 == 401 && unknown.1["error"] as? String == "invalid_client")
        let grant = try await token(server, [("grant_type", "password")])
        #expect(grant.0 == 400 && grant.1["error"] as? String == "unsupported_grant_type")
    }
}

import MailAuth
import MailTransport
import Testing

@testable import MailOAuth

@Suite("Authorization request and redirect checks (RFC 6749 §4.1, RFC 9207)")
struct OAuthAuthorizationRequestTests {
    let metadata = OAuthServerMetadata(
        issuer: "https://login.example", authorizationEndpoint: "https://login.example/authorize",
        tokenEndpoint: "https://login.example/token", sendsIssuerInAuthorizationResponse: true)

    func request(_ metadata: OAuthServerMetadata? = nil) throws -> OAuthAuthorizationRequest {
        try OAuthAuthorizationRequest(
            metadata: metadata ?? self.metadata, clientID: "app id", redirectURI: "http://127.0.0.1:5555/callback",
            scopes: ["https://mail.example/", "offline_access"], loginHint: "a@b.test",
            extraParameters: ["prompt": "consent"])
    }

    func parameters(_ request: OAuthAuthorizationRequest) -> [String: String] {
        let query = request.url.split(separator: "?", maxSplits: 1)[1]
        return Dictionary(HTTPForm.decode(query).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test("the URL carries the code flow, PKCE S256, state, scopes and extras, form-encoded")
    func url() throws {
        let request = try request()
        #expect(request.url.hasPrefix("https://login.example/authorize?response_type=code&client_id=app+id&"))
        let fields = parameters(request)
        #expect(fields["redirect_uri"] == "http://127.0.0.1:5555/callback")
        #expect(fields["scope"] == "https://mail.example/ offline_access")
        #expect(fields["code_challenge"] == PKCE.challenge(for: request.pkce.verifier))
        #expect(fields["code_challenge_method"] == "S256")
        #expect(fields["state"] == request.state && request.state.count >= 22)
        #expect(fields["login_hint"] == "a@b.test" && fields["prompt"] == "consent")
    }

    @Test("a redirect with the right state and issuer yields the code")
    func accepted() throws {
        let request = try request()
        let code = try request.authorizationCode(from: [
            ("code", "the-code"), ("state", request.state), ("iss", "https://login.example"),
        ])
        #expect(code == "the-code")
    }

    @Test("a wrong or missing state is stateMismatch")
    func state() throws {
        let request = try request()
        for parameters in [[("code", "c"), ("state", "forged"), ("iss", "https://login.example")], [("code", "c")]] {
            #expect(throws: OAuthError(.stateMismatch, "the redirect's state is not the one sent")) {
                try request.authorizationCode(from: parameters)
            }
        }
    }

    @Test("another issuer is issuerMismatch, and a missing one too when the metadata promises it")
    func issuer() throws {
        let request = try request()
        let other = #expect(throws: OAuthError.self) {
            try request.authorizationCode(from: [("code", "c"), ("state", request.state), ("iss", "https://evil")])
        }
        #expect(other?.code == .issuerMismatch)
        let missing = #expect(throws: OAuthError.self) {
            try request.authorizationCode(from: [("code", "c"), ("state", request.state)])
        }
        #expect(missing?.code == .issuerMismatch)
        var quiet = metadata
        quiet.sendsIssuerInAuthorizationResponse = false
        let lenient = try self.request(quiet)
        #expect(try lenient.authorizationCode(from: [("code", "c"), ("state", lenient.state)]) == "c")
    }

    @Test("an error redirect is the server's error; a repeated parameter is refused")
    func errors() throws {
        let request = try request()
        let denied = #expect(throws: OAuthError.self) {
            try request.authorizationCode(from: [
                ("error", "access_denied"), ("error_description", "no\r\nthanks"), ("state", request.state),
                ("iss", "https://login.example"),
            ])
        }
        #expect(denied?.code == .accessDenied && denied?.serverDescription == "nothanks")
        let repeated = #expect(throws: OAuthError.self) {
            try request.authorizationCode(from: [
                ("code", "a"), ("code", "b"), ("state", request.state), ("iss", "https://login.example"),
            ])
        }
        #expect(repeated?.code == .invalidResponse)
    }

    @Test("the description shows neither the state nor the PKCE verifier")
    func redacted() throws {
        let request = try request()
        #expect(!"\(request)".contains(request.state) && !"\(request)".contains(request.pkce.verifier))
    }
}

import Foundation
import MailTransport
import Testing

@testable import MailOAuth

@Suite("Token responses (RFC 6749 §5.1, §5.2)")
struct OAuthTokensTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func response(_ status: Int, _ json: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: Array(json.utf8), url: "https://x/token")
    }

    func parse(_ status: Int, _ json: String) throws(OAuthError) -> OAuthTokens {
        try OAuthTokens.parse(response(status, json), now: now)
    }

    @Test("a bearer answer gives the tokens, the expiry and the granted scopes")
    func success() throws {
        let tokens = try parse(
            200,
            #"{"access_token":"at-1","token_type":"bearer","expires_in":3600,"refresh_token":"rt-1","scope":"a b"}"#)
        #expect(tokens.accessToken == "at-1" && tokens.refreshToken == "rt-1" && tokens.scopes == ["a", "b"])
        #expect(tokens.expiresAt == now.addingTimeInterval(3600))
        #expect(try parse(200, #"{"access_token":"x","token_type":"Bearer","expires_in":"60"}"#).expiresAt != nil)
    }

    @Test("answers that break RFC 6749 §5.1 are invalidResponse")
    func invalid() {
        for json in [
            "[]", "not json", #"{"token_type":"Bearer"}"#, #"{"access_token":"x"}"#,
            #"{"access_token":"x","token_type":"mac"}"#, #"{"access_token":"x y","token_type":"Bearer"}"#,
            #"{"access_token":"x\r\nAUTH","token_type":"Bearer"}"#, #"{"access_token":7,"token_type":"Bearer"}"#,
            #"{"access_token":"x","token_type":"Bearer","expires_in":-5}"#,
            #"{"access_token":"x","token_type":"Bearer","refresh_token":""}"#,
        ] {
            #expect(throws: OAuthError.self, "\(json)") { try parse(200, json) }
            #expect((try? parse(200, json)) == nil)
        }
        let error = #expect(throws: OAuthError.self) { try parse(200, #"{"access_token":"x"}"#) }
        #expect(error?.code == .invalidResponse)
    }

    @Test("RFC 6749 §5.2 and RFC 8628 §3.5 error codes become typed errors with the server's words")
    func errors() {
        let cases: [(String, OAuthError.Code)] = [
            ("invalid_request", .invalidRequest), ("invalid_client", .invalidClient), ("invalid_grant", .invalidGrant),
            ("unauthorized_client", .unauthorizedClient), ("unsupported_grant_type", .unsupportedGrantType),
            ("invalid_scope", .invalidScope), ("authorization_pending", .authorizationPending),
            ("slow_down", .slowDown), ("access_denied", .accessDenied), ("expired_token", .expiredToken),
            ("temporarily_unavailable", .serverError),
        ]
        for (name, code) in cases {
            let error = TokenEndpointError.parse(response(400, #"{"error":"\#(name)","error_description":"why"}"#))
            #expect(error.code == code && error.serverDescription == "why" && error.httpStatus == 400, "\(name)")
        }
        #expect(TokenEndpointError.parse(response(502, "<html>")).code == .serverError)
        #expect(TokenEndpointError.parse(response(400, "<html>")).code == .invalidResponse)
        #expect(TokenEndpointError.parse(response(400, #"{"error":"bad\"code"}"#)).code == .invalidResponse)
    }

    @Test("freshness counts the margin; an unknown expiry counts as fresh")
    func freshness() {
        let tokens = OAuthTokens(accessToken: "a", expiresAt: now.addingTimeInterval(90))
        #expect(tokens.isFresh(at: now, margin: .seconds(60)))
        #expect(!tokens.isFresh(at: now.addingTimeInterval(31), margin: .seconds(60)))
        #expect(OAuthTokens(accessToken: "a").isFresh(at: now, margin: .seconds(60)))
    }

    @Test("no textual form of the tokens shows them")
    func redacted() {
        let tokens = OAuthTokens(accessToken: "secret-access", refreshToken: "secret-refresh")
        var dumped = ""
        dump(tokens, to: &dumped)
        for text in ["\(tokens)", String(reflecting: tokens), dumped] {
            #expect(!text.contains("secret-access") && !text.contains("secret-refresh"), "\(text)")
        }
    }
}

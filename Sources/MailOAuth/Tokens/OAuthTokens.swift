import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A successful token response (RFC 6749 §5.1): the access token, when it expires, and the
/// refresh token that replaces the previous one when the server rotates them.
///
/// The textual forms redact both tokens.
public struct OAuthTokens: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access token, for XOAUTH2 and OAUTHBEARER.
    public var accessToken: String
    /// The refresh token, when the server issued one (a new one replaces the old: RFC 6749 §6).
    public var refreshToken: String?
    /// When the access token expires, from `expires_in`; nil when the server did not say.
    public var expiresAt: Date?
    /// The scopes granted, when the server listed them (RFC 6749 §3.3).
    public var scopes: [String]?

    /// Tokens.
    public init(accessToken: String, refreshToken: String? = nil, expiresAt: Date? = nil, scopes: [String]? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
    }

    /// Whether the access token is still good `margin` from `now` (unknown expiry counts as good).
    public func isFresh(at now: Date, margin: Duration) -> Bool {
        guard let expiresAt else { return true }
        return now.adding(margin) < expiresAt
    }

    /// `OAuthTokens(access: <redacted>, refresh: <redacted>, expires: …)`.
    public var description: String {
        "OAuthTokens(access: <redacted>, refresh: \(refreshToken == nil ? "none" : "<redacted>"), expires: "
            + "\(expiresAt.map { "\($0)" } ?? "unknown"))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without the tokens.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }

    /// Parses a token endpoint's answer: a 200 with the RFC 6749 §5.1 JSON object (a bearer
    /// `token_type`, an `access_token` fit for a SASL message), or the §5.2 error object.
    static func parse(_ response: HTTPResponse, now: Date) throws(OAuthError) -> OAuthTokens {
        let what = "the token response"
        guard response.status == 200 else { throw TokenEndpointError.parse(response) }
        let json = try JSONObject(response.body, what: what)
        let accessToken = try json.requiredString("access_token", in: what)
        guard accessToken.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw OAuthError(.invalidResponse, "\(what): the access token has characters no SASL message can carry")
        }
        guard try json.requiredString("token_type", in: what).lowercased() == "bearer" else {
            throw OAuthError(.invalidResponse, "\(what): token_type is not Bearer (RFC 6750)")
        }
        let refreshToken = try json.string("refresh_token", in: what)
        if let refreshToken, refreshToken.isEmpty || refreshToken.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw OAuthError(.invalidResponse, "\(what): the refresh token is malformed")
        }
        return OAuthTokens(
            accessToken: accessToken, refreshToken: refreshToken,
            expiresAt: try json.seconds("expires_in", in: what).map { now.addingTimeInterval(Double($0)) },
            scopes: try json.string("scope", in: what).map { $0.split(separator: " ").map(String.init) })
    }
}

/// Error responses of the token and device endpoints (RFC 6749 §5.2, RFC 8628 §3.5).
enum TokenEndpointError {
    /// The typed error for a non-200 answer; an answer without a valid `error` field is
    /// ``OAuthError/Code/invalidResponse`` (5xx: ``OAuthError/Code/serverError``).
    static func parse(_ response: HTTPResponse) -> OAuthError {
        guard let json = try? JSONObject(response.body, what: "the error response"),
            let name = try? json.string("error", in: "the error response"),
            !name.isEmpty,
            name.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" })
        else {
            let code: OAuthError.Code = response.status >= 500 ? .serverError : .invalidResponse
            return OAuthError(
                code, "HTTP \(response.status) without an OAuth error object", httpStatus: response.status)
        }
        let known: [OAuthError.Code] = [
            .invalidRequest, .invalidClient, .invalidGrant, .unauthorizedClient, .unsupportedGrantType, .invalidScope,
            .accessDenied, .expiredToken, .authorizationPending, .slowDown,
        ]
        let code = known.first { $0.rawValue == name } ?? .serverError
        let description = (try? json.string("error_description", in: "the error response")) ?? nil
        return OAuthError(
            code, code == .serverError ? "the server answered \(OAuthError.printable(String(name.prefix(60))))" : "",
            serverDescription: description, httpStatus: response.status)
    }
}

extension OAuthError.Code {
    /// RFC 8628 §3.5 `authorization_pending`: the user has not finished yet (polling continues).
    public static let authorizationPending = OAuthError.Code("authorization_pending")
    /// RFC 8628 §3.5 `slow_down`: poll 5 seconds less often from now on.
    public static let slowDown = OAuthError.Code("slow_down")
}

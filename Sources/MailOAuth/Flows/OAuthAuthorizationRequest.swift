import MailAuth
import MailTransport

/// One authorization request of the browser flow (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3): the
/// URL to open, and the checks its redirect must pass (RFC 6749 §4.1.2, RFC 9207 §2.4).
///
/// A pure value, so the checks are tested without a browser. The textual form shows neither the
/// state nor the verifier.
public struct OAuthAuthorizationRequest: Sendable, CustomStringConvertible {
    /// The URL the user's browser must open.
    public let url: String
    /// The redirect URI the server sends the browser back to.
    public let redirectURI: String
    /// The scopes asked for.
    public let scopes: [String]
    let state: String
    let pkce: PKCE
    let issuer: String
    let issuerRequired: Bool

    /// A request to `metadata`'s authorization endpoint for `scopes`, redirecting to `redirectURI`.
    public init(
        metadata: OAuthServerMetadata, clientID: String, redirectURI: String, scopes: [String],
        loginHint: String? = nil, extraParameters: [String: String] = [:], random: RandomBytesSource = .system
    ) throws(OAuthError) {
        guard let endpoint = metadata.authorizationEndpoint else {
            throw OAuthError(.invalidMetadata, "the authorization server has no authorization endpoint")
        }
        state = Base64URL.encode(random.bytes(16))
        pkce = PKCE(random: random)
        var parameters: [(name: String, value: String)] = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI),
            ("scope", scopes.joined(separator: " ")), ("state", state), ("code_challenge", pkce.challenge),
            ("code_challenge_method", pkce.method),
        ]
        if let loginHint { parameters.append(("login_hint", loginHint)) }
        for (name, value) in extraParameters.sorted(by: { $0.key < $1.key }) { parameters.append((name, value)) }
        url = endpoint + (endpoint.contains("?") ? "&" : "?") + HTTPForm.encode(parameters)
        self.redirectURI = redirectURI
        self.scopes = scopes
        issuer = metadata.issuer
        issuerRequired = metadata.sendsIssuerInAuthorizationResponse
    }

    /// The authorization code from the redirect's query parameters, after checking `state`
    /// (RFC 6749 §10.12) and `iss` (RFC 9207 §2.4: equal to the issuer when present, required
    /// when the server's metadata promises it).
    ///
    /// - Throws: ``OAuthError/Code/stateMismatch``, ``OAuthError/Code/issuerMismatch``, the
    ///   server's error (`access_denied`, …, RFC 6749 §4.1.2.1), or
    ///   ``OAuthError/Code/invalidResponse`` when there is no code.
    public func authorizationCode(from parameters: [(name: String, value: String)]) throws(OAuthError) -> String {
        func value(_ name: String) throws(OAuthError) -> String? {
            let matches = parameters.filter { $0.name == name }
            guard matches.count <= 1 else { throw OAuthError(.invalidResponse, "the redirect repeats \(name)") }
            return matches.first?.value
        }
        guard let returnedState = try value("state"),
            ConstantTime.equals(Array(returnedState.utf8), Array(state.utf8))
        else { throw OAuthError(.stateMismatch, "the redirect's state is not the one sent") }
        if let returnedIssuer = try value("iss") {
            guard returnedIssuer == issuer else {
                throw OAuthError(.issuerMismatch, "the redirect names another issuer (\(returnedIssuer.prefix(100)))")
            }
        } else if issuerRequired {
            throw OAuthError(.issuerMismatch, "the redirect has no iss, which this server promises (RFC 9207)")
        }
        if let error = try value("error") {
            let known: [OAuthError.Code] = [.accessDenied, .invalidRequest, .unauthorizedClient, .invalidScope]
            let description = try value("error_description")
            throw OAuthError(
                known.first { $0.rawValue == error } ?? .serverError, "the authorization was refused",
                serverDescription: description)
        }
        guard let code = try value("code"), !code.isEmpty else {
            throw OAuthError(.invalidResponse, "the redirect carries neither a code nor an error")
        }
        return code
    }

    /// `OAuthAuthorizationRequest(https://…/authorize, redirect http://127.0.0.1:…)`.
    public var description: String {
        let endpoint = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        return "OAuthAuthorizationRequest(\(endpoint), redirect \(redirectURI))"
    }
}

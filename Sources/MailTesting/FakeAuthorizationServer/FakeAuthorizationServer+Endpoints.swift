import MailAuth
import MailTransport
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The endpoints, one handler each.
extension FakeAuthorizationServer {
    /// Serves one connection: one request, one answer.
    func serve(_ connection: any ServerSideConnection) async {
        defer { connection.close() }
        guard let request = await FakeHTTPRequest.read(from: connection) else { return }
        try? await connection.send(answer(request).bytes)
    }

    func answer(_ request: FakeHTTPRequest) -> FakeHTTPAnswer {
        switch (request.method, request.path) {
        case ("GET", "/.well-known/oauth-authorization-server"):
            return configuration.metadataAtOpenIDLocationOnly ? FakeHTTPAnswer(status: 404) : metadata()
        case ("GET", "/.well-known/openid-configuration"): return metadata()
        case ("GET", "/authorize"): return authorize(request.query)
        case ("POST", "/token"): return token(request.form)
        case ("POST", "/device"): return deviceAuthorization(request.form)
        case ("POST", "/introspect"): return introspect(request.form)
        case ("POST", "/revoke"): return revokeEndpoint(request.form)
        default: return FakeHTTPAnswer(status: 404)
        }
    }

    private func metadata() -> FakeHTTPAnswer {
        state.withLock { $0.counters.metadata += 1 }
        return .json(
            200,
            [
                "issuer": issuer, "authorization_endpoint": "\(issuer)/authorize", "token_endpoint": "\(issuer)/token",
                "device_authorization_endpoint": "\(issuer)/device", "introspection_endpoint": "\(issuer)/introspect",
                "revocation_endpoint": "\(issuer)/revoke", "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": [
                    "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code",
                ],
                "response_types_supported": ["code"],
                "authorization_response_iss_parameter_supported": configuration.sendsIssuer,
            ])
    }

    private func authorize(_ query: [String: String]) -> FakeHTTPAnswer {
        state.withLock { $0.counters.authorizations += 1 }
        guard let redirect = query["redirect_uri"], redirect.hasPrefix("http://127.0.0.1:") else {
            return FakeHTTPAnswer(status: 400, body: Array("redirect_uri must be a loopback URI".utf8))
        }
        guard query["client_id"] == configuration.clientID else {
            return FakeHTTPAnswer(status: 400, body: Array("unknown client_id".utf8))
        }
        var parameters: [(String, String)] = []
        if let state = configuration.redirectStateOverride ?? query["state"] { parameters.append(("state", state)) }
        if configuration.sendsIssuer { parameters.append(("iss", configuration.redirectIssuerOverride ?? issuer)) }
        if !configuration.approvesAuthorization {
            parameters.append(("error", "access_denied"))
        } else if query["response_type"] != "code" {
            parameters.append(("error", "unsupported_response_type"))
        } else if query["code_challenge_method"] != "S256" || (query["code_challenge"] ?? "").count < 43 {
            parameters.append(("error", "invalid_request"))
        } else {
            let code = Self.randomValue("code")
            let grant = Code(
                clientID: configuration.clientID, redirectURI: redirect, challenge: query["code_challenge"] ?? "",
                scope: query["scope"] ?? configuration.defaultScope, user: configuration.user)
            state.withLock { $0.codes[code] = grant }
            parameters.append(("code", code))
        }
        let encoded = parameters.map { "\($0.0)=\(Self.queryEscape($0.1))" }.joined(separator: "&")
        return .redirect(redirect + (redirect.contains("?") ? "&" : "?") + encoded)
    }

    private func token(_ form: [String: String]) -> FakeHTTPAnswer {
        let grantType = form["grant_type"] ?? ""
        let shortName = grantType == "urn:ietf:params:oauth:grant-type:device_code" ? "device_code" : grantType
        state.withLock { $0.counters.tokenRequests[shortName, default: 0] += 1 }
        guard form["client_id"] == configuration.clientID,
            configuration.clientSecret == nil || form["client_secret"] == configuration.clientSecret
        else { return .oauthError(401, "invalid_client", "unknown client or wrong secret") }
        switch shortName {
        case "authorization_code": return exchangeCode(form)
        case "refresh_token": return refresh(form)
        case "device_code": return pollDevice(form)
        default: return .oauthError(400, "unsupported_grant_type")
        }
    }

    private func exchangeCode(_ form: [String: String]) -> FakeHTTPAnswer {
        guard let code = form["code"], let verifier = form["code_verifier"] else {
            return .oauthError(400, "invalid_request", "code and code_verifier are required")
        }
        guard let grant = state.withLock({ $0.codes.removeValue(forKey: code) }) else {
            return .oauthError(400, "invalid_grant", "unknown or used code")
        }
        guard grant.redirectURI == form["redirect_uri"] else {
            return .oauthError(400, "invalid_grant", "redirect_uri differs from the authorization request")
        }
        guard Self.s256(verifier) == grant.challenge else {
            return .oauthError(400, "invalid_grant", "PKCE verification failed")
        }
        return issue(user: grant.user, scope: grant.scope, withRefreshToken: true)
    }

    private func refresh(_ form: [String: String]) -> FakeHTTPAnswer {
        guard let presented = form["refresh_token"] else { return .oauthError(400, "invalid_request") }
        let grant = state.withLock { state -> Grant? in
            guard let grant = state.refreshTokens[presented], grant.active else { return nil }
            if configuration.rotatesRefreshTokens { state.refreshTokens[presented]?.active = false }
            return grant
        }
        guard let grant else { return .oauthError(400, "invalid_grant", "the refresh token is not valid") }
        return issue(user: grant.user, scope: grant.scope, withRefreshToken: configuration.rotatesRefreshTokens)
    }

    private func pollDevice(_ form: [String: String]) -> FakeHTTPAnswer {
        guard let deviceCode = form["device_code"] else { return .oauthError(400, "invalid_request") }
        enum Outcome { case slowDown, pending, approved(String, String), denied, expired, unknown }
        let outcome = state.withLock { state -> Outcome in
            guard let device = state.devices[deviceCode] else { return .unknown }
            if state.slowDownsLeft > 0 {
                state.slowDownsLeft -= 1
                return .slowDown
            }
            switch device.status {
            case .pending: return .pending
            case .approved(let user):
                state.devices[deviceCode] = nil
                return .approved(user, device.scope)
            case .denied: return .denied
            case .expired: return .expired
            }
        }
        switch outcome {
        case .slowDown: return .oauthError(400, "slow_down")
        case .pending: return .oauthError(400, "authorization_pending")
        case .approved(let user, let scope): return issue(user: user, scope: scope, withRefreshToken: true)
        case .denied: return .oauthError(400, "access_denied")
        case .expired: return .oauthError(400, "expired_token")
        case .unknown: return .oauthError(400, "invalid_grant", "unknown device code")
        }
    }

    private func deviceAuthorization(_ form: [String: String]) -> FakeHTTPAnswer {
        guard form["client_id"] == configuration.clientID else { return .oauthError(401, "invalid_client") }
        let deviceCode = Self.randomValue("device")
        let letters = Array("BCDFGHJKLMNPQRSTVWXZ")
        let userCode = String((0..<8).map { _ in letters.randomElement() ?? "B" }).chunked4()
        state.withLock { state in
            state.counters.deviceAuthorizations += 1
            state.devices[deviceCode] = Device(
                userCode: userCode, scope: form["scope"] ?? configuration.defaultScope, status: .pending)
        }
        return .json(
            200,
            [
                "device_code": deviceCode, "user_code": userCode, "verification_uri": "\(issuer)/device",
                "verification_uri_complete": "\(issuer)/device?user_code=\(userCode)",
                "expires_in": configuration.deviceCodeLifetime, "interval": configuration.deviceInterval,
            ])
    }

    private func introspect(_ form: [String: String]) -> FakeHTTPAnswer {
        let token = form["token"] ?? ""
        let grant = state.withLock { state -> Grant? in
            state.counters.introspections += 1
            guard let grant = state.accessTokens[token] ?? state.refreshTokens[token], grant.active else { return nil }
            return grant
        }
        guard let grant else { return .json(200, ["active": false]) }
        return .json(
            200,
            [
                "active": true, "username": grant.user, "scope": grant.scope, "client_id": grant.clientID,
                "token_type": "Bearer",
            ])
    }

    private func revokeEndpoint(_ form: [String: String]) -> FakeHTTPAnswer {
        state.withLock { $0.counters.revocations += 1 }
        if let token = form["token"] { revoke(token: token) }
        return FakeHTTPAnswer(status: 200)
    }

    private func issue(user: String, scope: String, withRefreshToken: Bool) -> FakeHTTPAnswer {
        let access = Self.randomValue("at")
        let refresh = withRefreshToken ? Self.randomValue("rt") : nil
        let grant = Grant(user: user, scope: scope, clientID: configuration.clientID, active: true)
        state.withLock { state in
            state.accessTokens[access] = grant
            if let refresh { state.refreshTokens[refresh] = grant }
        }
        var object: [String: any Sendable] = [
            "access_token": access, "token_type": "Bearer", "expires_in": configuration.accessTokenLifetime,
            "scope": scope,
        ]
        if let refresh { object["refresh_token"] = refresh }
        return .json(200, object)
    }

    /// A random token-like value with a readable prefix.
    static func randomValue(_ prefix: String) -> String {
        prefix + "-" + (0..<3).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 36) }.joined(separator: "")
    }

    /// base64url(SHA-256(verifier)), RFC 7636 §4.6, written here independently of the client.
    static func s256(_ verifier: String) -> String {
        var text = Data(SHA256.hash(Array(verifier.utf8))).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    static func queryEscape(_ text: String) -> String {
        var escaped = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || "-._~".utf8.contains(byte) {
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                escaped += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return escaped
    }
}

extension String {
    /// `ABCDEFGH` as `ABCD-EFGH`, the user code form RFC 8628 §6.1 suggests.
    fileprivate func chunked4() -> String { String(prefix(4)) + "-" + String(dropFirst(4)) }
}

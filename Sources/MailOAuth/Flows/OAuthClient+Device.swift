import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension OAuthClient {
    /// The grant type of RFC 8628 §3.4.
    static let deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

    /// Starts a device authorization (RFC 8628 §3.1): the answer carries the user code and the
    /// page to show the user.
    public func startDeviceAuthorization(scopes: [String]) async throws(OAuthError) -> OAuthDeviceAuthorization {
        guard let endpoint = metadata.deviceAuthorizationEndpoint else {
            throw OAuthError(.invalidMetadata, "the authorization server has no device authorization endpoint")
        }
        let response = try await post(endpoint, [("scope", scopes.joined(separator: " "))])
        guard response.status == 200 else { throw TokenEndpointError.parse(response) }
        return try OAuthDeviceAuthorization.parse(response.body, scopes: scopes, now: clock.now())
    }

    /// Polls the token endpoint until the user approves (RFC 8628 §3.4, §3.5): waits the
    /// server's interval between polls, 5 s longer after each `slow_down`, and stops at
    /// `expired_token`, `access_denied`, the code's expiry, or task cancellation.
    ///
    /// - Throws: ``OAuthError/Code/expiredToken``, ``OAuthError/Code/accessDenied``,
    ///   ``OAuthError/Code/cancelled``, or any other token endpoint error.
    public func waitForDeviceAuthorization(
        _ authorization: OAuthDeviceAuthorization
    ) async throws(OAuthError)
        -> OAuthTokens
    {
        var interval = authorization.interval
        while true {
            do {
                try await clock.sleep(for: interval)
            } catch {
                throw OAuthError(.cancelled, "waiting for the device authorization was cancelled")
            }
            guard !Task.isCancelled else {
                throw OAuthError(.cancelled, "waiting for the device authorization was cancelled")
            }
            guard clock.now() < authorization.expiresAt else {
                throw OAuthError(.expiredToken, "the user code expired before it was entered")
            }
            do {
                return try await tokenRequest([
                    ("grant_type", Self.deviceCodeGrant), ("device_code", authorization.deviceCode),
                ])
            } catch let error where error.code == .authorizationPending {
                continue
            } catch let error where error.code == .slowDown {
                interval += .seconds(5)  // RFC 8628 §3.5
            }
        }
    }
}

/// A browser sign-in in progress (RFC 8252): a loopback listener is up, the host opens
/// ``authorizationURL`` in the system browser, then awaits ``complete(timeout:)``.
///
/// ```swift
/// let signIn = try await client.startBrowserSignIn(scopes: OAuthProvider.googleMailScopes, loginHint: address)
/// openInBrowser(signIn.authorizationURL)          // the host's own call
/// let tokens = try await signIn.complete()
/// ```
public final class OAuthBrowserSignIn: Sendable, CustomStringConvertible {
    /// The URL to open in the user's browser.
    public var authorizationURL: String { request.url }
    /// The loopback redirect URI (`http://127.0.0.1:PORT/callback`).
    public var redirectURI: String { request.redirectURI }

    private let request: OAuthAuthorizationRequest
    private let listener: LoopbackRedirectListener
    private let client: OAuthClient

    init(client: OAuthClient, request: OAuthAuthorizationRequest, listener: LoopbackRedirectListener) {
        self.client = client
        self.request = request
        self.listener = listener
    }

    /// Waits for the browser to come back, checks `state` and `iss`, answers the browser with a
    /// short page, and exchanges the code for tokens (RFC 6749 §4.1.3). The listener closes
    /// afterwards, whatever the outcome.
    ///
    /// - Throws: ``OAuthError/Code/timedOut`` when no redirect came within `timeout`,
    ///   ``OAuthError/Code/cancelled``, the checks' and the server's errors.
    public func complete(timeout: Duration = .seconds(300)) async throws(OAuthError) -> OAuthTokens {
        defer { listener.close() }
        let request = self.request
        let listener = self.listener
        let clock = client.clock
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                let parameters = await listener.receive { parameters in
                    (try? request.authorizationCode(from: parameters)) == nil ? Self.failurePage : Self.successPage
                }
                return parameters.map(Outcome.callback) ?? .closed
            }
            group.addTask {
                do {
                    try await clock.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .closed
                }
            }
            let first = await group.next() ?? .closed
            group.cancelAll()
            return first
        }
        let parameters: [(name: String, value: String)]
        switch outcome {
        case .callback(let received): parameters = received
        case .timedOut: throw OAuthError(.timedOut, "the browser did not come back within \(timeout)")
        case .closed: throw OAuthError(.cancelled, "the sign-in was cancelled")
        }
        let code = try request.authorizationCode(from: parameters)
        return try await client.exchange(code: code, verifier: request.pkce.verifier, redirectURI: request.redirectURI)
    }

    /// Stops waiting: a pending ``complete(timeout:)`` throws ``OAuthError/Code/cancelled``.
    public func cancel() { listener.close() }

    /// `OAuthBrowserSignIn(redirect http://127.0.0.1:…)`.
    public var description: String { "OAuthBrowserSignIn(redirect \(redirectURI))" }

    private enum Outcome: Sendable {
        case callback([(name: String, value: String)])
        case timedOut
        case closed
    }

    static let successPage =
        "<!doctype html><meta charset=utf-8><title>Signed in</title><p>Signed in. You can close this window.</p>"
    static let failurePage =
        "<!doctype html><meta charset=utf-8><title>Sign-in failed</title><p>The sign-in did not succeed. "
        + "Close this window and try again.</p>"
}

extension OAuthClient {
    /// Starts the browser flow: opens the loopback listener (RFC 8252 §7.3) and builds the
    /// authorization URL with PKCE S256 and a random `state`.
    public func startBrowserSignIn(
        scopes: [String], loginHint: String? = nil, extraParameters: [String: String] = [:]
    ) async throws(OAuthError) -> OAuthBrowserSignIn {
        let listener = try LoopbackRedirectListener()
        let request = try OAuthAuthorizationRequest(
            metadata: metadata, clientID: registration.clientID, redirectURI: listener.redirectURI, scopes: scopes,
            loginHint: loginHint, extraParameters: extraAuthorizationParameters.merging(extraParameters) { $1 },
            random: random)
        return OAuthBrowserSignIn(client: self, request: request, listener: listener)
    }
}

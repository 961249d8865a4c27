/// Supplies OAuth 2.0 access tokens on demand, so the host application stays in charge of its
/// OAuth flow (sign-in, refresh tokens, storage) and MailLink never sees a refresh token.
///
/// The closure is called with `refresh: false` before an authentication and with
/// `refresh: true` after the server rejected a token, which is the host's cue to use its
/// refresh token (RFC 6749 §6) and return a fresh access token.
///
/// ```swift
/// let provider = OAuth2TokenProvider { refresh in
///     refresh ? try await oauth.refreshedAccessToken() : try await oauth.currentAccessToken()
/// }
/// ```
public struct OAuth2TokenProvider: Sendable, CustomStringConvertible {
    private let fetch: @Sendable (_ refresh: Bool) async throws -> String

    /// A provider that calls `fetch`; see the type's documentation for the `refresh` flag.
    public init(_ fetch: @escaping @Sendable (_ refresh: Bool) async throws -> String) {
        self.fetch = fetch
    }

    /// A provider that always returns the same token: for tests and short-lived scripts.
    public static func fixed(_ token: String) -> OAuth2TokenProvider {
        OAuth2TokenProvider { _ in token }
    }

    /// Asks the host application for a token.
    ///
    /// - Throws: `MailAuthError` with code `.tokenUnavailable`, wrapping the provider's error.
    public func accessToken(refresh: Bool = false) async throws(MailAuthError) -> String {
        do {
            return try await fetch(refresh)
        } catch {
            throw MailAuthError(
                .tokenUnavailable, detail: "the OAuth 2.0 token provider failed", underlyingError: error)
        }
    }

    /// `OAuth2TokenProvider(<redacted>)`.
    public var description: String { "OAuth2TokenProvider(<redacted>)" }
}
